import { z } from 'zod';
import { Id, PairId } from './id.ts';
import { Timestamp } from './timestamp.ts';
import { ConversationRouting, NoticeKind, Org, QueueAgent, QueueSettings, RoutingLoggedOutReason } from './contact-center.ts';

export { Id, PairId, RecordId, ID_RULE, isId, isPairId, IdGrammarError } from './id.ts';

export { Timestamp } from './timestamp.ts';
export * from './contact-center.ts';
/** E.164, e.g. +14155550123. Parsing of typed numbers happens with libphonenumber-js at the edges. */
export const PhoneNumber = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 phone number such as +14155550123');

export const Role = z.enum(['member', 'agent', 'manager', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

export const User = z.object({
  id: Id,
  orgId: Id,
  name: z.string(),
  email: z.string(),
  role: Role,
  status: z.enum(['active', 'disabled']),
  avatarColor: z.string(),
});
export type User = z.infer<typeof User>;

export const Inbox = z.object({
  id: Id,
  orgId: Id,
  name: z.string(),
  /**
   * shared = Customer Engagement shared inbox; queue = Contact Center inbox queue;
   * private = one person's hidden inbox holding their private texting numbers (SPEC (3)) as channels,
   * with that person as its only member (so inbox membership alone keeps it private).
   */
  kind: z.enum(['shared', 'queue', 'private']),
  assignmentMode: z.boolean(),
  /** Routing settings of an inbox queue (kind 'queue'); absent on other inboxes (issue 10). */
  queue: QueueSettings.optional(),
});
export type Inbox = z.infer<typeof Inbox>;

export const InboxMember = z.object({
  /** `${inboxId}:${userId}` */
  id: PairId,
  inboxId: Id,
  userId: Id,
});
export type InboxMember = z.infer<typeof InboxMember>;

export const ChannelKind = z.enum(['sms', 'whatsapp', 'webchat']);
export type ChannelKind = z.infer<typeof ChannelKind>;
export const Registration = z.enum(['unregistered', 'pending', 'approved', 'rejected']);
export type Registration = z.infer<typeof Registration>;

/** WhatsApp's customer-service window: free-form replies only within this long after the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** An approved WhatsApp message template of one channel (sendable outside the 24-hour window). */
export const WhatsAppTemplate = z.object({
  id: Id,
  name: z.string().min(1).max(512),
  /** Language code as approved by Meta, e.g. en_US. */
  language: z.string().min(2).max(15),
  /** What the customer receives (shown in the picker and stored as the message body). */
  body: z.string().max(1024),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

export const Channel = z.object({
  id: Id,
  inboxId: Id,
  kind: ChannelKind,
  name: z.string(),
  /** Phone number (E.164) for sms/whatsapp, widget key for webchat. */
  address: z.string(),
  /** Carrier registration; null for channels that have no phone number. */
  registration: Registration.nullable(),
  /** WhatsApp channels: the approved templates (absent = none configured). */
  whatsappTemplates: z.array(WhatsAppTemplate).max(100).optional(),
});
export type Channel = z.infer<typeof Channel>;

export const Contact = z.object({
  id: Id,
  orgId: Id,
  /** null = shared across the organisation; a user id = that user's private contact. */
  ownerId: Id.nullable(),
  name: z.string(),
  phones: z.array(PhoneNumber),
  email: z.string().nullable(),
  company: z.string().nullable(),
  notes: z.string().nullable(),
  smsOptOut: z.boolean(),
});
export type Contact = z.infer<typeof Contact>;

/** SPEC (4): one person's favourite contact; visible only to that person (scope user:<userId>). */
export const ContactFavourite = z.object({
  /** `${contactId}:${userId}` */
  id: PairId,
  contactId: Id,
  userId: Id,
});
export type ContactFavourite = z.infer<typeof ContactFavourite>;

export const ConversationStatus = z.enum(['open', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const Conversation = z.object({
  id: Id,
  inboxId: Id,
  channelId: Id,
  /** null = unlinked: shown by its customer address. */
  contactId: Id.nullable(),
  /** The customer's phone number (E.164) or web-chat visitor handle. */
  customerAddress: z.string(),
  status: ConversationStatus,
  assigneeId: Id.nullable(),
  tags: z.array(z.string()),
  createdAt: Timestamp,
  closedAt: Timestamp.nullable(),
  /** null = no messages yet. */
  lastMessageAt: Timestamp.nullable(),
  lastMessagePreview: z.string(),
  /** Users who ever wrote in it. */
  participantIds: z.array(Id),
  /**
   * SPEC (11) "Previous messages": set (to the private number's channel id) on the conversations a
   * private number had before a manager moved it into a shared inbox. Such conversations are read-only.
   */
  previousOfChannelId: Id.nullable().optional(),
  /** Contact Center routing state; only on conversations of inbox queues (issue 10). */
  routing: ConversationRouting.optional(),
});
export type Conversation = z.infer<typeof Conversation>;

export const DeliveryStatus = z.enum(['queued', 'sending', 'sent', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const Attachment = z.object({
  id: Id,
  name: z.string().max(255),
  contentType: z.string().max(127),
  size: z.number().int().nonnegative(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Message = z.object({
  /** Generated by the sending client (idempotency) or by the server for inbound messages. */
  id: Id,
  conversationId: Id,
  direction: z.enum(['in', 'out']),
  authorType: z.enum(['user', 'contact', 'system']),
  authorId: Id.nullable(),
  body: z.string(),
  attachments: z.array(Attachment),
  status: DeliveryStatus,
  statusReason: z.string().nullable(),
  providerId: z.string().nullable(),
  createdAt: Timestamp,
  /** Set on a WhatsApp template message (sent as type "template"); absent otherwise. */
  template: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()).optional() }).nullable().optional(),
  /** Set on a satisfaction survey's message (issue 12 §2): the survey it carries. */
  surveyId: Id.optional(),
});
export type Message = z.infer<typeof Message>;

/** Ratings a survey takes: 1 (very unhappy) to 5 (very happy); 4 and 5 count as satisfied (CSAT). */
export const SurveyRating = z.number().int().min(1).max(5);
export const MAX_SURVEY_COMMENT = 1000;

/** A customer's answer to a survey; the comment is plain text (shown to agents as text, never as HTML). */
export const SurveyAnswer = z.object({
  rating: SurveyRating,
  comment: z.string().max(MAX_SURVEY_COMMENT),
  answeredAt: Timestamp,
  /** Where it was answered: the hosted page (/s/<token>) or inline in the web chat widget. */
  via: z.enum(['page', 'webchat']),
});
export type SurveyAnswer = z.infer<typeof SurveyAnswer>;

/**
 * A satisfaction survey sent in a conversation (scope inbox:<inboxId>, like its messages). Its link token is
 * never part of the record: only its hash is kept, server-side.
 */
export const Survey = z.object({
  id: Id,
  conversationId: Id,
  inboxId: Id,
  /** The message that carried the link (or, in web chat, the inline rating). */
  messageId: Id,
  /** The agent who sent it (per-agent reports). */
  sentBy: Id,
  sentAt: Timestamp,
  expiresAt: Timestamp,
  answer: SurveyAnswer.nullable(),
});
export type Survey = z.infer<typeof Survey>;

/** Per-person state of a conversation; visible only to that person. */
export const ConversationUserState = z.object({
  /** `${conversationId}:${userId}` */
  id: PairId,
  conversationId: Id,
  userId: Id,
  readAt: Timestamp.nullable(),
  archived: z.boolean(),
});
export type ConversationUserState = z.infer<typeof ConversationUserState>;

export const Chat = z.object({
  id: Id,
  kind: z.enum(['direct', 'team']),
  name: z.string(),
  memberIds: z.array(Id),
  lastMessageAt: Timestamp.nullable(),
  /** Who started it (may change a team chat's members, as may managers); absent on chats seeded before this field. */
  createdBy: Id.nullable().optional(),
});
export type Chat = z.infer<typeof Chat>;

export const ChatMessage = z.object({
  id: Id,
  chatId: Id,
  authorId: Id,
  body: z.string(),
  createdAt: Timestamp,
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Per-person read state of a direct/team chat (SPEC (5), (6)); scope user:<userId>, never seen by others. */
export const ChatUserState = z.object({
  /** `${chatId}:${userId}` */
  id: PairId,
  chatId: Id,
  userId: Id,
  readAt: Timestamp.nullable(),
});
export type ChatUserState = z.infer<typeof ChatUserState>;

/** SPEC (18): a pre-written message, shared by everyone with access to its inbox (scope inbox:<inboxId>). */
export const CannedResponse = z.object({
  id: Id,
  inboxId: Id,
  title: z.string().min(1).max(120),
  /** Typed after a slash in the composer (`/hours`): lowercase letters, digits, dashes and underscores. */
  keyPhrase: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a key phrase is 1-32 lowercase letters, digits, - or _'),
  body: z.string().min(1).max(4000),
});
export type CannedResponse = z.infer<typeof CannedResponse>;

/**
 * A per-person notice (scope user:<userId>): e.g. "your conversation was reassigned". The notifications
 * part turns new ones into desktop notifications; they are never shown to anyone else.
 */
export const Notice = z.object({
  id: Id,
  userId: Id,
  kind: NoticeKind,
  /** null only for routingLoggedOut. */
  conversationId: Id.nullable(),
  /** Who made the change (routingLoggedOut sent to a supervisor: the agent). */
  actorId: Id,
  createdAt: Timestamp,
  /** routingLoggedOut: why, and of which queue. */
  reason: RoutingLoggedOutReason.optional(),
  inboxId: Id.optional(),
});
export type Notice = z.infer<typeof Notice>;

/** Every record kind that travels in the change log, with its schema. */
export const entitySchemas = {
  user: User,
  inbox: Inbox,
  inboxMember: InboxMember,
  channel: Channel,
  contact: Contact,
  conversation: Conversation,
  message: Message,
  conversationUserState: ConversationUserState,
  chat: Chat,
  chatMessage: ChatMessage,
  contactFavourite: ContactFavourite,
  cannedResponse: CannedResponse,
  notice: Notice,
  chatUserState: ChatUserState,
  survey: Survey,
  org: Org,
  queueAgent: QueueAgent,
} as const;
export type EntityKind = keyof typeof entitySchemas;
export const EntityKind = z.enum(Object.keys(entitySchemas) as [EntityKind, ...EntityKind[]]);
export type EntityOf<K extends EntityKind> = z.infer<(typeof entitySchemas)[K]>;

/** A record tagged with its kind: `{ entity: 'message', record: Message }`. */
export const EntityRecord = z.discriminatedUnion('entity', [
  z.object({ entity: z.literal('user'), record: User }),
  z.object({ entity: z.literal('inbox'), record: Inbox }),
  z.object({ entity: z.literal('inboxMember'), record: InboxMember }),
  z.object({ entity: z.literal('channel'), record: Channel }),
  z.object({ entity: z.literal('contact'), record: Contact }),
  z.object({ entity: z.literal('conversation'), record: Conversation }),
  z.object({ entity: z.literal('message'), record: Message }),
  z.object({ entity: z.literal('conversationUserState'), record: ConversationUserState }),
  z.object({ entity: z.literal('chat'), record: Chat }),
  z.object({ entity: z.literal('chatMessage'), record: ChatMessage }),
  z.object({ entity: z.literal('contactFavourite'), record: ContactFavourite }),
  z.object({ entity: z.literal('cannedResponse'), record: CannedResponse }),
  z.object({ entity: z.literal('notice'), record: Notice }),
  z.object({ entity: z.literal('chatUserState'), record: ChatUserState }),
  z.object({ entity: z.literal('survey'), record: Survey }),
  z.object({ entity: z.literal('org'), record: Org }),
  z.object({ entity: z.literal('queueAgent'), record: QueueAgent }),
]);
export type EntityRecord = z.infer<typeof EntityRecord>;
