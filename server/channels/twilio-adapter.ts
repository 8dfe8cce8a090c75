import type { ChannelAdapter, ChannelAdapterHooks, StatusUpdate, TwilioConfig } from './channel-adapter.ts';
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

  async function post(form: URLSearchParams): Promise<{ sid: string }> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: options.signal,
    });
    const json = (await response.json().catch(() => null)) as { sid?: unknown; code?: unknown; message?: unknown } | null;
    if (!response.ok || typeof json?.sid !== 'string') {
      const code = json && (typeof json.code === 'number' || typeof json.code === 'string') ? String(json.code) : String(response.status);
      throw new TwilioRefusal(code, typeof json?.message === 'string' ? json.message.slice(0, 200) : `HTTP ${response.status}`);
    }
    return { sid: json.sid };
  }

  function baseForm(from: string, to: string, body: string): URLSearchParams {
    const form = new URLSearchParams({ To: to, Body: body });
    if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
    else form.set('From', from);
    return form;
  }

  return {
    provider: 'twilio',
    send({ message, channel, to }) {
      const form = baseForm(channel.address, to, message.body);
      const query = new URLSearchParams({ channel: channelId, message: message.id }).toString();
      form.set('StatusCallback', `${config.publicUrl.replace(/\/+$/, '')}${TWILIO_WEBHOOK_PATHS.status}?${query}`);
      // MMS: Twilio fetches each file from a signed, expiring link on this server.
      if (options.mediaUrl) for (const a of message.attachments) form.append('MediaUrl', options.mediaUrl(config.publicUrl, a.id));
      post(form).then(
        ({ sid }) => {
          hooks.setProviderId(message.id, sid);
        },
        (err: unknown) => {
          if (options.signal.aborted) return;
          const reason = err instanceof TwilioRefusal ? `Twilio refused the message (${err.code}): ${err.message}` : 'Twilio could not be reached';
          hooks.log(`twilio send of ${message.id} on ${channelId} failed: ${err instanceof TwilioRefusal ? err.code : String(err)}`);
          try {
            hooks.setStatus(message.id, 'failed', reason);
          } catch (again) {
            hooks.log(`twilio status of ${message.id} not recorded: ${String(again)}`);
          }
        },
      );
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

class TwilioRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
