import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { attachmentExtension } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { WhatsAppProviderConfig } from '../channels/channel-adapter.ts';
import { receiveInboundWithMedia, storeInboundMedia, withRefusedNote, type StoredMedia } from '../channels/inbound-media.ts';
import { WHATSAPP_WEBHOOK_PATH, whatsAppStatusUpdate } from '../channels/whatsapp-adapter.ts';
import { inboundMediaName, type WhatsAppMediaType } from '../channels/whatsapp-media.ts';
import { validateWhatsAppSignature } from '../channels/whatsapp-signature.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import type { Domain } from '../domain/domain.ts';
import type { ChannelProviders } from '../domain/channel-providers.ts';
import { safeFileName } from './attachments.ts';
import { HttpError, readBodyBytes } from './respond.ts';
import type { Handler } from './routes.ts';

export interface WhatsAppWebhookOptions {
  domain: Domain;
  bodyLimitBytes: number;
  log: (line: string) => void;
  /** Where inbound media are stored as attachments; absent = media are recorded by their media id. */
  attachments?: AttachmentFiles;
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

type WhatsAppChannel = NonNullable<Awaited<ReturnType<ChannelProviders['findWhatsAppChannel']>>>;

/** The configured WhatsApp channels (by phone number id) whose app secret signed these bytes. */
async function signingChannels(domain: Domain, raw: Buffer, header: string): Promise<Map<string, WhatsAppChannel>> {
  const verdicts = new Map<string, boolean>();
  const signers = new Map<string, WhatsAppChannel>();
  for (const { channel, config } of await domain.providers.providerChannels('whatsapp')) {
    if (config.provider !== 'whatsapp') continue;
    const { appSecret, phoneNumberId } = config.whatsapp;
    let valid = verdicts.get(appSecret);
    if (valid === undefined) verdicts.set(appSecret, (valid = validateWhatsAppSignature(appSecret, raw, header)));
    if (valid) signers.set(phoneNumberId, { channel, config });
  }
  return signers;
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
  async function storeInbound(channelId: string, config: WhatsAppProviderConfig, message: InboundMessage): Promise<boolean> {
    const from = message.from.startsWith('+') ? message.from : `+${message.from}`;
    const found = mediaOf(message);
    let body: string | null;
    let files: Attachment[] = [];
    if (found && store) {
      const { type, media } = found;
      if (!media) throw invalid(`Message ${message.id} of type ${message.type} has no ${message.type} object.`);
      if (await domain.read((tx) => tx.findMessageByProviderId(channelId, message.id))) return true;
      const name = (contentType: string) => safeFileName(inboundMediaName(type, attachmentExtension(contentType), { filename: media.filename, voice: media.voice }));
      let stored: StoredMedia;
      try {
        stored = await storeInboundMedia(store, domain.channels.adapterFor(channelId, config), { mediaId: media.id, declaredType: media.mime_type ?? '' }, { name, channelId });
      } catch (err) {
        log(`whatsapp inbound ${message.id} on ${channelId}: media not downloaded (Meta will retry): ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
      if ('file' in stored) files = [stored.file];
      body = withRefusedNote(media.caption ?? '', 'refused' in stored ? [stored.refused] : []);
    } else {
      body = whatsAppInboundBody(message);
      if (body === null) throw invalid(`Message ${message.id} of type ${message.type} has no ${message.type} object.`);
    }
    try {
      // Commits before we answer: a 200 tells Meta the message is safely stored.
      await receiveInboundWithMedia(domain, store, { channelId, from, body, providerId: message.id, attachments: files });
      return true;
    } catch (err) {
      log(`whatsapp inbound ${message.id} on ${channelId} not stored (Meta will retry): ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  return {
    [WHATSAPP_WEBHOOK_PATH]: {
      GET: async (_req, res, target) => {
        const query = target.url.searchParams;
        const mode = query.get('hub.mode');
        const token = query.get('hub.verify_token');
        const challenge = query.get('hub.challenge');
        const ok = mode === 'subscribe' && token !== null && challenge !== null && (await domain.providers.whatsAppVerifyTokens()).some((t) => sameText(t, token));
        if (!ok) throw new HttpError(403, 'forbidden', 'The verify token does not match a configured WhatsApp channel.');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(challenge);
      },
      POST: async (req, res) => {
        // The signature is checked before the body is looked at: a request no configured app secret
        // signed is refused whatever it holds (an empty `entry` included).
        const header = req.headers['x-hub-signature-256'];
        if (typeof header !== 'string' || !header) throw forbidden();
        const raw = await readBodyBytes(req, options.bodyLimitBytes);
        const signers = await signingChannels(domain, raw, header);
        if (signers.size === 0) throw forbidden();
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          throw invalid('The body is not JSON.');
        }
        const parsed = WhatsAppWebhookPayload.safeParse(json);
        if (!parsed.success) throw invalid('The body is not a WhatsApp webhook payload.');
        const values = parsed.data.entry.flatMap((e) => e.changes.map((c) => c.value));
        // Every channel the payload names must be one whose app secret signed it.
        if (values.some((value) => !signers.has(value.metadata.phone_number_id))) throw forbidden();
        for (const value of values) {
          const { channel, config } = signers.get(value.metadata.phone_number_id)!;
          for (const message of value.messages ?? []) {
            const stored = await storeInbound(channel.id, config, message);
            if (!stored) {
              res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('not stored; retry');
              return;
            }
          }
          for (const status of value.statuses ?? []) {
            const error = status.errors?.[0];
            const update = whatsAppStatusUpdate(status.status, error ? { code: error.code ?? null, title: error.title ?? null } : null);
            if (update) await domain.applyProviderStatus(channel.id, status.biz_opaque_callback_data ?? null, status.id, update.status, update.reason);
          }
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('ok');
      },
    },
  };
}
