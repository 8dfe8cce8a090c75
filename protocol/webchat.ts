import { z } from 'zod';
import { MAX_SURVEY_COMMENT, SurveyRating } from './domain.ts';
import { Id } from './id.ts';

/**
 * Web chat widget <-> server, over a websocket at WEBCHAT_PATHS.socket (separate from /sync).
 * A visitor is known only by a random visitor token the widget keeps in localStorage; the
 * server derives the visitor handle (the conversation's customerAddress) from it, so a socket
 * only ever sees the conversation of its own token.
 *
 * Attachments go over HTTP (WEBCHAT_PATHS.attachments): the widget uploads each file (raw body,
 * its content type, `?widget=<key>&name=<file name>`, the token in WEBCHAT_VISITOR_HEADER), gets an
 * id, and lists the ids in its next `send`. It reads a message's files from
 * `<attachments>/<id>?widget=<key>` with the same header; only files of its own conversation's
 * messages are served.
 */
export const WEBCHAT_PATHS = {
  /** The embeddable script: <script src="…/widget.js" data-channel="<widget key>"></script> */
  widget: '/widget.js',
  /** WebSocket upgrade for visitors. */
  socket: '/webchat',
  /** Demo mode only: a tiny customer site with the Sales widget. */
  demo: '/webchat-demo',
  /** POST: a visitor's upload; GET …/<id>: a file of the visitor's conversation. */
  attachments: '/webchat/attachments',
} as const;

/** Carries the visitor token on the attachment routes (a header, so it never lands in a URL or log). */
export const WEBCHAT_VISITOR_HEADER = 'x-switchboard-visitor';

export const WEBCHAT_LIMITS = {
  /** Largest frame either side accepts (ws closes bigger ones with 1009). */
  maxFrameBytes: 8 * 1024,
  maxBodyChars: 2000,
  /** Visitor frames: token bucket per socket. */
  framesPerSecond: 2,
  frameBurst: 10,
  /** Messages in the welcome history. */
  historyLimit: 200,
  /** Live sockets per visitor (tabs). */
  socketsPerVisitor: 5,
  /** A socket with no visitor frame for this long is closed; the widget reconnects on activity. */
  idleTimeoutMs: 10 * 60_000,
} as const;

/** Per client address (token buckets: `burst` at once, refilled at `perMinute`). */
export const WEBCHAT_IP_LIMITS = {
  /** Websocket connections (every reconnect counts). */
  connections: { perMinute: 30, burst: 30 },
  /** Hellos without a token, i.e. new visitors. */
  newVisitors: { perMinute: 2, burst: 10 },
  /** `send` frames. */
  messages: { perMinute: 30, burst: 20 },
  /** Attachment uploads. */
  uploads: { perMinute: 20, burst: 20 },
} as const;

/** Per visitor: uploaded files not yet sent in a message (they expire), and bytes stored per hour. */
export const WEBCHAT_UPLOAD_QUOTA = {
  maxPendingFiles: 20,
  maxPendingBytes: 10 * 1024 * 1024,
  pendingTtlMs: 60 * 60_000,
  bytesPerHour: 50 * 1024 * 1024,
} as const;

/** Close codes (4xxx: application). */
export const WebchatCloseCode = {
  invalidFrame: 4400,
  originNotAllowed: 4403,
  unknownWidget: 4404,
  idle: 4408,
  rateLimited: 4429,
  tooManySockets: 4430,
} as const;

export const VisitorToken = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/);
const WidgetKey = z.string().min(1).max(128);
/** Becomes part of the message's provider id; the one id grammar (protocol/id.ts). */
const ClientMessageId = Id;
/** Ids the server issued for this visitor's uploads (att_ + 32 hex digits). */
export const WebchatAttachmentId = z.string().regex(/^att_[0-9a-f]{32}$/);
/** Mirrors ATTACHMENT_LIMITS.maxFiles (protocol/attachments.ts); the server checks the set again. */
const MAX_FILES_PER_MESSAGE = 10;

// ---------------------------------------------------------------- visitor → server

export const WebchatHello = z.object({
  type: z.literal('hello'),
  widgetKey: WidgetKey,
  /** null on the first visit: the server issues one in `welcome`. */
  visitorToken: VisitorToken.nullable(),
  name: z.string().trim().max(80).optional(),
  email: z.string().trim().max(254).email().optional().or(z.literal('')),
});
export const WebchatSend = z
  .object({
    type: z.literal('send'),
    clientMessageId: ClientMessageId,
    body: z.string().trim().max(WEBCHAT_LIMITS.maxBodyChars),
    /** Files uploaded over HTTP by this visitor and not yet sent. */
    attachmentIds: z.array(WebchatAttachmentId).max(MAX_FILES_PER_MESSAGE).optional(),
    /** Optional introduction typed in the widget with the first message. */
    name: z.string().trim().max(80).optional(),
    email: z.string().trim().max(254).email().optional().or(z.literal('')),
  })
  .refine((f) => f.body.length > 0 || (f.attachmentIds?.length ?? 0) > 0, { message: 'A message needs text or an attachment.', path: ['body'] })
  .refine((f) => new Set(f.attachmentIds ?? []).size === (f.attachmentIds?.length ?? 0), { message: 'An attachment is listed twice.', path: ['attachmentIds'] });
/** The widget shows these agent messages: they become `delivered`. */
export const WebchatAck = z.object({ type: z.literal('ack'), messageIds: z.array(z.string().min(1).max(128)).min(1).max(100) });

/** Sent by the widget on page activity so an attended socket is not closed as idle. */
export const WebchatPing = z.object({ type: z.literal('ping') });

/** The visitor rates an inline survey of their conversation (issue 12 §2); answered with a `survey` frame or an error. */
export const WebchatSurveyAnswer = z.object({
  type: z.literal('surveyAnswer'),
  surveyId: Id,
  rating: SurveyRating,
  comment: z.string().trim().max(MAX_SURVEY_COMMENT).default(''),
});

export const WebchatClientFrame = z.discriminatedUnion('type', [WebchatHello, WebchatSend, WebchatAck, WebchatPing, WebchatSurveyAnswer]);
export type WebchatClientFrame = z.infer<typeof WebchatClientFrame>;

// ---------------------------------------------------------------- server → visitor

export const WebchatAttachment = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
});
export type WebchatAttachment = z.infer<typeof WebchatAttachment>;

/** Where an inline survey stands, for the widget: `rating` once answered. */
export const WebchatSurveyState = z.object({
  id: Id,
  state: z.enum(['open', 'answered', 'expired']),
  rating: SurveyRating.nullable(),
});
export type WebchatSurveyState = z.infer<typeof WebchatSurveyState>;

export const WebchatMessage = z.object({
  id: z.string(),
  from: z.enum(['visitor', 'agent']),
  body: z.string(),
  /** Read from `<attachments>/<id>` with the visitor token. */
  attachments: z.array(WebchatAttachment).default([]),
  createdAt: z.number().int(),
  /** A satisfaction survey carried by this agent message: the widget shows 1–5 buttons while it is open. */
  survey: WebchatSurveyState.optional(),
});
export type WebchatMessage = z.infer<typeof WebchatMessage>;

export const WebchatWelcome = z.object({
  type: z.literal('welcome'),
  visitorToken: VisitorToken,
  /** The channel's display name (e.g. "Sales web chat"). */
  title: z.string(),
  history: z.array(WebchatMessage),
});
export const WebchatPush = z.object({
  type: z.literal('message'),
  message: WebchatMessage,
  /** Set on the echo of this socket's own `send`. */
  clientMessageId: ClientMessageId.optional(),
});
export const WebchatErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string(),
  /** Shown to the visitor as is. */
  message: z.string(),
  /** Set when a `send` was refused: the widget drops it from its resend queue. */
  clientMessageId: ClientMessageId.optional(),
});

/** POST <attachments> answer (201). Errors are `{ error: { code, message } }` like the rest of the HTTP API. */
export const WebchatUploadResponse = WebchatAttachment;
export type WebchatUploadResponse = z.infer<typeof WebchatUploadResponse>;

/** A survey of this visitor's conversation changed (their answer was taken): the widget replaces its buttons with thanks. */
export const WebchatSurveyFrame = z.object({ type: z.literal('survey'), messageId: z.string(), survey: WebchatSurveyState });

export const WebchatServerFrame = z.discriminatedUnion('type', [WebchatWelcome, WebchatPush, WebchatErrorFrame, WebchatSurveyFrame]);
export type WebchatServerFrame = z.infer<typeof WebchatServerFrame>;
