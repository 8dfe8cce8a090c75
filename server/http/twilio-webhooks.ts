import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTACHMENT_LIMITS, attachmentExtension } from '../../protocol/attachments.ts';
import type { Attachment, EntityOf } from '../../protocol/domain.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import { DEFAULT_HELP_TEXT, type ChannelAdapter, type TwilioProviderConfig } from '../channels/channel-adapter.ts';
import { receiveInboundWithMedia, storeInboundMedia, withRefusedNote } from '../channels/inbound-media.ts';
import { TWILIO_WEBHOOK_PATHS, type TwilioMediaRef } from '../channels/twilio-adapter.ts';
import { publicRequestUrl, validateTwilioSignature, type FormParams } from '../channels/twilio-signature.ts';
import type { Domain } from '../domain/domain.ts';
import { HELP_WORDS, smsKeyword } from '../domain/inbound.ts';
import { HttpError, readBodyBytes } from './respond.ts';
import type { Handler } from './routes.ts';

export interface TwilioWebhookOptions {
  domain: Domain;
  bodyLimitBytes: number;
  log: (line: string) => void;
  /** Where inbound MMS media are stored as attachments; absent = media are listed by URL. */
  attachments?: AttachmentFiles;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

type TwilioChannel = { channel: EntityOf<'channel'>; config: TwilioProviderConfig };

/**
 * A Twilio webhook's form and the configured channels whose auth token signed it. The signature
 * comes first: an unsigned request is refused before its body is read, a wrongly signed one before
 * any of its fields is looked at (or its content type judged).
 */
async function readSignedForm(domain: Domain, req: IncomingMessage, limit: number): Promise<{ params: FormParams; signers: Map<string, TwilioChannel> }> {
  const header = req.headers['x-twilio-signature'];
  if (typeof header !== 'string' || !header) throw forbidden();
  const params: FormParams = [...new URLSearchParams((await readBodyBytes(req, limit)).toString('utf8')).entries()];
  const signers = new Map<string, TwilioChannel>();
  for (const { channel, config } of await domain.providers.providerChannels('twilio')) {
    if (config.provider !== 'twilio') continue;
    // The raw target, byte for byte: Twilio signed the URL as it called it, not as we would normalise it.
    if (validateTwilioSignature(config.twilio.authToken, publicRequestUrl(config.twilio.publicUrl, req.url ?? '/'), params, header)) signers.set(channel.id, { channel, config });
  }
  if (signers.size === 0) throw forbidden();
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'Twilio webhooks are application/x-www-form-urlencoded.');
  }
  return { params, signers };
}

const first = (params: FormParams, name: string): string | null => params.find(([k]) => k === name)?.[1] ?? null;

function twiml(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(EMPTY_TWIML), 'cache-control': 'no-store' });
  res.end(EMPTY_TWIML);
}

const forbidden = () => new HttpError(403, 'forbidden', 'The X-Twilio-Signature of this request is missing or does not match.');

/** Body text of an inbound message (without a store, MMS media are listed by their Twilio URLs). */
function inboundBody(params: FormParams, listMedia: boolean): string {
  const lines = [first(params, 'Body') ?? ''];
  const count = listMedia ? Math.min(Number(first(params, 'NumMedia') ?? '0') || 0, ATTACHMENT_LIMITS.maxFiles) : 0;
  for (let i = 0; i < count; i++) {
    const url = first(params, `MediaUrl${i}`);
    if (url) lines.push(`[media ${first(params, `MediaContentType${i}`) ?? 'file'}: ${url}]`);
  }
  return lines.filter((l, i) => i === 0 || l).join('\n').trim();
}

/**
 * MMS: stores MediaUrlN (fetched by the channel's adapter) as attachments no message carries yet, at most
 * ATTACHMENT_LIMITS.maxFiles of them and within the message's total; files left out are named in
 * `refused`. Throws MediaUnavailable (answered 500, so Twilio retries) with nothing kept.
 */
async function storeMmsMedia(
  store: AttachmentFiles,
  channelId: string,
  adapter: Pick<ChannelAdapter<TwilioMediaRef>, 'fetchMedia'>,
  params: FormParams,
): Promise<{ files: Attachment[]; refused: string[] }> {
  const count = Math.max(0, Number(first(params, 'NumMedia') ?? '0') || 0);
  const files: Attachment[] = [];
  const refused: string[] = [];
  if (count > ATTACHMENT_LIMITS.maxFiles) refused.push(`${count - ATTACHMENT_LIMITS.maxFiles} file(s) beyond the ${ATTACHMENT_LIMITS.maxFiles}-file limit`);
  try {
    for (let i = 0; i < Math.min(count, ATTACHMENT_LIMITS.maxFiles); i++) {
      const url = first(params, `MediaUrl${i}`);
      if (!url) continue;
      const stored = await storeInboundMedia(store, adapter, { url, declaredType: first(params, `MediaContentType${i}`) ?? '' }, {
        channelId,
        name: (contentType) => `media-${i + 1}.${attachmentExtension(contentType)}`,
        storedBytes: files.reduce((n, f) => n + f.size, 0),
      });
      if ('file' in stored) files.push(stored.file);
      else refused.push(stored.refused);
    }
  } catch (err) {
    for (const f of files) await store.discard(f.id);
    throw err;
  }
  return { files, refused };
}

/**
 * POST /webhooks/twilio/sms and /webhooks/twilio/status. Every request is checked
 * against the configured channel's auth token (403 otherwise) before anything is read
 * into the domain; an inbound message is acknowledged only after it committed.
 */
export function twilioWebhookRoutes(options: TwilioWebhookOptions): Record<string, Partial<Record<string, Handler>>> {
  const { domain, log } = options;
  return {
    [TWILIO_WEBHOOK_PATHS.sms]: {
      POST: async (req, res) => {
        const { params, signers } = await readSignedForm(domain, req, options.bodyLimitBytes);
        // The channel the form names must be one whose token signed it.
        const named = await domain.providers.findTwilioChannel(first(params, 'To'), first(params, 'MessagingServiceSid'));
        const found = signers.get(named?.channel.id ?? '');
        if (!found) throw forbidden();
        const { channel, config } = found;
        if (first(params, 'AccountSid') !== config.twilio.accountSid) throw forbidden();
        const messageSid = first(params, 'MessageSid');
        const from = first(params, 'From');
        if (!messageSid || !from) throw new HttpError(400, 'invalid', 'MessageSid and From are required.');
        const store = options.attachments;
        let media: { files: Attachment[]; refused: string[] } = { files: [], refused: [] };
        if (store) {
          try {
            media = await storeMmsMedia(store, channel.id, domain.channels.adapterFor(channel.id, config), params);
          } catch (err) {
            log(`twilio inbound ${messageSid} on ${channel.id}: media not downloaded (Twilio will retry): ${err instanceof Error ? err.message : String(err)}`);
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('media not downloaded; retry');
            return;
          }
        }
        const text = inboundBody(params, !store);
        // HELP is answered in the transaction that stores the message: a 200 means the answer will go out too.
        const automaticReply = HELP_WORDS.has(smsKeyword(text)) ? (config.twilio.helpText ?? DEFAULT_HELP_TEXT) : null;
        try {
          // Commits before we answer: a 200 tells Twilio the message is safely stored.
          await receiveInboundWithMedia(domain, store, {
            channelId: channel.id,
            from,
            body: withRefusedNote(text, media.refused),
            providerId: messageSid,
            attachments: media.files,
            automaticReply,
          });
        } catch (err) {
          log(`twilio inbound ${messageSid} on ${channel.id} not stored (Twilio will retry): ${err instanceof Error ? err.message : String(err)}`);
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('not stored; retry');
          return;
        }
        twiml(res);
      },
    },
    [TWILIO_WEBHOOK_PATHS.status]: {
      POST: async (req, res, target) => {
        const { params, signers } = await readSignedForm(domain, req, options.bodyLimitBytes);
        const query = target.url.searchParams;
        const found = signers.get(query.get('channel') ?? '');
        if (!found) throw forbidden();
        const { config } = found;
        const messageSid = first(params, 'MessageSid');
        const providerStatus = first(params, 'MessageStatus');
        if (!messageSid || !providerStatus) throw new HttpError(400, 'invalid', 'MessageSid and MessageStatus are required.');
        const adapter = domain.channels.adapterFor(found.channel.id, config);
        const update = adapter?.statusUpdate(providerStatus, first(params, 'ErrorCode')) ?? null;
        if (update) await domain.applyProviderStatus(found.channel.id, query.get('message'), messageSid, update.status, update.reason);
        twiml(res);
      },
    },
  };
}
