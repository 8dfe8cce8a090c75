import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/support/product.ts';
import { SAM, postInbound, signIn, syncTestRig } from '../server/support/sync-client.ts';
import { adminArgsFor } from './support/test-server.ts';

const run = promisify(execFile);
const DAY = 24 * 60 * 60 * 1000;

const { server, client } = syncTestRig();

describe('server housekeeping', () => {
  it('passes on what an admin command in another process committed, without any change of its own', async () => {
    const t = await server({ foreignCommitPollMs: 50 });
    const sam = await client(t);
    await sam.sync(await signIn(t.server.url, SAM));
    const from = sam.frames.length;

    const file = join(t.dataDir, 'templates.json');
    writeFileSync(file, JSON.stringify([{ name: 'back_in_stock', language: 'en_US', body: 'Hi {{1}}, it is back in stock.' }]));
    // The real admin command, in its own process, writing to the running server's database.
    const cli = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/cli.ts', 'channel:whatsapp-templates', '--channel', 'ch_sales_wa', '--file', file, ...(await adminArgsFor(t.dataDir))], { cwd: ROOT });
    expect(cli.stdout).toContain('ch_sales_wa now has 1 approved template(s): back_in_stock (en_US).');

    const entry = await sam.until(
      () => sam.entries(from).find((e) => e.op === 'put' && e.entity === 'channel' && e.record.id === 'ch_sales_wa'),
      'the channel change made by the other process',
    );
    expect(entry.op === 'put' && entry.entity === 'channel' && entry.record.whatsappTemplates?.map((x) => x.name)).toEqual(['back_in_stock']);
  });

  it('with a bounded change log, a client away for longer starts over from a snapshot and then gets live changes', async () => {
    let now = Date.now();
    const t = await server({ clock: () => now, logRetention: { changeLogKeepMs: 30 * DAY } });
    const token = await signIn(t.server.url, SAM);
    const first = await client(t);
    const welcome = await first.sync(token, { clientId: 'sam-away' });
    const cursor = first.lastCursor();
    first.close();

    await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065554009', body: 'while Sam was away' });
    now += DAY;
    await t.restart(); // retention runs at start: it notes the head, now past Sam's cursor
    expect(t.logs.filter((l) => l.startsWith('log retention'))).toEqual([]);
    now += 30 * DAY;
    await t.restart(); // and 30 days later the log up to that head goes
    expect(t.logs).toContainEqual(expect.stringMatching(/^log retention: change log compacted through #\d+/));

    // His session idled out too (30 days); he signs in again, and the client brings its old cursor.
    const back = await client(t);
    const hello = await back.sync(await signIn(t.server.url, SAM), { clientId: 'sam-away', cursor, scopes: welcome.scopes });
    expect(back.frames.some((f) => f.type === 'snapshot' && f.reset && f.scope === 'inbox:inbox_sales')).toBe(true);
    expect(back.lastCursor()).toBe(hello.head);
    expect(back.closed).toBeNull();
    const from = back.frames.length;
    await postInbound(t.server.url, { channelId: 'ch_sales_sms', from: '+12065554009', body: 'and now that he is back' });
    await back.until(() => back.entries(from).some((e) => e.op === 'put' && e.entity === 'message' && e.record.body === 'and now that he is back'), 'the live change');
  });
});
