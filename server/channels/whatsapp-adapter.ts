import type { ChannelAdapter, ChannelAdapterHooks, StatusUpdate, WhatsAppConfig } from './channel-adapter.ts';

export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';
export const GRAPH_API_VERSION = 'v21.0';

export interface WhatsAppAdapterOptions {
  channelId: string;
  config: WhatsAppConfig;
  hooks: ChannelAdapterHooks;
  /** Aborted when the server closes. */
  signal: AbortSignal;
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

/** Outbound text through the Cloud API: POST {graphBase}/v21.0/{phoneNumberId}/messages. */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): ChannelAdapter {
  const { config, hooks, channelId } = options;
  const endpoint = `${config.graphBaseUrl.replace(/\/+$/, '')}/${GRAPH_API_VERSION}/${encodeURIComponent(config.phoneNumberId)}/messages`;

  /** `callbackData` (our message id) comes back as biz_opaque_callback_data in status webhooks. */
  async function sendText(to: string, body: string, callbackData?: string, template?: { name: string; language: string } | null): Promise<string> {
    const content = template
      ? { type: 'template', template: { name: template.name, language: { code: template.language } } }
      : { type: 'text', text: { body } };
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to, ...content, ...(callbackData ? { biz_opaque_callback_data: callbackData } : {}) }),
      signal: options.signal,
    });
    const json = (await response.json().catch(() => null)) as {
      messages?: Array<{ id?: unknown }>;
      error?: { code?: unknown; message?: unknown };
    } | null;
    const id = json?.messages?.[0]?.id;
    if (!response.ok || typeof id !== 'string') {
      const code = json?.error && (typeof json.error.code === 'number' || typeof json.error.code === 'string') ? String(json.error.code) : String(response.status);
      throw new WhatsAppRefusal(code, typeof json?.error?.message === 'string' ? json.error.message.slice(0, 200) : `HTTP ${response.status}`);
    }
    return id;
  }

  return {
    provider: 'whatsapp',
    send({ message, to }) {
      sendText(to, message.body, message.id, message.template).then(
        (id) => hooks.setProviderId(message.id, id),
        (err: unknown) => {
          if (options.signal.aborted) return;
          const reason = err instanceof WhatsAppRefusal ? `WhatsApp refused the message (${err.code}): ${err.message}` : 'WhatsApp could not be reached';
          hooks.log(`whatsapp send of ${message.id} on ${channelId} failed: ${err instanceof WhatsAppRefusal ? err.code : String(err)}`);
          try {
            hooks.setStatus(message.id, 'failed', reason);
          } catch (again) {
            hooks.log(`whatsapp status of ${message.id} not recorded: ${String(again)}`);
          }
        },
      );
    },
    async sendAutoReply(_channel, to, body) {
      await sendText(to, body);
    },
    statusUpdate: (providerStatus, errorCode) => whatsAppStatusUpdate(providerStatus, errorCode ? { code: errorCode, title: null } : null),
  };
}
