import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { normaliseContentType } from '../../protocol/attachments.ts';
import type { EntityOf } from '../../protocol/domain.ts';
import type { AttachmentFile, ChannelAdapter, ChannelAdapterHooks, FetchedMedia, StatusUpdate, WhatsAppConfig } from './channel-adapter.ts';
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
  attachmentFile?: ((attachmentId: string) => AttachmentFile | null) | null;
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
  ) {
    super(message);
  }
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
  throw new WhatsAppRefusal(code, error.success && error.data.error.message ? error.data.error.message.slice(0, 200) : `HTTP ${response.status}`);
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
  async function post(to: string, content: Content, callbackData?: string): Promise<string> {
    const response = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to, ...content, ...(callbackData ? { biz_opaque_callback_data: callbackData } : {}) }),
      signal: options.signal,
    });
    return (await graphAnswer(response, SendAnswer)).messages[0]!.id;
  }

  /** POST /{phoneNumberId}/media (multipart): the file's bytes → a media id usable in a send. */
  async function upload(file: AttachmentFile): Promise<string> {
    const bytes = await readFile(file.path);
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.contentType);
    form.set('file', new Blob([bytes], { type: file.contentType }), file.name);
    const response = await fetch(`${base}/media`, { method: 'POST', headers: { authorization, accept: 'application/json' }, body: form, signal: options.signal });
    return (await graphAnswer(response, UploadAnswer)).id;
  }

  /**
   * A message with attachments: every file is checked and uploaded before the first send, then one
   * send per part. Only the last send carries our message id, and its wamid is recorded: its statuses
   * move the message (the parts before it were accepted already).
   */
  async function sendWithMedia(message: EntityOf<'message'>, to: string): Promise<string> {
    const plan = planWhatsAppMediaSend(message.body, message.attachments);
    if ('error' in plan) throw new NotSendable(plan.error);
    const files = plan.parts.map((part) => {
      if (part.kind === 'text') return null;
      const file = options.attachmentFile?.(part.attachment.id) ?? null;
      if (!file) throw new NotSendable(`The file ${part.attachment.name} is no longer stored on the server; attach it again.`);
      return file;
    });
    const mediaIds: Array<string | null> = [];
    for (const file of files) mediaIds.push(file ? await upload(file) : null);
    let wamid = '';
    for (const [i, part] of plan.parts.entries()) {
      const last = i === plan.parts.length - 1;
      wamid = await post(to, content(part, mediaIds[i] ?? ''), last ? message.id : undefined);
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

  function send(message: EntityOf<'message'>, to: string): Promise<string> {
    if (message.template) {
      return post(to, templateContent(message.template), message.id);
    }
    if (message.attachments.length) return sendWithMedia(message, to);
    return post(to, { type: 'text', text: { body: message.body } }, message.id);
  }

  return {
    provider: 'whatsapp',
    send({ message, to }) {
      send(message, to).then(
        (id) => hooks.setProviderId(message.id, id),
        (err: unknown) => {
          if (options.signal.aborted) return;
          const reason =
            err instanceof NotSendable
              ? err.message
              : err instanceof WhatsAppRefusal
                ? `WhatsApp refused the message (${err.code}): ${err.message}`
                : 'WhatsApp could not be reached';
          hooks.log(`whatsapp send of ${message.id} on ${channelId} failed: ${err instanceof WhatsAppRefusal ? err.code : err instanceof NotSendable ? 'not sendable' : String(err)}`);
          try {
            hooks.setStatus(message.id, 'failed', reason);
          } catch (again) {
            hooks.log(`whatsapp status of ${message.id} not recorded: ${String(again)}`);
          }
        },
      );
    },
    statusUpdate: (providerStatus, errorCode) => whatsAppStatusUpdate(providerStatus, errorCode ? { code: errorCode, title: null } : null),
    fetchMedia,
  };
}
