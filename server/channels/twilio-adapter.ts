import type { ChannelAdapter, ChannelAdapterHooks, StatusUpdate, TwilioConfig } from './channel-adapter.ts';
import { classifyHttpRefusal, unanswered, type SendOutcome } from '../domain/send-retry.ts';
import { mediaDownload, mediaRequestSignal } from './inbound-media.ts';

export const TWILIO_WEBHOOK_PATHS = { sms: '/webhooks/twilio/sms', status: '/webhooks/twilio/status' } as const;

export interface TwilioAdapterOptions {
  channelId: string;
  config: TwilioConfig;
  hooks: ChannelAdapterHooks;
  /** Aborted when the server closes. */
  signal: AbortSignal;
  /** Signed public URL of an attachment (MediaUrl); null = attachments are not sent. */
  mediaUrl?: ((publicUrl: string, attachmentId: string) => string) | null;
}

/** An MMS file as the inbound webhook names it: MediaUrlN and MediaContentTypeN. */
export interface TwilioMediaRef {
  url: string;
  declaredType: string;
}

/** Twilio MessageStatus → our delivery status (failed/undelivered carry the carrier error). */
export function twilioStatusUpdate(providerStatus: string, errorCode: string | null): StatusUpdate {
  switch (providerStatus) {
    case 'sending':
      return { status: 'sending', reason: null };
    case 'sent':
      return { status: 'sent', reason: null };
    case 'delivered':
    case 'read':
      return { status: 'delivered', reason: null };
    case 'failed':
    case 'undelivered':
      return { status: 'failed', reason: errorCode ? `Carrier error ${errorCode}` : `Carrier reported ${providerStatus}` };
    default:
      // queued, accepted, scheduled, canceled…: nothing the message does not already say.
      return null;
  }
}

/** Outbound through the Messages REST API: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json. */
export function createTwilioAdapter(options: TwilioAdapterOptions): ChannelAdapter<TwilioMediaRef> {
  const { config, hooks, channelId } = options;
  const endpoint = `${config.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;

  /** One POST; Twilio's answer classified (a 2xx with a sid is the only acceptance). */
  async function post(messageId: string, form: URLSearchParams, signal: AbortSignal): Promise<SendOutcome> {
    let response: Response;
    let json: { sid?: unknown; code?: unknown; message?: unknown } | null;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal,
      });
      json = (await response.json().catch(() => null)) as typeof json;
    } catch (err) {
      hooks.log(`twilio send of ${messageId} on ${channelId} got no answer: ${String(err)}`);
      return unanswered('Twilio', err);
    }
    if (response.ok && typeof json?.sid === 'string') return { kind: 'accepted', providerId: json.sid, status: 'sending' };
    const code = json && (typeof json.code === 'number' || typeof json.code === 'string') ? String(json.code) : String(response.status);
    const text = typeof json?.message === 'string' ? json.message.slice(0, 200) : `HTTP ${response.status}`;
    hooks.log(`twilio send of ${messageId} on ${channelId} refused: HTTP ${response.status}, code ${code}`);
    return classifyHttpRefusal(response.status, `Twilio refused the message (${code}): ${text}`, response.headers.get('retry-after'), Date.now());
  }

  function baseForm(from: string, to: string, body: string): URLSearchParams {
    const form = new URLSearchParams({ To: to, Body: body });
    if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
    else form.set('From', from);
    return form;
  }

  return {
    provider: 'twilio',
    send({ message, channel, to }, signal) {
      const form = baseForm(channel.address, to, message.body);
      const query = new URLSearchParams({ channel: channelId, message: message.id }).toString();
      form.set('StatusCallback', `${config.publicUrl.replace(/\/+$/, '')}${TWILIO_WEBHOOK_PATHS.status}?${query}`);
      // MMS: Twilio fetches each file from a signed, expiring link on this server.
      if (options.mediaUrl) for (const a of message.attachments) form.append('MediaUrl', options.mediaUrl(config.publicUrl, a.id));
      return post(message.id, form, signal);
    },
    statusUpdate: twilioStatusUpdate,
    // MMS media are fetched with the same Basic auth as the REST API; Twilio states the type in the webhook.
    fetchMedia: async ({ url, declaredType }) => ({
      contentType: declaredType,
      size: null,
      body: mediaDownload(url, { authorization }, 'Twilio media download', mediaRequestSignal(options.signal)),
    }),
  };
}
