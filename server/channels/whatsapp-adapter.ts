import { z } from 'zod';
import { normaliseContentType } from '../../protocol/attachments.ts';
import type { EntityOf } from '../../protocol/domain.ts';
import type { AttachmentFile, ChannelAdapter, ChannelAdapterHooks, FetchedMedia, StatusUpdate, WhatsAppConfig } from './channel-adapter.ts';
import { classifyHttpRefusal, parseRetryAfter, unanswered, type SendOutcome } from '../domain/send-retry.ts';
import { mediaDownload, mediaRequestSignal, MediaUnavailable } from './inbound-media.ts';
import { planWhatsAppMediaSend, type WhatsAppPart } from './whatsapp-media.ts';

export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';
export const GRAPH_API_VERSION = 'v21.0';

export interface WhatsAppAdapterOptions {
  channelId: string;
  config: WhatsAppConfig;
  hooks: ChannelAdapterHooks;
  /** Aborted when the server closes. */
  signal: AbortSignal;
  /** A stored attachment's file (media are uploaded to Meta); null = messages with attachments fail. */
  attachmentFile?: ((attachmentId: string) => Promise<AttachmentFile | null>) | null;
}

/** An inbound media file as the webhook names it: the media object's id and mime_type. */
export interface WhatsAppMediaRef {
  mediaId: string;
  declaredType: string;
}

/** A WhatsApp status (sent/delivered/read/failed) → our delivery status; read counts as delivered. */
export function whatsAppStatusUpdate(providerStatus: string, error: { code?: string | number | null; title?: string | null } | null = null): StatusUpdate {
  switch (providerStatus) {
    case 'sent':
      return { status: 'sent', reason: null };
    case 'delivered':
    case 'read':
      return { status: 'delivered', reason: null };
    case 'failed':
      return {
        status: 'failed',
        reason: error && error.code !== undefined && error.code !== null ? `WhatsApp error ${error.code}: ${error.title ?? 'unknown'}` : 'WhatsApp reported failed',
      };
    default:
      return null;
  }
}

class WhatsAppRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly retryAfter: string | null,
  ) {
    super(message);
  }
}

/**
 * Graph error codes that mean "later" whatever the HTTP status (Meta answers some throttling with 400):
 * 4 / 80007 / 130429 / 131056 rate limits, 131000 / 131016 / 133004 temporary server trouble.
 */
const TRANSIENT_GRAPH_CODES = new Set(['4', '80007', '130429', '131000', '131016', '131056', '133004']);
/** 131047: more than 24 hours since the customer's last message (only a template may be sent). */
const WINDOW_CLOSED_CODE = '131047';

/** A Graph refusal as a send outcome: transient by HTTP status or known code, otherwise permanent. */
export function whatsAppRefusalOutcome(httpStatus: number, code: string, text: string, retryAfter: string | null, now: number): SendOutcome {
  if (code === WINDOW_CLOSED_CODE) {
    return { kind: 'permanent', reason: 'WhatsApp refused it: more than 24 hours have passed since the customer’s last message; send a template.' };
  }
  const reason = `WhatsApp refused the message (${code}): ${text}`;
  if (TRANSIENT_GRAPH_CODES.has(code)) return { kind: 'transient', reason, retryAfterMs: parseRetryAfter(retryAfter, now) };
  return classifyHttpRefusal(httpStatus, reason, retryAfter, now);
}

/** Refused before any provider call (unsupported attachment, file gone): the reason is shown as is. */
class NotSendable extends Error {}

// Tolerant shapes of Graph answers: unknown fields pass, the fields we use are checked.
const SendAnswer = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });
const UploadAnswer = z.looseObject({ id: z.string().min(1) });
/** GET /{media-id}: where the file is (the URL needs the same bearer token). */
const MediaInfo = z.looseObject({
  url: z.url({ protocol: /^https?$/ }),
  mime_type: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
});
const GraphError = z.looseObject({
  error: z.looseObject({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }),
});

/** The Graph answer, checked against `shape`; anything else becomes a WhatsAppRefusal with Meta's error. */
async function graphAnswer<T>(response: Response, shape: z.ZodType<T>): Promise<T> {
  const json: unknown = await response.json().catch(() => null);
  const parsed = shape.safeParse(json);
  if (response.ok && parsed.success) return parsed.data;
  const error = GraphError.safeParse(json);
  const code = error.success && error.data.error.code !== undefined ? String(error.data.error.code) : String(response.status);
  const text = error.success && error.data.error.message ? error.data.error.message.slice(0, 200) : `HTTP ${response.status}`;
  throw new WhatsAppRefusal(code, text, response.status, response.headers.get('retry-after'));
}

type Content =
  | { type: 'text'; text: { body: string } }
  | { type: 'template'; template: { name: string; language: { code: string }; components?: TemplateComponent[] } }
  | { type: 'image' | 'video' | 'document'; image?: MediaRef; video?: MediaRef; document?: MediaRef }
  | { type: 'audio'; audio: MediaRef & { voice?: true } };
type MediaRef = { id: string; caption?: string; filename?: string };
type TemplateComponent = { type: 'body'; parameters: { type: 'text'; text: string }[] };

/** The template part of a send: name, language and, when it has any, the body's {{1}}…{{n}} values in order. */
function templateContent(template: NonNullable<EntityOf<'message'>['template']>): Content {
  const parameters = template.parameters ?? [];
  return {
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      ...(parameters.length ? { components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] } : {}),
    },
  };
}

/** Outbound through the Cloud API: POST {graphBase}/v21.0/{phoneNumberId}/messages (and /media for files). */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): ChannelAdapter<WhatsAppMediaRef> {
  const { config, hooks, channelId } = options;
  const graph = `${config.graphBaseUrl.replace(/\/+$/, '')}/${GRAPH_API_VERSION}`;
  const base = `${graph}/${encodeURIComponent(config.phoneNumberId)}`;
  const authorization = `Bearer ${config.accessToken}`;

  /** `callbackData` (our message id) comes back as biz_opaque_callback_data in status webhooks. */
  async function post(signal: AbortSignal, to: string, content: Content, callbackData?: string): Promise<string> {
    const response = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to, ...content, ...(callbackData ? { biz_opaque_callback_data: callbackData } : {}) }),
      signal,
    });
    return (await graphAnswer(response, SendAnswer)).messages[0]!.id;
  }

  /** POST /{phoneNumberId}/media (multipart): the file's bytes → a media id usable in a send. */
  async function upload(signal: AbortSignal, file: AttachmentFile): Promise<string> {
    const bytes = await file.read();
    if (!bytes) throw new NotSendable(`The file ${file.name} is no longer stored on the server; attach it again.`);
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.contentType);
    form.set('file', new Blob([bytes], { type: file.contentType }), file.name);
    const response = await fetch(`${base}/media`, { method: 'POST', headers: { authorization, accept: 'application/json' }, body: form, signal });
    return (await graphAnswer(response, UploadAnswer)).id;
  }

  /**
   * A message with attachments: every file is checked and uploaded before the first send, then one
   * send per part. Only the last send carries our message id, and its wamid is recorded: its statuses
   * move the message (the parts before it were accepted already; a retry after a part went out sends
   * the parts again: at least once).
   */
  async function sendWithMedia(signal: AbortSignal, message: EntityOf<'message'>, to: string): Promise<string> {
    const plan = planWhatsAppMediaSend(message.body, message.attachments);
    if ('error' in plan) throw new NotSendable(plan.error);
    const files: Array<AttachmentFile | null> = [];
    for (const part of plan.parts) {
      if (part.kind === 'text') {
        files.push(null);
        continue;
      }
      const file = (await options.attachmentFile?.(part.attachment.id)) ?? null;
      if (!file) throw new NotSendable(`The file ${part.attachment.name} is no longer stored on the server; attach it again.`);
      files.push(file);
    }
    const mediaIds: Array<string | null> = [];
    for (const file of files) mediaIds.push(file ? await upload(signal, file) : null);
    let wamid = '';
    for (const [i, part] of plan.parts.entries()) {
      const last = i === plan.parts.length - 1;
      wamid = await post(signal, to, content(part, mediaIds[i] ?? ''), last ? message.id : undefined);
    }
    return wamid;
  }

  function content(part: WhatsAppPart, mediaId: string): Content {
    if (part.kind === 'text') return { type: 'text', text: { body: part.body } };
    if (part.type === 'audio') return { type: 'audio', audio: { id: mediaId, ...(part.voice ? { voice: true as const } : {}) } };
    const ref: MediaRef = { id: mediaId, ...(part.caption ? { caption: part.caption } : {}), ...(part.type === 'document' ? { filename: part.attachment.name } : {}) };
    return { type: part.type, [part.type]: ref };
  }

  /** As the Cloud API documents it: GET /{media-id} (bearer) names the file's URL, which takes the same bearer. */
  async function fetchMedia({ mediaId, declaredType }: WhatsAppMediaRef): Promise<FetchedMedia> {
    const what = `media ${mediaId}`;
    const signal = mediaRequestSignal(options.signal);
    const lookup = await fetch(`${graph}/${encodeURIComponent(mediaId)}`, { headers: { authorization, accept: 'application/json' }, signal }).catch(() => null);
    if (!lookup?.ok) throw new MediaUnavailable(`${what} lookup answered ${signal.aborted ? 'nothing in time' : (lookup?.status ?? 'nothing')}`);
    const info = MediaInfo.safeParse(await lookup.json().catch(() => null));
    if (!info.success) throw new MediaUnavailable(`${what} lookup answered no media URL`);
    const size = Number(info.data.file_size ?? NaN);
    return {
      contentType: normaliseContentType(info.data.mime_type ?? '') || declaredType,
      size: Number.isFinite(size) ? size : null,
      // The URL is Meta's (short-lived, signed): never logged.
      body: mediaDownload(info.data.url, { authorization }, `${what} download`, mediaRequestSignal(options.signal)),
    };
  }

  function sendParts(signal: AbortSignal, message: EntityOf<'message'>, to: string): Promise<string> {
    if (message.template) return post(signal, to, templateContent(message.template), message.id);
    if (message.attachments.length) return sendWithMedia(signal, message, to);
    return post(signal, to, { type: 'text', text: { body: message.body } }, message.id);
  }

  return {
    provider: 'whatsapp',
    async send({ message, to }, signal) {
      try {
        return { kind: 'accepted', providerId: await sendParts(signal, message, to), status: 'sending' };
      } catch (err) {
        if (err instanceof NotSendable) return { kind: 'permanent', reason: err.message };
        if (!(err instanceof WhatsAppRefusal)) {
          hooks.log(`whatsapp send of ${message.id} on ${channelId} got no answer: ${String(err)}`);
          return unanswered('WhatsApp', err);
        }
        hooks.log(`whatsapp send of ${message.id} on ${channelId} refused: HTTP ${err.httpStatus}, code ${err.code}`);
        return whatsAppRefusalOutcome(err.httpStatus, err.code, err.message, err.retryAfter, Date.now());
      }
    },
    statusUpdate: (providerStatus, errorCode) => whatsAppStatusUpdate(providerStatus, errorCode ? { code: errorCode, title: null } : null),
    fetchMedia,
  };
}
