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
    const [a] = parseWhatsAppTemplates('ch_a', JSON.stringify([follow]));
    expect(a).toEqual({ ...follow, id: templateId('ch_a', 'follow_up', 'en_US') });
    expect(parseWhatsAppTemplates('ch_a', JSON.stringify({ templates: [follow] }))[0]?.id).toBe(a?.id);
    expect(parseWhatsAppTemplates('ch_b', JSON.stringify([follow]))[0]?.id).not.toBe(a?.id);
    expect(parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, id: 'tpl_mine' }]))[0]?.id).toBe('tpl_mine');
  });

  it("reads Meta's message_templates export, keeping only approved templates and their BODY text", () => {
    const exported = {
      data: [
        { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: 'Order' }, { type: 'BODY', text: 'Your order shipped.' }], id: '123' },
        { name: 'promo', language: 'en_US', status: 'REJECTED', components: [{ type: 'BODY', text: 'Sale!' }] },
      ],
      paging: { cursors: {} },
    };
    expect(parseWhatsAppTemplates('ch_a', JSON.stringify(exported))).toEqual([
      { id: templateId('ch_a', 'order_update', 'en_US'), name: 'order_update', language: 'en_US', body: 'Your order shipped.' },
    ]);
  });

  it('refuses what cannot be sent or is malformed, saying why', () => {
    expect(() => parseWhatsAppTemplates('ch_a', '{nope')).toThrow('not JSON');
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, name: 'Follow Up' }]))).toThrow(/0\.name: a template name is lowercase/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, language: 'english' }]))).toThrow(/language code/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, lang: 'en' }]))).toThrow(/not a list/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([{ ...follow, body: 'Hi {{1}}, your order {{2}}' }]))).toThrow(/has parameters like \{\{1\}\}/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify([follow, follow]))).toThrow(/listed twice/);
    expect(() => parseWhatsAppTemplates('ch_a', JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ ...follow, name: `t${i}` }))))).toThrow(/at most 100/);
  });
});

describe('channel:whatsapp-templates', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('switchboard-wa-cli-');
    const storage = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    storage.transaction((tx) => seedDemoWorkspace(tx, Date.now()));
    storage.close();
  });
  afterAll(() => dir.remove());

  it('replaces the channel templates through the change log, so members sync them', () => {
    const file = join(dir.path, 'templates.json');
    writeFileSync(file, JSON.stringify([{ name: 'back_in_stock', language: 'en_GB', body: 'Good news: it is back in stock.' }]));
    const storage = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    const headBefore = storage.transaction((tx) => tx.head());
    storage.close();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa', '--file', file, '--data-dir', dir.path])).toBe(0);
      expect(log).toHaveBeenCalledWith('ch_sales_wa now has 1 approved template(s): back_in_stock (en_GB).');
    } finally {
      log.mockRestore();
    }
    const after = openSqliteStorage({ file: join(dir.path, DATABASE_FILE) });
    try {
      const expected = [{ id: templateId('ch_sales_wa', 'back_in_stock', 'en_GB'), name: 'back_in_stock', language: 'en_GB', body: 'Good news: it is back in stock.' }];
      expect(after.transaction((tx) => tx.get('channel', 'ch_sales_wa'))?.whatsappTemplates).toEqual(expected);
      const entries = after.transaction((tx) => tx.readChanges(headBefore, [scope.inbox('inbox_sales')], 10));
      expect(entries).toEqual([expect.objectContaining({ op: 'put', entity: 'channel', scope: 'inbox:inbox_sales', record: expect.objectContaining({ id: 'ch_sales_wa', whatsappTemplates: expected }) })]);
    } finally {
      after.close();
    }
  });

  it('refuses a channel that is not WhatsApp and a bad file without changing anything', () => {
    const file = join(dir.path, 'sms.json');
    writeFileSync(file, JSON.stringify([{ name: 'x', language: 'en', body: 'x' }]));
    mkdirSync(join(dir.path, 'empty'), { recursive: true });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(runWhatsAppTemplatesCli(['--channel', 'ch_sales_sms', '--file', file, '--data-dir', dir.path])).toBe(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('templates belong to whatsapp channels'));
      writeFileSync(file, '[{"name": "x"}]');
      expect(runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa', '--file', file, '--data-dir', dir.path])).toBe(1);
      expect(runWhatsAppTemplatesCli(['--channel', 'ch_sales_wa'])).toBe(2);
    } finally {
      error.mockRestore();
    }
  });
});
