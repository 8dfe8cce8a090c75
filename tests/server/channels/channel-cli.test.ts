import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASE_FILE } from '../../../server/app.ts';
import { parseChannelArgs, runChannelListCli, runRemoveProviderCli } from '../../../server/channels/channel-cli.ts';
import { configureTwilioChannel } from '../../../server/channels/twilio-cli.ts';
import { configureWhatsAppChannel } from '../../../server/channels/whatsapp-cli.ts';
import { seedDemoWorkspace } from '../../../server/domain/demo-seed.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { tempDir } from '../support/fixtures.ts';

const SECRETS = { authToken: 'twilio-secret-token-1234', accessToken: 'EAAGsecretaccess', appSecret: 'app-secret-5678', verifyToken: 'verify-secret-9012' };

describe('channel:list / channel:remove-provider arguments', () => {
  it('parses --channel and --data-dir and refuses what does not belong', () => {
    expect(parseChannelArgs('list', ['--data-dir', '/d'])).toEqual({ channel: null, dataDir: '/d' });
    expect(parseChannelArgs('list', ['--channel', 'ch_x'])).toMatchObject({ usage: 'usage: channel:list [--data-dir DIR] [--database-url postgres://… [--database-schema NAME]]' });
    expect(parseChannelArgs('remove-provider', ['--channel', 'ch_x', '--data-dir', '/d'])).toEqual({ channel: 'ch_x', dataDir: '/d' });
    expect(parseChannelArgs('remove-provider', [])).toMatchObject({ usage: expect.stringContaining('--channel ch_x') });
    expect(parseChannelArgs('remove-provider', ['--channel'])).toMatchObject({ usage: expect.any(String) });
  });
});

describe('channel:list and channel:remove-provider', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    dir = tempDir('switchboard-channel-cli-');
    const storage = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    await storage.transaction(async (tx) => await seedDemoWorkspace(tx, Date.now()));
    await storage.close();
    await configureTwilioChannel(dir.path, 'ch_sales_sms', { accountSid: 'AC0123456789abcdef', authToken: SECRETS.authToken, publicUrl: 'https://inbox.example.com' });
    await configureWhatsAppChannel(dir.path, 'ch_sales_wa', {
      phoneNumberId: '1099887766',
      accessToken: SECRETS.accessToken,
      appSecret: SECRETS.appSecret,
      verifyToken: SECRETS.verifyToken,
    });
  });
  afterAll(async () => dir.remove());

  const list = async (): Promise<string[]> => {
    const lines: string[] = [];
    expect(await runChannelListCli(['--data-dir', dir.path], (l) => lines.push(l))).toBe(0);
    return lines;
  };

  it('lists every channel with its provider and identifiers, never a secret', async () => {
    const lines = await list();
    const line = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? '';
    expect(line('ch_sales_sms')).toContain('provider twilio (account AC01…cdef, webhooks at https://inbox.example.com)');
    expect(line('ch_sales_wa')).toMatch(/whatsapp .*templates 3 .*provider whatsapp \(phone number id 1099887766, graph https:\/\/graph\.facebook\.com\)/);
    expect(line('ch_support_wa')).toContain('provider none (demo delivery)');
    expect(line('ch_sales_web')).toMatch(/webchat .*provider web chat widget$/);
    const all = lines.join('\n');
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
  });

  it('removes a provider configuration, after which the channel lists as demo delivery', async () => {
    const out: string[] = [];
    expect(await runRemoveProviderCli(['--channel', 'ch_sales_wa', '--data-dir', dir.path], (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/^removed the provider configuration of ch_sales_wa/);
    expect((await list()).find((l) => l.startsWith('ch_sales_wa '))).toContain('provider none (demo delivery)');
    expect(await runRemoveProviderCli(['--channel', 'ch_sales_wa', '--data-dir', dir.path], (l) => out.push(l))).toBe(0);
    expect(out[1]).toBe('ch_sales_wa had no provider configuration; nothing changed.');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runRemoveProviderCli(['--channel', 'ch_nope', '--data-dir', dir.path], () => {})).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('channel ch_nope does not exist'));
    } finally {
      error.mockRestore();
    }
  });
});
