import { z } from 'zod';
import { SoftphoneUrlTemplate } from './call.ts';
import type { OrgEdition, RoutingMode } from './contact-center.ts';
import type { ChannelKind, ConversationStatus } from './domain.ts';
import { Id } from './id.ts';

/**
 * The agent's side of Contact Center over IPC (issue 10 §3): queue status, offers, calls and conversation
 * details. Spread into `ipcMethods` (protocol/ipc.ts); implemented by main/core/queue-actions.ts and main/core/call.ts.
 */

/** The organisation as the layout needs it (from the cached `org` record; Customer Engagement until it arrives). */
export interface OrgView {
  id: string;
  name: string;
  edition: OrgEdition;
  softphoneUrlTemplate: string | null;
  /** permissions.ccLayout(edition): no New conversation, filters Me / Unassigned, All / Unread. */
  contactCenterLayout: boolean;
  /** permissions.placeCall(edition). */
  mayCall: boolean;
}

/** One of my inbox queues, for the queue status control (7): "Billing — logged in · 2 of 3". */
export interface MyQueueView {
  inboxId: string;
  name: string;
  mode: RoutingMode;
  loggedIn: boolean;
  /** Open conversations of the queue assigned to me plus my pending offers there. */
  load: number;
  capacity: number;
}
export interface MyQueuesView {
  edition: OrgEdition;
  queues: MyQueueView[];
}

/** A conversation offered to me (offer-mode queue), until I accept, decline or it expires. */
export interface OfferView {
  conversationId: string;
  inboxId: string;
  queueName: string;
  /** The contact's name, or the formatted number / visitor. */
  title: string;
  preview: string;
  channelKind: ChannelKind;
  offeredAt: number;
  expiresAt: number;
}

/** What a call opened: the URL, and whether the desktop shell already handed it to the OS (else the page opens it). */
export interface PlacedCall {
  url: string;
  opened: boolean;
  messageId: string;
}

/** Conversation details (the mobile app's (15)). Times in ms; null when not known (yet). */
export interface RoutingDetailsView {
  conversationId: string;
  channel: { kind: ChannelKind; name: string };
  inbox: { id: string; name: string; kind: 'shared' | 'queue' | 'private' };
  /** Who started it: the customer (inbound) or the team (outbound). */
  startedBy: 'customer' | 'team';
  status: ConversationStatus;
  createdAt: number;
  closedAt: number | null;
  /** When it (first) went to the queue; createdAt outside queues. */
  queuedAt: number;
  /** Waiting in the queue right now since. */
  waitingSince: number | null;
  firstResponseAt: number | null;
  /** Everyone who had it, in order. */
  handledBy: { id: string; name: string }[];
  /** routing: from the conversation's routing record; messages: derived from the cached messages. */
  source: 'routing' | 'messages';
}

const Empty = z.object({}).strict();
function method<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}
type Done = Record<string, never>;

export const contactCenterAgentIpcMethods = {
  'org.get': method<OrgView | null>()(Empty),
  'queues.mine': method<MyQueuesView>()(Empty),
  /** Through the outbox; "all my queues" = every id of queues.mine. */
  'actions.queueLogin': method<Done>()(z.object({ inboxIds: z.array(Id).min(1).max(200) })),
  'actions.queueLogout': method<Done>()(z.object({ inboxIds: z.array(Id).min(1).max(200) })),
  'offers.mine': method<OfferView[]>()(Empty),
  'actions.acceptOffer': method<Done>()(z.object({ conversationId: Id })),
  'actions.declineOffer': method<Done>()(z.object({ conversationId: Id })),
  /** Call the contact / Convert to a phone call: notes the call and opens tel: or the softphone. */
  'actions.placeCall': method<PlacedCall>()(z.object({ conversationId: Id })),
  'conversations.routingDetails': method<RoutingDetailsView | null>()(z.object({ conversationId: Id })),
  /** Admins: the softphone address calls open (null = the phone handler, tel:). */
  'actions.setSoftphone': method<Done>()(z.object({ urlTemplate: SoftphoneUrlTemplate.nullable() })),
} as const;
