import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scope } from '../../../protocol/scope.ts';
import { DATABASE_FILE } from '../../../server/app.ts';
import { parseWhatsAppTemplates, parseWhatsAppTemplatesArgs, runWhatsAppTemplatesCli, templateId } from '../../../server/channels/whatsapp-cli.ts';
import { seedDemoWorkspace } from '../../../server/domain/demo-seed.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { tempDir } from '../support/fixtures.ts';

describe('channel:whatsapp-templates arguments', () => {
  it('needs --channel and --file; --data-dir defaults like the server', () => {
    expect(parseWhatsAppTemplatesArgs(['--channel', 'ch_x', '--file', 't.json', '--data-dir', '/d'])).toEqual({ channel: 'ch_x', file: 't.json', dataDir: '/d' });
    expect(parseWhatsAppTemplatesArgs(['--channel', 'ch_x'])).toMatchObject({ usage: expect.stringContaining('--file templates.json') });
    expect(parseWhatsAppTemplatesArgs(['--file', 't.json'])).toMatchObject({ usage: expect.stringContaining('usage: channel:whatsapp-templates') });
    expect(parseWhatsAppTemplatesArgs(['--channel', 'ch_x', '--file', 't.json', '--bogus'])).toMatchObject({ usage: expect.stringContaining('--bogus') });
  });
});

describe('parseWhatsAppTemplates', () => {
  const follow = { name: 'follow_up', language: 'en_US', body: 'Hi! Reply to continue.' };

  it('reads a list, gives stable ids per channel, keeps explicit ids', () => {
    const ids = (channel: string, file: unknown) => parseWhatsAppTemplates(channel, JSON.stringify(file)).templates.map((x) => x.id);
    const { templates: [a], skipped } = parseWhatsAppTemplates('ch_a', JSON.stringify([follow]));
    expect(a).toEqual({ ...follow, id: templateId('ch_a', 'follow_up', 'en_US') });
    expect(skipped).toEqual([]);
    expect(ids('ch_a', { templates: [follow] })).toEqual([a?.id]);
    expect(ids('ch_b', [follow])).not.toEqual([a?.id]);
    expect(ids('ch_a', [{ ...follow, id: 'tpl_mine' }])).toEqual(['tpl_mine']);
  });

  it("reads Meta's message_templates export, keeping approved templates and their BODY text, skipping what cannot be sent", () => {
    const exported = {
      data: [
        { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: 'Order' }, { type: 'BODY', text: 'Your order {{1}} shipped.' }], id: '123' },
        { name: 'promo', language: 'en_US', status: 'REJECTED', components: [{ type: 'BODY', text: 'Sale!' }] },
        { name: 'catalogue', language: 'en_US', status: 'APPROVED', components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'New in.' }] },
        { name: 'tracking', language: 'en_US', status: 'APPROVED', components: [{ type: 'BODY', text: 'Shipped.' }, { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://example.test/t/{{1}}' }] }] },
        { name: 'welcome', language: 'en_US', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hi {{first_name}}!' }] },
      ],
      paging: { cursors: {} },
    };
    expect(parseWhatsAppTemplates('ch_a', JSON.stringify(exported))).toEqual({
      templates: [{ id: templateId('ch_a', 'order_update', 'en_US'), name: 'order_update', language: 'en_US', body: 'Your order {{1}} shipped.' }],
      skipped: [
        'catalogue (en_US): its header is image, which needs a file at send time; only text headers are supported',
        'tracking (en_US): its buttons component has parameters; only body parameters like {{1}} are supported',
        'welcome (en_US): it has a named parameter {{first_name}}; only numbered ones like {{1}} are supported',
      ],
    });
  });

  it('refuses what cannot be sent or is malformed, saying why', () => {
    expect(() => parseWhatsAppTemplates('ch_a', '{nope')).toThrow('not JSON');
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, name: 'Follow Up' }]))).toThrow(/0\.name: a template name is lowercase/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, language: 'english' }]))).toThrow(/language code/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, lang: 'en' }]))).toThrow(/not a list/);
    expect(parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, body: 'Hi {{1}}, your order {{2}}' }])).templates).toHaveLength(1);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, body: 'Hi {{1}}, your order {{3}}' }]))).toThrow(
      'template follow_up (en_US) cannot be sent: its parameters must be numbered {{1}} to {{2}} with none missing',
    );
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, body: 'Hi {{name}}' }]))).toThrow(/named parameter \{\{name\}\}/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify({ data: [{ name: 'x' }] }))).toThrow(/not a list of/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([follow, follow]))).toThrow(/listed twice/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ ...follow, name: `t${i}` }))))).toThrow(/at most 100/);
  });
});

describe('channel:whatsapp-templates', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    dir = tempDir('switchboard-wa-cli-');
    const storage = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    await storage.transaction(async (tx) => await seedDemoWorkspace(tx, Date.now()));
    await storage.close();
  });
  afterAll(async () => dir.remove());

  it('replaces the channel templates through the change log, so members sync them', async () => {
    const file = join(dir.path, 'templates.json');
    writeFileSync(file, JSON.stringify([{ name: 'back_in_stock', language: 'en_GB', body: 'Good news: it is back in stock.' }]));
    const storage = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    const headBefore = await storage.transaction(async (tx) => await tx.head());
    await storage.close();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa', '--file', file, '--data-dir', dir.path])).toBe(0);
      expect(log).toHaveBeenCalledWith('ch_sales_wa now has 1 approved template(s): back_in_stock (en_GB).');
    } finally {
      log.mockRestore();
    }
    const after = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    try {
      const expected = [{ id: templateId('ch_sales_wa', 'back_in_stock', 'en_GB'), name: 'back_in_stock', language: 'en_GB', body: 'Good news: it is back in stock.' }];
      expect((await after.transaction(async (tx) => await tx.get('channel', 'ch_sales_wa')))?.whatsappTemplates).toEqual(expected);
      const entries = await after.transaction(async (tx) => await tx.readChanges(headBefore, [scope.inbox('inbox_sales')], 10));
      expect(entries).toEqual([expect.objectContaining({ op: 'put', entity: 'channel', scope: 'inbox:inbox_sales', record: expect.objectContaining({ id: 'ch_sales_wa', whatsappTemplates: expected }) })]);
    } finally {
      await after.close();
    }
  });

  it("imports Meta's export, naming on stderr each approved template it skipped", async () => {
    const file = join(dir.path, 'meta.json');
    const body = (text: string) => ({ type: 'BODY', text });
    writeFileSync(
      file,
      JSON.stringify({
        data: [
          { name: 'order_update', language: 'en_US', status: 'APPROVED', components: [body('Hi {{1}}, order {{2}} shipped.')] },
          { name: 'catalogue', language: 'en_US', status: 'APPROVED', components: [{ type: 'HEADER', format: 'VIDEO' }, body('New in.')] },
        ],
      }),
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa', '--file', file, '--data-dir', dir.path])).toBe(0);
      expect(log).toHaveBeenCalledWith('ch_sales_wa now has 1 approved template(s): order_update (en_US).');
      expect(error.mock.calls).toEqual([['skipped catalogue (en_US): its header is video, which needs a file at send time; only text headers are supported']]);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  it('refuses a channel that is not WhatsApp and a bad file without changing anything', async () => {
    const file = join(dir.path, 'sms.json');
    writeFileSync(file, JSON.stringify([{ name: 'x', language: 'en', body: 'x' }]));
    mkdirSync(join(dir.path, 'empty'), { recursive: true });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runWhatsAppTemplatesCli(['--channel', 'ch_sales_sms', '--file', file, '--data-dir', dir.path])).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('templates belong to whatsapp channels'));
      writeFileSync(file, '[{"name": "x"}]');
      expect(await runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa', '--file', file, '--data-dir', dir.path])).toBe(1);
      expect(await runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa'])).toBe(2);
    } finally {
      error.mockRestore();
    }
  });
});
