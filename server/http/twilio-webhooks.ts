import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES, formatBytes, normaliseContentType } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { AttachmentStore } from '../domain/attachments.ts';
import { DEFAULT_HELP_TEXT } from '../channels/channel-adapter.ts';
import { TWILIO_WEBHOOK_PATHS } from '../channels/twilio-adapter.ts';
import { publicRequestUrl, validateTwilioSignature, type FormParams } from '../channels/twilio-signature.ts';
import type { Domain } from '../domain/domain.ts';
import { HELP_WORDS, smsKeyword } from '../domain/inbound.ts';
import { HttpError } from './respond.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface TwilioWebhookOptions {
  domain: Domain;
  bodyLimitBytes: number;
  log: (line: string) => void;
  /** Where inbound MMS media are stored as attachments; absent = media are listed by URL. */
  attachments?: AttachmentStore;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

async function readForm(req: IncomingMessage, limit: number): Promise<FormParams> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Twilio webhooks are application/x-www-form-urlencoded.');
  }
  if (Number(req.headers['content-length'] ?? '0') > limit) throw new HttpError(413, 'too_large', `The body is larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'too_large', `The body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return [...new URLSearchParams(Buffer.concat(chunks).toString('utf8')).entries()];
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

class MediaUnavailable extends Error {}

/**
 * MMS: downloads MediaUrlN (Basic auth with the channel's AccountSid / auth token) into the attachment
 * store as uncommitted parts, within protocol/attachments.ts limits (at most 10 files, allowed types,
 * 5 MB in total). Files over the limits are left out and named in `refused`; a download that fails
 * throws MediaUnavailable (answered 500, so Twilio retries).
 */
async function downloadMedia(store: AttachmentStore, params: FormParams, twilio: { accountSid: string; authToken: string }): Promise<{ files: Attachment[]; refused: string[] }> {
  const authorization = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
  const count = Math.max(0, Number(first(params, 'NumMedia') ?? '0') || 0);
  const files: Attachment[] = [];
  const refused: string[] = [];
  if (count > ATTACHMENT_LIMITS.maxFiles) refused.push(`${count - ATTACHMENT_LIMITS.maxFiles} file(s) beyond the ${ATTACHMENT_LIMITS.maxFiles}-file limit`);
  let total = 0;
  try {
    for (let i = 0; i < Math.min(count, ATTACHMENT_LIMITS.maxFiles); i++) {
      const url = first(params, `MediaUrl${i}`);
      if (!url) continue;
      const declared = normaliseContentType(first(params, `MediaContentType${i}`) ?? '');
      const ext = ATTACHMENT_TYPES[declared]?.[0] ?? 'bin';
      const name = `media-${i + 1}.${ext}`;
      if (!(declared in ATTACHMENT_TYPES)) {
        refused.push(`${name}: type ${declared || 'unknown'} is not accepted`);
        continue;
      }
      const response = await fetch(url, { headers: { authorization } }).catch(() => null);
      if (!response?.ok || !response.body) throw new MediaUnavailable(`media ${i} answered ${response?.status ?? 'nothing'}`);
      const id = store.newId();
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (total + size > ATTACHMENT_LIMITS.maxTotalBytes) {
          tooLarge = true;
          break;
        }
        chunks.push(Buffer.from(chunk));
      }
      if (tooLarge || size === 0) {
        refused.push(`${name}: ${tooLarge ? `over the ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)} limit` : 'empty'}`);
        continue;
      }
      total += size;
      writeFileSync(store.partPath(id), Buffer.concat(chunks));
      files.push({ id, name, contentType: declared, size });
    }
  } catch (err) {
    for (const f of files) store.discard(f.id);
    throw err instanceof MediaUnavailable ? err : new MediaUnavailable(String(err));
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
        const params = await readForm(req, options.bodyLimitBytes);
        const found = domain.findTwilioChannel(first(params, 'To'), first(params, 'MessagingServiceSid'));
        // Without a configured channel there is no token to check the signature with.
        if (!found) throw forbidden();
        const { channel, config } = found;
        if (config.provider !== 'twilio') throw forbidden();
        const url = publicRequestUrl(config.twilio.publicUrl, req.url ?? '/');
        const header = req.headers['x-twilio-signature'];
        if (!validateTwilioSignature(config.twilio.authToken, url, params, typeof header === 'string' ? header : null)) throw forbidden();
        if (first(params, 'AccountSid') !== config.twilio.accountSid) throw forbidden();
        const messageSid = first(params, 'MessageSid');
        const from = first(params, 'From');
        if (!messageSid || !from) throw new HttpError(400, 'invalid', 'MessageSid and From are required.');
        const store = options.attachments;
        let media: { files: Attachment[]; refused: string[] } = { files: [], refused: [] };
        if (store) {
          try {
            media = await downloadMedia(store, params, config.twilio);
          } catch (err) {
            log(`twilio inbound ${messageSid} on ${channel.id}: media not downloaded (Twilio will retry): ${err instanceof Error ? err.message : String(err)}`);
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('media not downloaded; retry');
            return;
          }
        }
        const text = inboundBody(params, !store);
        const body = media.refused.length ? [text, `[not stored: ${media.refused.join('; ')}]`].filter(Boolean).join('\n') : text;
        let created: boolean;
        let conversationId: string;
        try {
          // Commits before we answer: a 200 tells Twilio the message is safely stored.
          const result = domain.receiveInbound({ channelId: channel.id, from, body, providerId: messageSid, attachments: media.files });
          created = result.created;
          conversationId = result.conversationId;
          for (const f of media.files) {
            if (created && store) store.commit({ ...f, conversationId: result.conversationId, uploaderId: channel.id, createdAt: Date.now() });
            else store?.discard(f.id);
          }
        } catch (err) {
          if (store) for (const f of media.files) store.discard(f.id);
          log(`twilio inbound ${messageSid} on ${channel.id} not stored (Twilio will retry): ${err instanceof Error ? err.message : String(err)}`);
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('not stored; retry');
          return;
        }
        twiml(res);
        if (created && HELP_WORDS.has(smsKeyword(text))) {
          try {
            domain.sendAutomaticReply(conversationId, config.twilio.helpText ?? DEFAULT_HELP_TEXT);
          } catch (err) {
            log(`twilio help reply on ${channel.id} was not stored: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      },
    },
    [TWILIO_WEBHOOK_PATHS.status]: {
      POST: async (req, res) => {
        const params = await readForm(req, options.bodyLimitBytes);
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const channelId = query.get('channel');
        const found = channelId ? domain.providerConfig(channelId) : null;
        if (!found) throw forbidden();
        const { config } = found;
        if (config.provider !== 'twilio') throw forbidden();
        const header = req.headers['x-twilio-signature'];
        const url = publicRequestUrl(config.twilio.publicUrl, req.url ?? '/');
        if (!validateTwilioSignature(config.twilio.authToken, url, params, typeof header === 'string' ? header : null)) throw forbidden();
        const messageSid = first(params, 'MessageSid');
        const providerStatus = first(params, 'MessageStatus');
        if (!messageSid || !providerStatus) throw new HttpError(400, 'invalid', 'MessageSid and MessageStatus are required.');
        const adapter = domain.channels.adapterFor(found.channel.id, config);
        const update = adapter?.statusUpdate(providerStatus, first(params, 'ErrorCode')) ?? null;
        if (update) domain.applyProviderStatus(found.channel.id, query.get('message'), messageSid, update.status, update.reason);
        twiml(res);
      },
    },
  };
}
