import { describe, expect, it } from 'vitest';
import { SAM, signIn, syncTestRig } from '../support/sync-client.ts';

const { server, client } = syncTestRig({ expectNoFailures: true });

describe('a client asks for a fresh copy (resync)', () => {
  it('streams the named held scope afresh, every held scope for all, and nothing for one it does not hold', async () => {
    const t = await server();
    const sam = await client(t);
    const welcome = await sam.sync(await signIn(t.server.url, SAM));
    expect(welcome.scopes).toContain('inbox:inbox_sales');

    let from = sam.frames.length;
    sam.send({ type: 'resync', scopes: ['inbox:inbox_sales', 'inbox:inbox_support'], reason: 'could not read an entry' });
    await sam.waitFor('snapshot', (f) => f.scope === 'inbox:inbox_sales' && f.done, from);
    const again = sam.frames.slice(from).filter((f) => f.type === 'snapshot');
    expect(again[0]).toMatchObject({ scope: 'inbox:inbox_sales', reset: true });
    // inbox_support is not Sam's: nothing of it is sent.
    expect(sam.scopesSeen()).not.toContain('inbox:inbox_support');
    expect(t.logs.some((l) => l.includes('asked to resync inbox:inbox_sales inbox:inbox_support: "could not read an entry"'))).toBe(true);

    from = sam.frames.length;
    sam.send({ type: 'resync', scopes: 'all', reason: 'a frame that is not JSON' });
    for (const s of welcome.scopes) await sam.waitFor('snapshot', (f) => f.scope === s && f.done, from);

    from = sam.frames.length;
    sam.send({ type: 'resync', scopes: ['chat:x:0969eb'], reason: 'x' });
    const refused = await sam.waitFor('error', () => true, from);
    expect(refused).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('scopes') });
    expect(sam.invalid).toEqual([]);
  });
});

describe('a hello naming a scope from before the id grammar', () => {
  it('is welcomed; that scope is announced lost so the client drops its data', async () => {
    const t = await server();
    const sam = await client(t);
    const welcome = await sam.sync(await signIn(t.server.url, SAM), { cursor: 1, scopes: ['chat:x:0969eb', 'inbox:inbox_sales'] });
    expect(welcome.scopes).toContain('inbox:inbox_sales');
    // The only frame outside today's schema is that announcement (an older client still reads it).
    expect(sam.invalid).toEqual([{ type: 'scopeLost', scope: 'chat:x:0969eb' }]);
  });
});
