import { describe, expect, it } from 'vitest';
import { isListed, NO_MESSAGES_KEY } from '../../protocol/conversation-views.ts';
import type { EntityOf, EntityRecord } from '../../protocol/domain.ts';
import { FIRST_LIST_QUERY, HISTORY_PATHS, OPEN_FIRST_CONVERSATIONS, phasesOfWindow, SNAPSHOT_PHASES, type SyncWindow } from '../../protocol/history.ts';
import type { ServerFrame } from '../../protocol/sync.ts';
import { MAYA, SAM, signIn, syncTestRig, type SyncClient, type TestServer } from '../server/support/sync-client.ts';

/**
 * The `openFirst` phase (issue 13): a client asking for `firstPage` gets the first page of the list it shows first
 * before the other open conversations, none of them twice; a client that does not ask gets the phases as before.
 */
const { server, client } = syncTestRig({ expectNoFailures: true });

type Snapshot = Extract<ServerFrame, { type: 'snapshot' }>;
const snapshots = (c: SyncClient): Snapshot[] => c.frames.filter((f): f is Snapshot => f.type === 'snapshot');
const ofKind = <K extends EntityRecord['entity']>(records: EntityRecord[], kind: K) => records.filter((r) => r.entity === kind).map((r) => r.record as EntityOf<K>);
const WINDOW: SyncWindow = { messagesPerConversation: 3, closedDays: 5 };

/** The default list's first page by the view rules, from a full sync's records (the person's own archive marks applied). */
function expectedFirstPage(all: EntityRecord[], me: string): string[] {
  const archived = new Set(ofKind(all, 'conversationUserState').filter((s) => s.userId === me && s.archived).map((s) => s.conversationId));
  const key = (c: EntityOf<'conversation'>) => c.lastMessageAt ?? NO_MESSAGES_KEY;
  return ofKind(all, 'conversation')
    .filter((c) => c.status === 'open' && isListed(c) && !archived.has(c.id))
    .sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1))
    .slice(0, OPEN_FIRST_CONVERSATIONS)
    .map((c) => c.id);
}

async function firstPageFromApi(t: TestServer, token: string): Promise<string[]> {
  const res = await fetch(new URL(HISTORY_PATHS.conversations, t.server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: FIRST_LIST_QUERY, after: null, limit: OPEN_FIRST_CONVERSATIONS }),
  });
  const answer = (await res.json()) as { records: EntityRecord[] };
  return ofKind(answer.records, 'conversation').map((c) => c.id);
}

/** Archives one conversation and reads another as the token's person. */
async function archiveAndRead(t: TestServer, token: string, archived: string, read: string): Promise<void> {
  const c = await client(t);
  await c.sync(token, { clientId: 'archiver' });
  c.send({
    type: 'mutate',
    mutations: [
      { id: 1, mutation: { name: 'conversation.setArchived', args: { conversationId: archived, archived: true } } },
      { id: 2, mutation: { name: 'conversation.markRead', args: { conversationId: read, readAt: Date.now() } } },
    ],
  });
  await c.waitFor('mutationResult', (f) => f.id === 2);
  c.close();
}

describe('the openFirst phase of a windowed first sync (issue 13)', () => {
  it('holds exactly the first page of the default list, before the other open conversations, and sends no conversation twice', async () => {
    const t = await server({ demoSize: 160, sync: { maxBatch: 40 } });
    for (const who of [MAYA, SAM]) {
      const token = await signIn(t.server.url, who);
      const full = await client(t);
      await full.sync(token, { clientId: `full-${who.id}` });
      const all = snapshots(full).flatMap((f) => f.records);
      if (who === MAYA) {
        // One of the page's conversations archived by the person leaves the page (the list does not show it).
        const [archived, read] = expectedFirstPage(all, who.id);
        await archiveAndRead(t, token, archived!, read!);
        const again = await client(t);
        await again.sync(token, { clientId: `full-again-${who.id}` });
        all.splice(0, all.length, ...snapshots(again).flatMap((f) => f.records));
      }
      const expected = expectedFirstPage(all, who.id);
      // Maya sees more open conversations than a page; Sam fewer (the page is then all of them).
      if (who === MAYA) expect(expected.length).toBe(OPEN_FIRST_CONVERSATIONS);
      else expect(expected.length).toBeGreaterThan(0);

      const windowed = await client(t);
      const welcome = await windowed.sync(token, { clientId: `windowed-${who.id}`, window: { ...WINDOW, firstPage: true } });
      expect(windowed.invalid).toEqual([]);
      const snaps = snapshots(windowed);
      const first = snaps.filter((f) => f.phase === 'openFirst');
      const firstConversations = ofKind(first.flatMap((f) => f.records), 'conversation');
      // The page, as the history API answers it too; it comes inbox by inbox, each inbox's rows in list order.
      expect(firstConversations.map((c) => c.id).sort()).toEqual([...expected].sort());
      expect(await firstPageFromApi(t, token)).toEqual(expected);
      for (const inbox of new Set(first.map((f) => f.scope))) {
        const got = ofKind(first.filter((f) => f.scope === inbox).flatMap((f) => f.records), 'conversation').map((c) => c.id);
        expect(got).toEqual(expected.filter((id) => got.includes(id)));
      }
      // Each with its latest messages.
      const messages = ofKind(all, 'message');
      const sentMessages = ofKind(first.flatMap((f) => f.records), 'message');
      for (const id of expected) {
        const latest = messages.filter((m) => m.conversationId === id).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, WINDOW.messagesPerConversation);
        expect(sentMessages.filter((m) => m.conversationId === id).map((m) => m.id).sort()).toEqual(latest.map((m) => m.id).sort());
      }
      // No conversation twice, and the window holds the same conversations as one without openFirst.
      const ids = ofKind(snaps.flatMap((f) => f.records), 'conversation').map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      const old = await client(t);
      await old.sync(token, { clientId: `old-${who.id}`, window: WINDOW });
      expect(ids.sort()).toEqual(ofKind(snapshots(old).flatMap((f) => f.records), 'conversation').map((c) => c.id).sort());
      // One's read states: the first page's in the sidebar (before it), the rest later; the same ones, none twice.
      const states = (phase?: string) => ofKind(snaps.filter((f) => phase === undefined || f.phase === phase).flatMap((f) => f.records), 'conversationUserState');
      expect(states('sidebar').every((st) => expected.includes(st.conversationId))).toBe(true);
      if (who === MAYA) expect(states('sidebar').length).toBeGreaterThan(0);
      const stateIds = states().map((st) => st.id);
      expect(new Set(stateIds).size).toBe(stateIds.length);
      const oldStates = ofKind(snapshots(old).flatMap((f) => f.records), 'conversationUserState').map((st) => st.id);
      expect(stateIds.sort()).toEqual(oldStates.sort());
            // Phases in order, each closed by its phaseDone after its last chunk; windowDone last.
      const marks = windowed.frames.flatMap((f, i) => (f.type === 'phaseDone' ? [{ phase: f.phase, i }] : []));
      expect(marks.map((m) => m.phase)).toEqual(SNAPSHOT_PHASES);
      for (const { phase, i } of marks) {
        const chunks = windowed.frames.flatMap((f, j) => (f.type === 'snapshot' && f.phase === phase ? [j] : []));
        expect(chunks.every((j) => j < i)).toBe(true);
        const later = windowed.frames.flatMap((f, j) => (f.type === 'snapshot' && SNAPSHOT_PHASES.indexOf(f.phase!) > SNAPSHOT_PHASES.indexOf(phase) ? [j] : []));
        expect(later.every((j) => j > i)).toBe(true);
      }
      expect(windowed.frames.findIndex((f) => f.type === 'windowDone')).toBeGreaterThan(marks.at(-1)!.i);
      // Every scope is still reset first and done last.
      for (const scope of welcome.scopes) {
        const chunks = snaps.filter((f) => f.scope === scope);
        expect(chunks.map((c) => c.reset)).toEqual([true, ...chunks.slice(1).map(() => false)]);
        expect(chunks.map((c) => c.done)).toEqual([...chunks.slice(0, -1).map(() => false), true]);
      }
    }
  });

  it('a client that does not ask for firstPage gets the phases without openFirst and no phaseDone', async () => {
    const t = await server({ sync: { maxBatch: 40 } });
    const token = await signIn(t.server.url, MAYA);
    const old = await client(t);
    await old.sync(token, { clientId: 'old', window: WINDOW });
    expect(old.invalid).toEqual([]);
    const phases = snapshots(old).map((f) => f.phase);
    expect(phases).not.toContain('openFirst');
    expect(new Set(phases)).toEqual(new Set(phasesOfWindow(WINDOW)));
    expect(old.frames.some((f) => f.type === 'phaseDone')).toBe(false);
    expect(old.frames.some((f) => f.type === 'windowDone')).toBe(true);
  });

  it('a reply confirmed while the window streams is answered then, before the window ends; without firstPage after it', async () => {
    const t = await server({ sync: { maxBatch: 10 } });
    const token = await signIn(t.server.url, MAYA);
    const full = await client(t);
    await full.sync(token, { clientId: 'full' });
    const open = ofKind(snapshots(full).flatMap((f) => f.records), 'conversation').filter((c) => c.status === 'open' && isListed(c));
    for (const [n, window] of [[0, { ...WINDOW, firstPage: true }], [1, WINDOW]] as const) {
      const c = await client(t);
      // The mutation goes right after hello: it is applied while the window's first pages are read.
      c.hello(token, { clientId: `replier-${n}`, window });
      c.send({ type: 'mutate', mutations: [{ id: 1, mutation: { name: 'conversation.markRead', args: { conversationId: open[n]!.id, readAt: Date.now() } } }] });
      await c.waitFor('changes', (f) => f.caughtUp);
      const result = c.frames.findIndex((f) => f.type === 'mutationResult' && f.id === 1);
      const windowDone = c.frames.findIndex((f) => f.type === 'windowDone');
      expect(result).toBeGreaterThan(-1);
      if (window.firstPage) expect(result).toBeLessThan(windowDone);
      else expect(result).toBeGreaterThan(windowDone);
      expect(c.invalid).toEqual([]);
    }
  });
});
