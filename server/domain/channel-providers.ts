import type { z } from 'zod';
import type { EntityOf, WhatsAppTemplate } from '../../protocol/domain.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { UnknownChannelError } from './inbound.ts';
import { parseProviderConfig, TwilioConfig, WhatsAppConfig, type ProviderConfig } from '../channels/channel-adapter.ts';

export type TwilioConfigInput = z.input<typeof TwilioConfig>;
export type WhatsAppConfigInput = z.input<typeof WhatsAppConfig>;

export interface ChannelProvidersOptions {
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /** The domain's write: a channel write that reaches the change log pokes the sync hub. */
  write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  clock: () => number;
}

/**
 * Channel provider configuration (issue 4): credentials per channel, kept server-side only (never in the
 * change log or the sync stream), found by the webhooks and written by the admin commands.
 */
export class ChannelProviders {
  constructor(private readonly options: ChannelProvidersOptions) {}

  private read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.options.read(fn);
  }

  private write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.options.write(fn);
  }

  private clock(): number {
    return this.options.clock();
  }

  /** A channel's provider configuration (secrets included: never log it, never sync it). */
  providerConfig(channelId: string): Promise<{ channel: EntityOf<'channel'>; config: ProviderConfig } | null> {
    return this.read((tx) => configOf(tx, channelId));
  }

  /** The Twilio channel of an inbound webhook: by the `To` number, else by the messaging service. */
  findTwilioChannel(to: string | null, messagingServiceSid: string | null): Promise<{ channel: EntityOf<'channel'>; config: ProviderConfig } | null> {
    return this.read(async (tx) => {
      const row =
        (to ? await tx.findProviderConfig('twilio', { address: to }) : null) ??
        (messagingServiceSid ? await tx.findProviderConfig('twilio', { messagingServiceSid }) : null);
      return row ? configOf(tx, row.channelId) : null;
    });
  }

  /** Stores (replaces) a channel's Twilio configuration; server-side only, no change-log entry. */
  async configureTwilioChannel(channelId: string, input: TwilioConfigInput): Promise<void> {
    const config = TwilioConfig.parse(input);
    await this.write(async (tx) => {
      const channel = await tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'sms') throw new Error(`channel ${channelId} is ${channel.kind}; Twilio SMS needs an sms channel`);
      await tx.putProviderConfig({
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
  async findWhatsAppChannel(phoneNumberId: string): Promise<{ channel: EntityOf<'channel'>; config: ProviderConfig & { provider: 'whatsapp' } } | null> {
    const found = await this.read(async (tx) => {
      // The generic account-id column (messaging_service_sid) holds the phone number id for WhatsApp rows.
      const row = await tx.findProviderConfig('whatsapp', { messagingServiceSid: phoneNumberId });
      return row ? configOf(tx, row.channelId) : null;
    });
    return found?.config.provider === 'whatsapp' ? { channel: found.channel, config: found.config } : null;
  }

  /** Every channel configured for this provider: a webhook checks its signature against them before it reads the body. */
  providerChannels(provider: ProviderConfig['provider']): Promise<Array<{ channel: EntityOf<'channel'>; config: ProviderConfig }>> {
    return this.read(async (tx) => {
      const found: Array<{ channel: EntityOf<'channel'>; config: ProviderConfig }> = [];
      for (const row of await tx.listProviderConfigs(provider)) {
        const one = await configOf(tx, row.channelId);
        if (one) found.push(one);
      }
      return found;
    });
  }

  /** The verify tokens of every configured WhatsApp channel (the GET handshake names no channel). */
  async whatsAppVerifyTokens(): Promise<string[]> {
    return (await this.read((tx) => tx.listProviderConfigs('whatsapp')))
      .map((row) => parseProviderConfig(row))
      .flatMap((c) => (c?.provider === 'whatsapp' ? [c.whatsapp.verifyToken] : []));
  }

  /** Stores (replaces) a channel's WhatsApp Cloud API configuration; server-side only, no change-log entry. */
  async configureWhatsAppChannel(channelId: string, input: WhatsAppConfigInput): Promise<void> {
    const config = WhatsAppConfig.parse(input);
    await this.write(async (tx) => {
      const channel = await tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'whatsapp') throw new Error(`channel ${channelId} is ${channel.kind}; WhatsApp needs a whatsapp channel`);
      await tx.putProviderConfig({
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
  async setWhatsAppTemplates(channelId: string, templates: WhatsAppTemplate[]): Promise<void> {
    await this.write(async (tx) => {
      const channel = await tx.get('channel', channelId);
      if (!channel) throw new UnknownChannelError(channelId);
      if (channel.kind !== 'whatsapp') throw new Error(`channel ${channelId} is ${channel.kind}; templates belong to whatsapp channels`);
      await putRecord(tx, scopeOf.channel(channel), 'channel', { ...channel, whatsappTemplates: templates });
    });
  }

  /** Forgets a channel's provider configuration (it falls back to the demo delivery); false = it had none. */
  removeChannelProvider(channelId: string): Promise<boolean> {
    return this.write(async (tx) => {
      if (!await tx.get('channel', channelId)) throw new UnknownChannelError(channelId);
      if (!await tx.getProviderConfig(channelId)) return false;
      await tx.deleteProviderConfig(channelId);
      return true;
    });
  }

  /** Every channel with its provider configuration (secrets included: print identifiers only). */
  listChannels(): Promise<Array<{ channel: EntityOf<'channel'>; config: ProviderConfig | null; storedProvider: string | null }>> {
    return this.read(async (tx) => {
      const listed = [];
      for (const channel of await tx.listAllChannels()) {
        const row = await tx.getProviderConfig(channel.id);
        listed.push({ channel, config: parseProviderConfig(row), storedProvider: row?.provider ?? null });
      }
      return listed;
    });
  }
}

/** A channel with its parsed provider configuration, read in the caller's transaction. */
async function configOf(tx: StorageTx, channelId: string): Promise<{ channel: EntityOf<'channel'>; config: ProviderConfig } | null> {
  const channel = await tx.get('channel', channelId);
  const config = channel ? parseProviderConfig(await tx.getProviderConfig(channelId)) : null;
  return channel && config ? { channel, config } : null;
}
