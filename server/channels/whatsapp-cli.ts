import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATABASE_FILE } from '../app.ts';
import { Domain, type WhatsAppConfigInput } from '../domain/domain.ts';
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.ts';
import { WHATSAPP_WEBHOOK_PATH } from './whatsapp-adapter.ts';

/** Stores a channel's WhatsApp Cloud API configuration in the server database at `dataDir` (a running server picks it up). */
export function configureWhatsAppChannel(dataDir: string, channelId: string, config: WhatsAppConfigInput): void {
  const storage = openSqliteStorage({ file: join(dataDir, DATABASE_FILE) });
  const domain = new Domain({ storage });
  try {
    domain.configureWhatsAppChannel(channelId, config);
  } finally {
    domain.close();
    storage.close();
  }
}

/**
 * `npm run server -- channel:whatsapp --channel ch_x --phone-number-id 1234… --access-token … --app-secret …
 *  --verify-token … [--graph-base-url …] [--public-url https://…] [--data-dir DIR]`.
 * Secrets may come from WHATSAPP_ACCESS_TOKEN / WHATSAPP_APP_SECRET / WHATSAPP_VERIFY_TOKEN instead.
 */
export function runWhatsAppCli(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      channel: { type: 'string' },
      'phone-number-id': { type: 'string' },
      'access-token': { type: 'string' },
      'app-secret': { type: 'string' },
      'verify-token': { type: 'string' },
      'graph-base-url': { type: 'string' },
      'public-url': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const accessToken = values['access-token'] ?? process.env.WHATSAPP_ACCESS_TOKEN;
  const appSecret = values['app-secret'] ?? process.env.WHATSAPP_APP_SECRET;
  const verifyToken = values['verify-token'] ?? process.env.WHATSAPP_VERIFY_TOKEN;
  if (!values.channel || !values['phone-number-id'] || !accessToken || !appSecret || !verifyToken) {
    console.error(
      'usage: channel:whatsapp --channel ch_x --phone-number-id 1234… --access-token … --app-secret … --verify-token … (or WHATSAPP_ACCESS_TOKEN / WHATSAPP_APP_SECRET / WHATSAPP_VERIFY_TOKEN) [--graph-base-url …] [--public-url https://…] [--data-dir DIR]',
    );
    return 2;
  }
  const dataDir = values['data-dir'] ?? process.env.SWITCHBOARD_DATA_DIR ?? '.data/server';
  try {
    configureWhatsAppChannel(dataDir, values.channel, {
      phoneNumberId: values['phone-number-id'],
      accessToken,
      appSecret,
      verifyToken,
      graphBaseUrl: values['graph-base-url'],
    });
  } catch (err) {
    // Never echo the configuration back: it holds the access token and app secret.
    console.error(`could not configure ${values.channel}: ${err instanceof Error ? err.message.split('\n')[0] : 'invalid configuration'}`);
    return 1;
  }
  const base = (values['public-url'] ?? 'https://<your public server address>').replace(/\/+$/, '');
  console.log(
    `configured WhatsApp for ${values.channel}.\nIn Meta's app dashboard (WhatsApp → Configuration → Webhook) set the callback URL to ${base}${WHATSAPP_WEBHOOK_PATH}, enter the verify token you chose, and subscribe to the "messages" field.`,
  );
  return 0;
}
