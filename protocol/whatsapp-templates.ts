/**
 * Positional body parameters of WhatsApp templates ("Hi {{1}}, your order {{2}} has shipped").
 * One set of rules for the admin import, the composer, the client's optimistic row and the server.
 */

/** A positional placeholder as Meta writes it (spaces inside the braces tolerated). */
const POSITIONAL = /\{\{\s*(\d+)\s*\}\}/g;
/** Any placeholder, positional or named ({{customer_name}}). */
const ANY_PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export const MAX_TEMPLATE_PARAMETERS = 20;
export const MAX_TEMPLATE_PARAMETER_LENGTH = 1024;

/**
 * The number of parameters a template body takes, or the reason it cannot be sent: placeholders must be
 * {{1}}…{{n}} with none missing (Meta's positional format); named ones ({{name}}) are not supported.
 */
export function templateParameters(body: string): { count: number } | { problem: string } {
  const numbers = new Set<number>();
  for (const [, token] of body.matchAll(ANY_PLACEHOLDER)) {
    if (!/^\d+$/.test(token ?? '')) return { problem: `it has a named parameter {{${token}}}; only numbered ones like {{1}} are supported` };
    numbers.add(Number(token));
  }
  const count = numbers.size;
  if (count > MAX_TEMPLATE_PARAMETERS) return { problem: `it has ${count} parameters; at most ${MAX_TEMPLATE_PARAMETERS} are supported` };
  for (let n = 1; n <= count; n++) {
    if (!numbers.has(n)) return { problem: `its parameters must be numbered {{1}} to {{${count}}} with none missing` };
  }
  return { count };
}

/**
 * Why these values cannot fill this template, or null when they can. Meta refuses parameter text that is
 * empty or holds a newline, a tab or more than four spaces in a row.
 */
export function templateParameterProblem(body: string, values: readonly string[]): string | null {
  const shape = templateParameters(body);
  if ('problem' in shape) return `This template cannot be sent: ${shape.problem}.`;
  if (values.length !== shape.count) {
    return shape.count === 0
      ? 'This template takes no values.'
      : `This template needs ${shape.count} value${shape.count === 1 ? '' : 's'} ({{1}}${shape.count > 1 ? ` to {{${shape.count}}}` : ''}); ${values.length} given.`;
  }
  for (const [i, value] of values.entries()) {
    const label = `{{${i + 1}}}`;
    if (!value.trim()) return `Fill in ${label}.`;
    if (value.length > MAX_TEMPLATE_PARAMETER_LENGTH) return `${label} is longer than ${MAX_TEMPLATE_PARAMETER_LENGTH} characters.`;
    if (/[\n\r\t]| {5,}/.test(value)) return `${label} cannot hold line breaks, tabs or more than four spaces in a row.`;
  }
  return null;
}

/** The text the customer receives: each {{n}} replaced by the n-th value (unknown ones left as they are). */
export function fillTemplate(body: string, values: readonly string[]): string {
  return body.replace(POSITIONAL, (placeholder, n: string) => values[Number(n) - 1] ?? placeholder);
}

export type TemplatePart = { text: string } | { parameter: number };

/** The body cut into its literal text and its {{n}} placeholders, in order (for a preview that marks the values). */
export function templateParts(body: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const match of body.matchAll(POSITIONAL)) {
    if (match.index > at) parts.push({ text: body.slice(at, match.index) });
    parts.push({ parameter: Number(match[1]) });
    at = match.index + match[0].length;
  }
  if (at < body.length) parts.push({ text: body.slice(at) });
  return parts;
}
