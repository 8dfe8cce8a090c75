import type { z } from 'zod';
import type { EntityOf, WhatsAppTemplate } from '../../protocol/domain.ts';
import type { NotPromise, StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { UnknownChannelError } from './inbound.ts';
import { parseProviderConfig, TwilioConfig, WhatsAppConfig, type ProviderConfig } from '../channels/channel-adapter.ts';

export type TwilioConfigInput = z.input<typeof TwilioConfig>;
export type WhatsAppConfigInput = z.input<typeof WhatsAppConfig>;

export interface ChannelProvidersOptions {
  read<T>(fn: (tx: StorageTx) => NotPromise<T>): T;
  /** The domain's write: a channel write that reaches the change log pokes the sync hub. */
  write<T>(fn: (tx: StorageTx) => NotPromise<T>): T;
  clock: () => number;
}

/**
 * Channel provider configuration (issue 4): credentials per channel, kept server-side only (never in the
 * change log or the sync stream), found by the webhooks and written by the admin commands.
 */
export class ChannelProviders {
  constructor(private readonly options: ChannelProvidersOptions) {}

  private read<T>(fn: (tx: StorageTx) => NotPromise<T>): T {
    return this.options.read(fn);
  }

  private write<T>(fn: (tx: StorageTx) => NotPromise<T>): T {
    return this.options.write(fn);
  }

  private clock(): number {
    return this.options.clock();
  }

  /** A channel's provider configuration (secrets included: never log it, never sync it). */
  providerConfig(channelId: string): { channel: EntityOf<'channel'>; config: ProviderConfig } | null {
    return this.read((tx) => {
      const channel = tx.get('channel', channelId);
      const config = channel ? parseProviderConfig(tx.getProviderConfig(channelId)) : null;
      return channel && config ? { channel, config } : null;
    });
  }

  /** The Twilio channel of an inbound webhook: by the `To` number, else by the messaging service. */
  findTwilioChannel(to: string | null, messagingServiceSid: string | null): { channel: EntityOf<'channel'>; config: ProviderConfig } | null {
    const row = this.read(
      (tx) =>
        (to ? tx.findProviderConfig('twilio', { address: to }) : null) ??
        (messagingServiceSid ? tx.findProviderConfig('twilio', { messagingServiceSid }) : null),
    );
    return row ? this.providerConfig(row.channelId) : null;
  }

  /** Stores (replaces) a channel's Twilio configuration; server-side only, no change-log entry. */
  configureTwilioChannel(channelId: string, input: TwilioConfigInput): void {
    const config = TwilioConfig.parse(input);
    this.write((tx) => {
      const channel = tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'sms') throw new Error(`channel ${channelId} is ${channel.kind}; Twilio SMS needs an sms channel`);
      tx.putProviderConfig({
        channelId,
        provider: 'twilio',
        address: channel.address,
        messagingServiceSid: config.messagingServiceSid,
        config: JSON.stringify(config),
        updatedAt: this.clock(),
      });
    });
  }

  /** The WhatsApp channel of a webhook, by the Cloud API phone number id (metadata.phone_number_id). */
  findWhatsAppChannel(phoneNumberId: string): { channel: EntityOf<'channel'>; config: ProviderConfig & { provider: 'whatsapp' } } | null {
    // The generic account-id column (messaging_service_sid) holds the phone number id for WhatsApp rows.
    const row = this.read((tx) => tx.findProviderConfig('whatsapp', { messagingServiceSid: phoneNumberId }));
    const found = row ? this.providerConfig(row.channelId) : null;
    return found?.config.provider === 'whatsapp' ? { channel: found.channel, config: found.config } : null;
  }

  /** Every channel configured for this provider: a webhook checks its signature against them before it reads the body. */
  providerChannels(provider: ProviderConfig['provider']): Array<{ channel: EntityOf<'channel'>; config: ProviderConfig }> {
    return this.read((tx) => tx.listProviderConfigs(provider)).flatMap((row) => this.providerConfig(row.channelId) ?? []);
  }

  /** The verify tokens of every configured WhatsApp channel (the GET handshake names no channel). */
  whatsAppVerifyTokens(): string[] {
    return this.read((tx) => tx.listProviderConfigs('whatsapp'))
      .map((row) => parseProviderConfig(row))
      .flatMap((c) => (c?.provider === 'whatsapp' ? [c.whatsapp.verifyToken] : []));
  }

  /** Stores (replaces) a channel's WhatsApp Cloud API configuration; server-side only, no change-log entry. */
  configureWhatsAppChannel(channelId: string, input: WhatsAppConfigInput): void {
    const config = WhatsAppConfig.parse(input);
    this.write((tx) => {
      const channel = tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'whatsapp') throw new Error(`channel ${channelId} is ${channel.kind}; WhatsApp needs a whatsapp channel`);
      tx.putProviderConfig({
        channelId,
        provider: 'whatsapp',
        address: channel.address,
        messagingServiceSid: config.phoneNumberId,
        config: JSON.stringify(config),
        updatedAt: this.clock(),
      });
    });
  }

  /**
   * Replaces a WhatsApp channel's approved templates (admin command). A channel write through the
   * change log like channel.setRegistration, so every member's client gets the new list.
   */
  setWhatsAppTemplates(channelId: string, templates: WhatsAppTemplate[]): void {
    this.write((tx) => {
      const channel = tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'whatsapp') throw new Error(`channel ${channelId} is ${channel.kind}; templates belong to whatsapp channels`);
      putRecord(tx, scopeOf.channel(channel), 'channel', { ...channel, whatsappTemplates: templates });
    });
  }

  /** Forgets a channel's provider configuration (it falls back to the demo delivery); false = it had none. */
  removeChannelProvider(channelId: string): boolean {
    return this.write((tx) => {
      if (!tx.get('channel', channelId)) throw new UnknownChannelError(channelId);
      if (!tx.getProviderConfig(channelId)) return false;
      tx.deleteProviderConfig(channelId);
      return true;
    });
  }

  /** Every channel with its provider configuration (secrets included: print identifiers only). */
  listChannels(): Array<{ channel: EntityOf<'channel'>; config: ProviderConfig | null; storedProvider: string | null }> {
    return this.read((tx) =>
      tx.listAllChannels().map((channel) => {
        const row = tx.getProviderConfig(channel.id);
        return { channel, config: parseProviderConfig(row), storedProvider: row?.provider ?? null };
      }),
    );
  }
}
