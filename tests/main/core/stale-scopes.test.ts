import { afterEach, describe, expect, it } from 'vitest';
import { dropUngrammaticalScopes, markStale, staleScopes } from '../../../main/core/cache/stale-scopes.ts';
import type { Scope } from '../../../protocol/scope.ts';
import type { SnapshotFrame } from '../../../protocol/sync.ts';
import { count, harness, inbox, INBOX, ME, seedWorkspace, type Harness } from './fixtures.ts';

let h: Harness;
afterEach(() => h.cleanup());

describe('scopes left stale by an update that could not be read', () => {
  it('stay marked until a complete snapshot of each, or its loss, has been applied', () => {
    h = harness();
    seedWorkspace(h);
    markStale(h.cache, [INBOX, 'chat:c1']);
    markStale(h.cache, [INBOX]);
    expect(staleScopes(h.cache).sort()).toEqual(['chat:c1', INBOX]);

    const first: SnapshotFrame = { type: 'snapshot', scope: INBOX, reset: true, done: false, records: [], cursor: 5 };
    h.applier.apply(first);
    expect(staleScopes(h.cache)).toContain(INBOX);
    h.applier.apply({ ...first, reset: false, done: true, records: [{ entity: 'inbox', record: inbox('inbox_a') }] });
    expect(staleScopes(h.cache)).toEqual(['chat:c1']);
    h.applier.apply({ type: 'scopeLost', scope: 'chat:c1' });
    expect(staleScopes(h.cache)).toEqual([]);
  });

  it('held scopes outside the grammar (cached before it) are dropped with their data when the cache opens', () => {
    h = harness();
    seedWorkspace(h);
    const legacy = 'chat:x:0969eb' as Scope;
    h.cache.db.prepare('INSERT INTO held_scopes (scope) VALUES (?), (?)').run(legacy, INBOX);
    h.cache.db
      .prepare("INSERT INTO chats (id, scope, kind, name, member_ids, last_message_at) VALUES ('x:0969eb', ?, 'team', 'Poisoned', ?, NULL)")
      .run(legacy, JSON.stringify([ME]));
    dropUngrammaticalScopes(h.cache, h.applier);
    expect(h.cache.heldScopes()).toEqual([INBOX]);
    expect(count(h, 'SELECT count(*) FROM chats WHERE scope = ?', legacy)).toBe(0);
    expect(count(h, 'SELECT count(*) FROM inboxes')).toBe(1);
  });
});
