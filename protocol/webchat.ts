import { z } from 'zod';

/**
 * Web chat widget <-> server, over a websocket at WEBCHAT_PATHS.socket (separate from /sync).
 * A visitor is known only by a random visitor token the widget keeps in localStorage; the
 * server derives the visitor handle (the conversation's customerAddress) from it, so a socket
 * only ever sees the conversation of its own token. Attachments are not part of web chat yet.
 */
export const WEBCHAT_PATHS = {
  /** The embeddable script: <script src="…/widget.js" data-channel="<widget key>"></script> */
  widget: '/widget.js',
  /** WebSocket upgrade for visitors. */
  socket: '/webchat',
  /** Demo mode only: a tiny customer site with the Sales widget. */
  demo: '/webchat-demo',
} as const;

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
} as const;

/** Close codes (4xxx: application). */
export const WebchatCloseCode = { invalidFrame: 4400, unknownWidget: 4404, rateLimited: 4429, tooManySockets: 4430 } as const;

export const VisitorToken = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/);
const WidgetKey = z.string().min(1).max(128);
const ClientMessageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

// ---------------------------------------------------------------- visitor → server

export const WebchatHello = z.object({
  type: z.literal('hello'),
  widgetKey: WidgetKey,
  /** null on the first visit: the server issues one in `welcome`. */
  visitorToken: VisitorToken.nullable(),
  name: z.string().trim().max(80).optional(),
  email: z.string().trim().max(254).email().optional().or(z.literal('')),
});
export const WebchatSend = z.object({
  type: z.literal('send'),
  clientMessageId: ClientMessageId,
  body: z.string().trim().min(1).max(WEBCHAT_LIMITS.maxBodyChars),
  /** Optional introduction typed in the widget with the first message. */
  name: z.string().trim().max(80).optional(),
  email: z.string().trim().max(254).email().optional().or(z.literal('')),
});
/** The widget shows these agent messages: they become `delivered`. */
export const WebchatAck = z.object({ type: z.literal('ack'), messageIds: z.array(z.string().min(1).max(128)).min(1).max(100) });

export const WebchatClientFrame = z.discriminatedUnion('type', [WebchatHello, WebchatSend, WebchatAck]);
export type WebchatClientFrame = z.infer<typeof WebchatClientFrame>;

// ---------------------------------------------------------------- server → visitor

export const WebchatMessage = z.object({
  id: z.string(),
  from: z.enum(['visitor', 'agent']),
  body: z.string(),
  createdAt: z.number().int(),
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
export const WebchatErrorFrame = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });

export const WebchatServerFrame = z.discriminatedUnion('type', [WebchatWelcome, WebchatPush, WebchatErrorFrame]);
export type WebchatServerFrame = z.infer<typeof WebchatServerFrame>;
