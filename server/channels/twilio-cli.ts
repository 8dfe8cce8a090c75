import { parseArgs } from 'node:util';
import type { TwilioConfigInput } from '../domain/domain.ts';
import { DATABASE_ARGS, DATABASE_USAGE, resolveDatabaseArgs, type AdminTarget } from '../admin/database-args.ts';
import { withServerDomain } from './offline-domain.ts';

/** Stores a channel's Twilio configuration in the server database (a data dir, or a target naming PostgreSQL; running servers pick it up). */
export function configureTwilioChannel(dataDir: string | AdminTarget, channelId: string, config: TwilioConfigInput): Promise<void> {
  return withServerDomain(dataDir, (domain) => domain.providers.configureTwilioChannel(channelId, config));
}

/**
 * `npm run server -- channel:twilio --channel ch_x --account-sid AC… --auth-token … --public-url https://…
 *  [--messaging-service-sid MG…] [--api-base-url …] [--help-text …] [--data-dir DIR] [--database-url postgres://…] [--redis-url …]`.
 * The auth token may come from TWILIO_AUTH_TOKEN instead (keeps it out of shell history).
 */
export async function runTwilioCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      channel: { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      'public-url': { type: 'string' },
      'messaging-service-sid': { type: 'string' },
      'api-base-url': { type: 'string' },
      'help-text': { type: 'string' },
      ...DATABASE_ARGS,
      'redis-url': { type: 'string' },
    },
  });
  const authToken = values['auth-token'] ?? process.env.TWILIO_AUTH_TOKEN;
  if (!values.channel || !values['account-sid'] || !authToken || !values['public-url']) {
    console.error(`usage: channel:twilio --channel ch_x --account-sid AC… --auth-token … (or TWILIO_AUTH_TOKEN) --public-url https://… [--messaging-service-sid MG…] [--api-base-url …] [--help-text …] ${DATABASE_USAGE}`);
    return 2;
  }
  const where = resolveDatabaseArgs(values);
  if (!where.ok) {
    console.error(where.error);
    return 2;
  }
  try {
    await configureTwilioChannel(where.target, values.channel, {
      accountSid: values['account-sid'],
      authToken,
      messagingServiceSid: values['messaging-service-sid'] ?? null,
      apiBaseUrl: values['api-base-url'],
      publicUrl: values['public-url'],
      helpText: values['help-text'] ?? null,
    });
  } catch (err) {
    // Never echo the configuration back: it holds the auth token.
    console.error(`could not configure ${values.channel}: ${err instanceof Error ? err.message.split('\n')[0] : 'invalid configuration'}`);
    return 1;
  }
  const base = values['public-url'].replace(/\/+$/, '');
  console.log(`configured Twilio for ${values.channel}.\nIn the Twilio console set the number's "A message comes in" webhook (HTTP POST) to ${base}/webhooks/twilio/sms`);
  return 0;
}
