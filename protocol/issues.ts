import type { z } from 'zod';

/** A schema failure as one line a person can act on: `args.chatId: an id is 1-64 letters …`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return `${path || 'value'}: ${issue?.message ?? 'invalid'}`;
}
