import type { AssistantErrorCode } from './assistant.ts';

/** Views of the Message Assistant (re-exported by ipc-views.ts). */

// ---------------------------------------------------------------- Message Assistant (issue 12 §1)

/** Whether the composer shows the assistant, and what it can do right now. */
export interface AssistantView {
  /** Customer Engagement organisation (as last heard from the server): the Assistant action exists. */
  show: boolean;
  /** The model can be asked now (configured, enabled, online); otherwise past replies only. */
  available: boolean;
  /** Why the model cannot be asked (offline, not configured, …); null when it can. */
  reason: { code: AssistantErrorCode; message: string } | null;
  /** What leaves the organisation when the assistant is used. */
  notice: string;
  /** Admins: the Manage section for the assistant. */
  canAdminister: boolean;
}

/** A suggestion found in the local cache, no provider needed: labelled "From past replies". */
export interface PastReplySuggestion {
  text: string;
  source: 'reply' | 'canned';
  /** Where it comes from, e.g. "Sent after a similar message" or the pre-written message's title. */
  label: string;
}

export interface AssistantStarted {
  /** true: `assistant` events with this request id follow, ending with done or error. */
  streaming: boolean;
  /** Why nothing streams (offline, not configured, refused…). */
  error: { code: AssistantErrorCode; message: string } | null;
}
