import { z } from 'zod';
import type { ChannelKind, Registration, User } from './domain.ts';
import type { OutboxState } from './ipc-views.ts';

/** Views of the conversation workflow and the manager screen (re-exported by ipc-views.ts). */

// ---------------------------------------------------------------- conversation workflow and manager screens (SPEC (1), (8), (15), (18))

/** SPEC (18): a pre-written message as the composer and the manager screen list it. */
export interface CannedResponseView {
  id: string;
  inboxId: string;
  title: string;
  keyPhrase: string;
  body: string;
  /** Saved or deleted locally, not yet acknowledged by the server. */
  pending: boolean;
}

export interface ManagedInboxMember {
  id: string;
  name: string;
  role: User['role'];
}
/** One inbox on the manager screen. */
export interface ManagedInbox {
  id: string;
  name: string;
  assignmentMode: boolean;
  channels: { id: string; kind: ChannelKind; name: string; address?: string; registration?: Registration | null }[];
  members: ManagedInboxMember[];
  cannedResponses: CannedResponseView[];
}
/** Manager actions the server refused (shown with Retry / Discard). */
export interface FailedAction extends OutboxState {
  name: string;
}
export interface ManageView {
  /** Whether the signed-in person may manage inboxes at all (manager, supervisor, admin). */
  canManage: boolean;
  /** Whether the signed-in person may set carrier registrations (admins); absent from older cores. */
  canSetRegistration?: boolean;
  inboxes: ManagedInbox[];
  /** Everyone in the organisation, for "add member". */
  people: ManagedInboxMember[];
  pending: number;
  failed: FailedAction[];
}

export const CannedResponseDraft = z.object({
  title: z.string().trim().min(1, 'a pre-written message needs a title').max(120),
  keyPhrase: z
    .string()
    .trim()
    .transform((s) => s.replace(/^\//, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a key phrase is 1–32 letters, digits, - or _ (for example: hours)')),
  body: z.string().trim().min(1, 'a pre-written message needs a text').max(4000),
});
