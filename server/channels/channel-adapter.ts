import { z } from 'zod';
import type { DeliveryStatus, EntityOf } from '../../protocol/domain.ts';
import type { OutboundSender } from '../domain/delivery.ts';
import type { SendOutcome } from '../domain/send-retry.ts';
import type { ProviderConfigRow } from '../storage/storage.ts';
import { createTwilioAdapter, type TwilioMediaRef } from './twilio-adapter.ts';
import { createWhatsAppAdapter, type WhatsAppMediaRef } from './whatsapp-adapter.ts';

/**
 * Channel adapters (issue 4): one per provider. The registry picks the adapter
 * of a message's channel from the server-side provider configuration; a channel
 * without one keeps the demo delivery (the fallback). Inbound messages are parsed
 * and verified by the webhook modules (server/http/) and stored through
 * domain.receiveInbound; their media files come through the adapter (fetchMedia).
 *
 * Provider configuration holds secrets: it lives only in the
 * channel_provider_config table, never in the change log or the sync stream,
 * and is never logged.
 */

export const TwilioConfig = z.object({
  accountSid: z.string().regex(/^AC[0-9a-zA-Z]{1,64}$/, 'an account sid starts with AC'),
  authToken: z.string().min(1).max(256),
  messagingServiceSid: z.string().regex(/^MG[0-9a-zA-Z]{1,64}$/).nullable().default(null),
  /** Messages REST API base; https://api.twilio.com in production, a simulator in tests. */
  apiBaseUrl: z.url().default('https://api.twilio.com'),
  /** The public base address Twilio calls (behind a proxy: the proxy's), used to rebuild signed URLs. */
  publicUrl: z.url(),
  /** Automatic reply to HELP / INFO; null = the default text. */
  helpText: z.string().max(1600).nullable().default(null),
});
export type TwilioConfig = z.infer<typeof TwilioConfig>;

export const WhatsAppConfig = z.object({
  /** The Cloud API phone number id (not the E.164 number); webhooks name it in metadata.phone_number_id. */
  phoneNumberId: z.string().regex(/^[0-9]{1,32}$/, 'a phone number id is digits'),
  accessToken: z.string().min(1).max(1024),
  /** Signs webhooks (X-Hub-Signature-256). */
  appSecret: z.string().min(1).max(256),
  /** Echoed back in the GET verification handshake. */
  verifyToken: z.string().min(1).max(256),
  /** Graph API base; https://graph.facebook.com in production, a simulator in tests. */
  graphBaseUrl: z.url().default('https://graph.facebook.com'),
});
export type WhatsAppConfig = z.infer<typeof WhatsAppConfig>;

export type TwilioProviderConfig = { provider: 'twilio'; twilio: TwilioConfig };
export type WhatsAppProviderConfig = { provider: 'whatsapp'; whatsapp: WhatsAppConfig };
export type ProviderConfig = TwilioProviderConfig | WhatsAppProviderConfig;

export const DEFAULT_HELP_TEXT = 'You are texting a shared team inbox. Reply STOP to opt out, START to opt back in.';

/** Parses a stored row; a row this server cannot read counts as "no provider" (and is reported). */
export function parseProviderConfig(row: ProviderConfigRow | null): ProviderConfig | null {
  if (row?.provider === 'whatsapp') {
    const parsed = WhatsAppConfig.safeParse(JSON.parse(row.config));
    return parsed.success ? { provider: 'whatsapp', whatsapp: parsed.data } : null;
  }
  if (!row || row.provider !== 'twilio') return null;
  const parsed = TwilioConfig.safeParse(JSON.parse(row.config));
  return parsed.success ? { provider: 'twilio', twilio: parsed.data } : null;
}

/** What the adapter needs to send one committed outbound message. */
export interface OutboundTarget {
  message: EntityOf<'message'>;
  channel: EntityOf<'channel'>;
  /** Customer address (E.164). */
  to: string;
}

/** A stored attachment's file, for adapters that upload the bytes themselves (WhatsApp media). */
export interface AttachmentFile {
  name: string;
  contentType: string;
  size: number;
  /** The bytes, from the blob store (local directory or S3); null when they are gone. */
  read(): Promise<Buffer | null>;
}

/** What an adapter may tell the server besides its answers (provider calls are logged without secrets). */
export interface ChannelAdapterHooks {
  log(line: string): void;
}

/** A provider status update mapped onto the message's status; null = no change. */
export type StatusUpdate = { status: DeliveryStatus; reason: string | null } | null;

/** An inbound media file as its provider serves it, before any byte is kept. */
export interface FetchedMedia {
  /** The content type the provider states ('' = none). */
  contentType: string;
  /** The size the provider states before the download; null = not stated. */
  size: number | null;
  /**
   * The bytes, requested on the first read: a file refused on its stated type or size is never
   * downloaded, and ending the read early cancels the download. Fails with MediaUnavailable.
   */
  body: AsyncIterable<Uint8Array>;
}

/**
 * `MediaRef` is how the provider's webhook names an inbound media file (TwilioMediaRef,
 * WhatsAppMediaRef); `never` = an adapter whose provider the caller does not know, which
 * therefore cannot be asked for media.
 */
export interface ChannelAdapter<MediaRef = never> {
  readonly provider: string;
  /**
   * Hands a committed outbound message to the provider and resolves with its answer, classified
   * (send-retry.ts); never throws. `signal` ends the call (timeout, shutdown).
   */
  send(target: OutboundTarget, signal: AbortSignal): Promise<SendOutcome>;
  /** Maps a provider status callback onto a delivery status. */
  statusUpdate(providerStatus: string, errorCode: string | null): StatusUpdate;
  /** An inbound media file (MMS, WhatsApp media); throws MediaUnavailable when the provider cannot serve it. */
  fetchMedia(ref: MediaRef): Promise<FetchedMedia>;
}

export interface ChannelRegistryOptions {
  /** Delivery for channels without provider configuration (the demo adapter). */
  fallback: OutboundSender;
  /** The channel, customer address and provider configuration of an outbound message. */
  resolve(message: EntityOf<'message'>): Promise<{ channel: EntityOf<'channel'>; to: string; config: ProviderConfig | null } | null>;
  hooks: ChannelAdapterHooks;
}

/** Chooses the adapter per channel; an OutboundSender itself, so the send worker makes one call. */
export class ChannelRegistry implements OutboundSender {
  private readonly abort = new AbortController();
  /** Signed public URL of an attachment under a channel's public base address (set by the server; null = MMS media not sent). */
  mediaUrl: ((publicUrl: string, attachmentId: string) => string) | null = null;
  /** A stored attachment's file (set by the server; null = WhatsApp media cannot be sent). */
  attachmentFile: ((attachmentId: string) => Promise<AttachmentFile | null>) | null = null;

  constructor(private readonly options: ChannelRegistryOptions) {}

  /** The adapter of a configured channel; null = the fallback delivery applies. */
  adapterFor(channelId: string, config: TwilioProviderConfig): ChannelAdapter<TwilioMediaRef>;
  adapterFor(channelId: string, config: WhatsAppProviderConfig): ChannelAdapter<WhatsAppMediaRef>;
  adapterFor(channelId: string, config: ProviderConfig | null): ChannelAdapter | null;
  adapterFor(channelId: string, config: ProviderConfig | null): ChannelAdapter<TwilioMediaRef> | ChannelAdapter<WhatsAppMediaRef> | null {
    if (!config) return null;
    if (config.provider === 'whatsapp') {
      return createWhatsAppAdapter({ channelId, config: config.whatsapp, hooks: this.options.hooks, signal: this.abort.signal, attachmentFile: this.attachmentFile });
    }
    return createTwilioAdapter({ channelId, config: config.twilio, hooks: this.options.hooks, signal: this.abort.signal, mediaUrl: this.mediaUrl });
  }

  async send(message: EntityOf<'message'>, signal: AbortSignal): Promise<SendOutcome> {
    const target = await this.options.resolve(message);
    const adapter = target ? this.adapterFor(target.channel.id, target.config) : null;
    if (!target || !adapter) return this.options.fallback.send(message, signal);
    return adapter.send({ message, channel: target.channel, to: target.to }, AbortSignal.any([signal, this.abort.signal]));
  }

  close(): void {
    this.abort.abort();
    this.options.fallback.close();
  }
}
