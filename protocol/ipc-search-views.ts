import { z } from 'zod';
import type { ChannelKind, Contact, ConversationStatus } from './domain.ts';
import type { OutboxState, SurveyView } from './ipc-views.ts';

/** Views of contacts, search and the device's history settings (re-exported by ipc-views.ts). */

// ---------------------------------------------------------------- contacts and search (SPEC (4), (14), (17), (19), (20))

export interface ContactSummary {
  id: string;
  name: string;
  company: string | null;
  /** E.164 */
  phones: string[];
  /** null = shared with the organisation; otherwise the owner's id (a private contact). */
  ownerId: string | null;
  smsOptOut: boolean;
  favourite: boolean;
}

/** SPEC (17): one conversation with the contact, as listed in its history. */
export interface ContactHistoryItem {
  conversationId: string;
  inboxName: string;
  channelKind: ChannelKind;
  channelName: string;
  status: ConversationStatus;
  createdAt: number;
  lastMessageAt: number | null;
  preview: string;
}

/** SPEC (19): what the contact side panel shows. */
export interface ContactDetail {
  contact: Contact;
  favourite: boolean;
  /** Shared contacts: anyone in the organisation; private ones: only their owner. */
  editable: boolean;
  /** Newest first; only conversations of inboxes the person is a member of. */
  history: ContactHistoryItem[];
  /** Contact changes (edit, favourite, opt-out) not yet acknowledged. */
  pendingActions: OutboxState[];
  /** Issue 12 §2: the latest answered surveys of the contact's conversations, newest first (absent from older cores). */
  surveys?: SurveyView[];
  /** Issue 13: the contact's other conversations could not be asked of the server (offline); history is what is cached. */
  historyNotAvailableOffline?: boolean;
}

/** Search snippets mark matched words with these two characters (rendered as highlights, never as HTML). */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';

export interface SearchMessageHit {
  messageId: string;
  conversationId: string;
  conversationTitle: string;
  channelKind: ChannelKind;
  direction: 'in' | 'out';
  createdAt: number;
  snippet: string;
  /** Issue 13: found by the server's search (not in this device's cache when it was found). */
  fromServer?: boolean;
}
export interface SearchConversationHit {
  conversationId: string;
  title: string;
  channelKind: ChannelKind;
  status: ConversationStatus;
  lastMessageAt: number | null;
  preview: string;
  fromServer?: boolean;
}
export interface SearchContactHit extends ContactSummary {
  snippet: string;
  fromServer?: boolean;
}
export interface SearchResults {
  text: string;
  conversations: SearchConversationHit[];
  messages: SearchMessageHit[];
  contacts: SearchContactHit[];
  /**
   * Issue 13: whether the server's search over everything the person may see was merged in: 'included',
   * 'offline' (local results only), 'failed' (the server could not answer; local results only). Absent: local only.
   */
  server?: 'included' | 'offline' | 'failed';
}

/** Issue 13: what this device keeps (preferences), and how far the background fill has got. */
export interface HistorySettingsView {
  /** Days of history kept on this device beyond the window; the background fill stops there. */
  budgetDays: number;
  choices: readonly number[];
  /** Bytes of the cache file (with its write-ahead log). */
  cacheBytes: number;
  fill: { done: boolean; reachedAt: number | null; rows: number };
}
/** The budget choices a person can pick (days); 90 is the default. */
export const HISTORY_BUDGET_CHOICES = [30, 90, 365, 3650] as const;
export const DEFAULT_HISTORY_BUDGET_DAYS = 90;

/** Contact fields as typed: phone numbers in any format (main parses them to E.164 with libphonenumber-js). */
export const ContactDraft = z.object({
  name: z.string().trim().min(1, 'a contact needs a name').max(200),
  phones: z.array(z.string().trim().max(40)).max(10).default([]),
  email: z.string().trim().max(254).default(''),
  company: z.string().trim().max(200).default(''),
  notes: z.string().max(4000).default(''),
});
export type ContactDraft = z.input<typeof ContactDraft>;
