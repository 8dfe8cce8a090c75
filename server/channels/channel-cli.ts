import { parseArgs } from 'node:util';
import type { EntityOf } from '../../protocol/domain.ts';
import type { ProviderConfig } from './channel-adapter.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs, type AdminTarget } from '../admin/database-args.ts';
import { withServerDomain } from './offline-domain.ts';


/** An identifier shortened for a listing (account sids are not secret, but need not be printed whole). */
const abbreviated = (value: string): string => (value.length > 10 ? `${value.slice(0, 4)}…${value.slice(-4)}` : value);

/**
 * The provider part of a channel listing: names and public identifiers only. Tokens, app secrets
 * and verify tokens never appear here.
 */
export function describeProvider(config: ProviderConfig | null, storedProvider: string | null): string {
  if (!config) return storedProvider ? `${storedProvider} (configuration unreadable; configure it again)` : 'none (demo delivery)';
  if (config.provider === 'twilio') {
    const via = config.twilio.messagingServiceSid ? `, messaging service ${abbreviated(config.twilio.messagingServiceSid)}` : '';
    return `twilio (account ${abbreviated(config.twilio.accountSid)}${via}, webhooks at ${config.twilio.publicUrl})`;
  }
  return `whatsapp (phone number id ${config.whatsapp.phoneNumberId}, graph ${config.whatsapp.graphBaseUrl})`;
}

/** One line of `channel:list`. */
export function describeChannel(row: { channel: EntityOf<'channel'>; config: ProviderConfig | null; storedProvider: string | null }): string {
  const { channel } = row;
  const fields = [
    channel.id,
    channel.kind,
    JSON.stringify(channel.name),
    channel.address,
    `inbox ${channel.inboxId}`,
    ...(channel.registration ? [`registration ${channel.registration}`] : []),
    ...(channel.kind === 'whatsapp' ? [`templates ${channel.whatsappTemplates?.length ?? 0}`] : []),
    // Web chat replies go to the visitor's widget socket; there is no provider to configure.
    channel.kind === 'webchat' && !row.storedProvider ? 'provider web chat widget' : `provider ${describeProvider(row.config, row.storedProvider)}`,
  ];
  return fields.join('  ');
}

/** The arguments of channel:list / channel:remove-provider, or the usage line. */
/** Deletes a channel's provider configuration in the server database at `dataDir`; false when it had none. */
export function removeChannelProvider(dataDir: string | AdminTarget, channelId: string): Promise<boolean> {
  return withServerDomain(dataDir, (domain) => domain.providers.removeChannelProvider(channelId));
}

export function parseChannelArgs(command: 'list' | 'remove-provider', argv: string[]): ({ channel: string | null } & AdminTarget) | { usage: string } {
  const usage =
    command === 'list' ? `usage: channel:list ${DATABASE_USAGE}` : `usage: channel:remove-provider --channel ch_x ${DATABASE_USAGE}`;
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { channel: { type: 'string' }, ...DATABASE_ARGS, 'redis-url': { type: 'string' } } }));
  } catch (err) {
    return { usage: `${err instanceof Error ? err.message : String(err)}\n${usage}` };
  }
  if (command === 'remove-provider' && !values.channel) return { usage };
  if (command === 'list' && values.channel) return { usage };
  const where = resolveDatabaseArgs(values);
  if (!where.ok) return { usage: `${where.error}\n${usage}` };
  return { channel: values.channel ?? null, ...where.target };
}

/** `npm run server -- channel:list [--data-dir DIR]`: every channel with its provider (no secrets). */
export async function runChannelListCli(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const args = parseChannelArgs('list', argv);
  if ('usage' in args) {
    console.error(args.usage);
    return 2;
  }
  const rows = await withServerDomain(args, (domain) => domain.providers.listChannels());
  if (!rows.length) print('no channels');
  for (const row of rows) print(describeChannel(row));
  return 0;
}

/**
 * `npm run server -- channel:remove-provider --channel ch_x [--data-dir DIR]`: forgets the channel's
 * provider configuration (its secrets included); the channel then uses the demo delivery.
 */
export async function runRemoveProviderCli(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const args = parseChannelArgs('remove-provider', argv);
  if ('usage' in args || !args.channel) {
    console.error('usage' in args ? args.usage : `usage: channel:remove-provider --channel ch_x ${DATABASE_USAGE}`);
    return 2;
  }
  const channel = args.channel;
  try {
    const removed = await removeChannelProvider(args, channel);
    print(
      removed
        ? `removed the provider configuration of ${channel}. Its messages now go through the demo delivery (not sent to any customer) until a provider is configured again.`
        : `${channel} had no provider configuration; nothing changed.`,
    );
    return 0;
  } catch (err) {
    console.error(`could not remove the provider of ${channel}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
}
