import type { OrgEdition } from './contact-center.ts';
import type { Role } from './domain.ts';

/**
 * Who may do what, decided once here. The server enforces these (mutation handlers, HTTP routes); the client
 * core refuses early with the same words; the renderer only hides what would be refused. Membership of the
 * inbox or chat concerned is checked where the data is (a non-member learns nothing), on top of the role.
 */

/** SPEC §1: supervisors may do everything a manager may inside their inboxes; admins too. */
export const MANAGER_ROLES: readonly Role[] = ['manager', 'supervisor', 'admin'];

const isManager = (role: Role | null | undefined): boolean => role !== null && role !== undefined && MANAGER_ROLES.includes(role);

export const permissions = {
  // ---- inboxes and conversations (SPEC §1, (18))
  /** Create inboxes; rename them, set assignment mode, members and pre-written messages of inboxes one belongs to. */
  manageInboxes: (role: Role | null | undefined): boolean => isManager(role),
  /** Assign a conversation to anyone in its inbox (everyone else may only take it themselves). */
  assignToAnyone: (role: Role | null | undefined): boolean => isManager(role),
  /** A channel's carrier registration (SMS 10DLC) is an admin's. */
  setCarrierRegistration: (role: Role | null | undefined): boolean => role === 'admin',
  /** The create menu's New conversation: Contact Center agents answer, they do not start conversations. */
  startConversation: (role: Role | null | undefined): boolean => role !== 'agent',

  // ---- chats and private numbers (SPEC (3), (5), (6), (11))
  /** Change a team chat's members: whoever started it, or a manager (anyone may leave). */
  manageTeamChat: (role: Role | null | undefined, startedBy: string | null | undefined, userId: string): boolean =>
    (startedBy !== null && startedBy !== undefined && startedBy === userId) || isManager(role),
  /** Move a person's private number, with its history, into a shared inbox. */
  movePrivateNumber: (role: Role | null | undefined): boolean => isManager(role),

  // ---- customer satisfaction surveys (issue 12 §2)
  /** Any member of the conversation's inbox may send a satisfaction survey. */
  sendSurvey: (_role: Role | null | undefined): boolean => true,
  /** The survey message text of an inbox: managers and admins (supervisors watch, they do not configure). */
  editSurveySettings: (role: Role | null | undefined): boolean => role === 'manager' || role === 'admin',
  /** CSAT per inbox and per agent: managers and supervisors (and admins). */
  viewSurveyReport: (role: Role | null | undefined): boolean => isManager(role),

  // ---- Message Assistant (issue 12 §1)
  /** Only admins set up the assistant, enable it, and read its audit records. */
  administerAssistant: (role: Role | null | undefined): boolean => role === 'admin',
  /** The assistant exists only in Customer Engagement organisations (SPEC (18); Contact Center (14) has none). */
  assistantInEdition: (edition: OrgEdition): boolean => edition === 'customer_engagement',
  /**
   * A person may ask the assistant about a conversation only if they may read it: a member of its inbox, and
   * the conversation is not a read-only one of a moved private number (SPEC (11)).
   */
  useAssistantOn: (conversation: { inboxId: string; previousOfChannelId?: string | null } | null, memberInboxIds: readonly string[]): boolean =>
    conversation !== null && !conversation.previousOfChannelId && memberInboxIds.includes(conversation.inboxId),

  // ---- Contact Center (issue 10): routing, supervision, calls
  /** Log oneself in or out of the inbox queues one is a member of (agents, and any member). */
  routeSelf: (role: Role | null | undefined): boolean => role !== null && role !== undefined,
  /** The Queues view; log others out of routing, change capacities, reassign within a queue. */
  superviseQueues: (role: Role | null | undefined): boolean => isManager(role),
  /** A queue's routing settings (mode, default capacity, timeouts): managers and admins. */
  configureQueues: (role: Role | null | undefined): boolean => role === 'manager' || role === 'admin',
  /** Inbox queues (routed) exist only in Contact Center organisations. */
  queuesInEdition: (edition: OrgEdition): boolean => edition === 'contact_center',
  /** Call the contact / Convert to a phone call: Contact Center only. */
  placeCall: (edition: OrgEdition): boolean => edition === 'contact_center',
  /** The softphone address calls open instead of tel: (an organisation setting). */
  configureSoftphone: (role: Role | null | undefined): boolean => role === 'admin',
  /** The Contact Center layout: filters Me / Unassigned only, read filter All / Unread only, no New conversation. */
  ccLayout: (edition: OrgEdition): boolean => edition === 'contact_center',
} as const;
