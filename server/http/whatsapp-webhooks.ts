import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES, formatBytes, normaliseContentType } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { WhatsAppConfig } from '../channels/channel-adapter.ts';
import { GRAPH_API_VERSION, WHATSAPP_WEBHOOK_PATH, whatsAppStatusUpdate } from '../channels/whatsapp-adapter.ts';
import { inboundMediaName, type WhatsAppMediaType } from '../channels/whatsapp-media.ts';
import { validateWhatsAppSignature } from '../channels/whatsapp-signature.ts';
import type { AttachmentStore } from '../domain/attachments.ts';
import type { Domain } from '../domain/domain.ts';
import { safeFileName } from './attachments.ts';
import { HttpError } from './respond.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface WhatsAppWebhookOptions {
  domain: Domain;
  bodyLimitBytes: number;
  log: (line: string) => void;
  /** Where inbound media are stored as attachments; absent = media are recorded by their media id. */
  attachments?: AttachmentStore;
}

// Tolerant shapes: unknown fields pass through, the fields we use are checked.
const Media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  /** Documents. */
  filename: z.string().optional(),
  /** Images, videos and documents. */
  caption: z.string().optional(),
  /** Audio recorded in WhatsApp (a voice note) rather than a sent audio file. */
  voice: z.boolean().optional(),
});
const InboundMessage = z.looseObject({
  id: z.string().min(1),
  from: z.string().min(1),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: Media.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
});
type InboundMessage = z.infer<typeof InboundMessage>;
/** GET /{media-id}: where the file is (the URL needs the same bearer token). */
const MediaInfo = z.looseObject({
  url: z.url({ protocol: /^https?$/ }),
  mime_type: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
});
const Status = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  recipient_id: z.string().optional(),
  /** Our message id, echoed from the send (it may beat the send's answer). */
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.union([z.number(), z.string()]).optional(), title: z.string().optional() })).optional(),
});
const Value = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1) }),
  messages: z.array(InboundMessage).optional(),
  statuses: z.array(Status).optional(),
});
export const WhatsAppWebhookPayload = z.looseObject({
  object: z.string().optional(),
  entry: z.array(z.looseObject({ changes: z.array(z.looseObject({ field: z.string().optional(), value: Value })) })),
});

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? '0') > limit) throw new HttpError(413, 'too_large', `The body is larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'too_large', `The body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const forbidden = () => new HttpError(403, 'forbidden', 'The X-Hub-Signature-256 of this request is missing or does not match.');
const invalid = (what: string) => new HttpError(400, 'invalid', what);

const MEDIA_TYPES: readonly WhatsAppMediaType[] = ['image', 'audio', 'video', 'document', 'sticker'];

/** The media object of a media message; null for other types. */
function mediaOf(message: InboundMessage): { type: WhatsAppMediaType; media: z.infer<typeof Media> | undefined } | null {
  const type = MEDIA_TYPES.find((t) => t === message.type);
  return type ? { type, media: message[type] } : null;
}

/** Body text of an inbound message without an attachment store: media are recorded by their WhatsApp media id. */
export function whatsAppInboundBody(message: InboundMessage): string | null {
  if (message.type === 'text') return message.text?.body ?? null;
  const found = mediaOf(message);
  if (!found) return `[unsupported WhatsApp message: ${message.type}]`;
  const { type, media } = found;
  if (!media) return null;
  const label =
    type === 'audio' ? (media.voice === false ? '[audio]' : '[voice note]') : type === 'document' ? `[document: ${media.filename ?? 'file'}]` : `[${type}]`;
  return [`${label} (media ${media.id})`, media.caption].filter(Boolean).join('\n');
}

class MediaUnavailable extends Error {}

/**
 * Downloads one inbound media item as the Cloud API documents it: GET /{media-id} (bearer) for its URL,
 * then GET that URL (same bearer). The file is written to the store as an uncommitted part, within
 * protocol/attachments.ts limits; a file over them (or of a type we do not keep) is `refused` and not
 * stored. A download that fails throws MediaUnavailable (answered 500, so Meta retries).
 */
async function downloadMedia(
  store: AttachmentStore,
  type: WhatsAppMediaType,
  media: z.infer<typeof Media>,
  whatsapp: WhatsAppConfig,
): Promise<{ file: Attachment; refused: null } | { file: null; refused: string }> {
  const authorization = `Bearer ${whatsapp.accessToken}`;
  const nameFor = (contentType: string): string => {
    const name = inboundMediaName(type, ATTACHMENT_TYPES[contentType]?.[0] ?? 'bin', { filename: media.filename, voice: media.voice });
    return safeFileName(name);
  };
  const refuse = (contentType: string, why: string) => ({ file: null, refused: `${nameFor(contentType)}: ${why}` });
  const declared = normaliseContentType(media.mime_type ?? '');
  // A type we never keep is refused before anything is fetched.
  if (declared && !(declared in ATTACHMENT_TYPES)) return refuse(declared, `type ${declared} is not accepted`);

  const base = whatsapp.graphBaseUrl.replace(/\/+$/, '');
  const infoResponse = await fetch(`${base}/${GRAPH_API_VERSION}/${encodeURIComponent(media.id)}`, { headers: { authorization, accept: 'application/json' } }).catch(() => null);
  if (!infoResponse?.ok) throw new MediaUnavailable(`media ${media.id} lookup answered ${infoResponse?.status ?? 'nothing'}`);
  const info = MediaInfo.safeParse(await infoResponse.json().catch(() => null));
  if (!info.success) throw new MediaUnavailable(`media ${media.id} lookup answered no media URL`);
  const contentType = normaliseContentType(info.data.mime_type ?? '') || declared;
  if (!(contentType in ATTACHMENT_TYPES)) return refuse(contentType, `type ${contentType || 'unknown'} is not accepted`);
  const tooLarge = `over the ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)} limit`;
  if (Number(info.data.file_size ?? 0) > ATTACHMENT_LIMITS.maxTotalBytes) return refuse(contentType, tooLarge);

  // The URL is Meta's (short-lived, signed): never logged.
  const response = await fetch(info.data.url, { headers: { authorization } }).catch(() => null);
  if (!response?.ok || !response.body) throw new MediaUnavailable(`media ${media.id} download answered ${response?.status ?? 'nothing'}`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > ATTACHMENT_LIMITS.maxTotalBytes) {
        await response.body.cancel().catch(() => {});
        return refuse(contentType, tooLarge);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    throw new MediaUnavailable(`media ${media.id} download broke off: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (size === 0) return refuse(contentType, 'empty');
  const id = store.newId();
  writeFileSync(store.partPath(id), Buffer.concat(chunks));
  return { file: { id, name: nameFor(contentType), contentType, size }, refused: null };
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * GET /webhooks/whatsapp (Meta's verification handshake) and POST /webhooks/whatsapp
 * (messages and statuses). A POST is verified against the app secret of the channel its
 * metadata.phone_number_id names, on the raw body bytes, before anything is parsed into
 * the domain; inbound messages are acknowledged only after they committed.
 */
export function whatsAppWebhookRoutes(options: WhatsAppWebhookOptions): Record<string, Partial<Record<string, Handler>>> {
  const { domain, log } = options;
  const store = options.attachments;

  /**
   * Stores one inbound message (its media downloaded first) and commits it before the webhook is
   * answered; false = not stored, Meta must retry. A retried message already stored is not fetched again.
   */
  async function storeInbound(channelId: string, whatsapp: WhatsAppConfig, message: InboundMessage): Promise<boolean> {
    const from = message.from.startsWith('+') ? message.from : `+${message.from}`;
    const found = mediaOf(message);
    let body: string | null;
    let file: Attachment | null = null;
    if (found && store) {
      const { type, media } = found;
      if (!media) throw invalid(`Message ${message.id} of type ${message.type} has no ${message.type} object.`);
      if (domain.read((tx) => tx.findMessageByProviderId(channelId, message.id))) return true;
      let refused: string | null;
      try {
        ({ file, refused } = await downloadMedia(store, type, media, whatsapp));
      } catch (err) {
        log(`whatsapp inbound ${message.id} on ${channelId}: media not downloaded (Meta will retry): ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
      body = [media.caption ?? '', refused ? `[not stored: ${refused}]` : ''].filter(Boolean).join('\n');
    } else {
      body = whatsAppInboundBody(message);
      if (body === null) throw invalid(`Message ${message.id} of type ${message.type} has no ${message.type} object.`);
    }
    try {
      // Commits before we answer: a 200 tells Meta the message is safely stored.
      const result = domain.receiveInbound({ channelId, from, body, providerId: message.id, attachments: file ? [file] : [] });
      if (file && store) {
        if (result.created) store.commit({ ...file, conversationId: result.conversationId, uploaderId: channelId, createdAt: Date.now() });
        else store.discard(file.id);
      }
      return true;
    } catch (err) {
      if (file) store?.discard(file.id);
      log(`whatsapp inbound ${message.id} on ${channelId} not stored (Meta will retry): ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  return {
    [WHATSAPP_WEBHOOK_PATH]: {
      GET: (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const mode = query.get('hub.mode');
        const token = query.get('hub.verify_token');
        const challenge = query.get('hub.challenge');
        const ok = mode === 'subscribe' && token !== null && challenge !== null && domain.whatsAppVerifyTokens().some((t) => sameText(t, token));
        if (!ok) throw new HttpError(403, 'forbidden', 'The verify token does not match a configured WhatsApp channel.');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(challenge);
      },
      POST: async (req, res) => {
        const raw = await readRaw(req, options.bodyLimitBytes);
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          throw invalid('The body is not JSON.');
        }
        const parsed = WhatsAppWebhookPayload.safeParse(json);
        if (!parsed.success) throw invalid('The body is not a WhatsApp webhook payload.');
        const values = parsed.data.entry.flatMap((e) => e.changes.map((c) => c.value));
        const header = req.headers['x-hub-signature-256'];
        // Every channel named by the payload must be configured and must validate the signature.
        const channels = new Map<string, NonNullable<ReturnType<Domain['findWhatsAppChannel']>>>();
        for (const value of values) {
          const id = value.metadata.phone_number_id;
          if (channels.has(id)) continue;
          const found = domain.findWhatsAppChannel(id);
          if (!found || !validateWhatsAppSignature(found.config.whatsapp.appSecret, raw, typeof header === 'string' ? header : null)) throw forbidden();
          channels.set(id, found);
        }
        for (const value of values) {
          const { channel, config } = channels.get(value.metadata.phone_number_id)!;
          for (const message of value.messages ?? []) {
            const stored = await storeInbound(channel.id, config.whatsapp, message);
            if (!stored) {
              res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('not stored; retry');
              return;
            }
          }
          for (const status of value.statuses ?? []) {
            const error = status.errors?.[0];
            const update = whatsAppStatusUpdate(status.status, error ? { code: error.code ?? null, title: error.title ?? null } : null);
            if (update) domain.applyProviderStatus(channel.id, status.biz_opaque_callback_data ?? null, status.id, update.status, update.reason);
          }
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('ok');
      },
    },
  };
}
