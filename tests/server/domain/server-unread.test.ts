import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnread } from '../../../protocol/conversation-views.ts';
import { Rejection } from '../../../server/domain/errors.ts';
import { HistoryService } from '../../../server/domain/history-service.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { USERS, plant, worldArb, type World } from './history-world.ts';

/**
 * Issue 13: the server tells a client with a partial cache whether conversations are unread for the person —
 * the newest inbound message against their own read mark — for their inboxes' conversations only.
 */
function expected(w: World, user: string, ids: readonly string[]): { id: string; lastInboundAt: number | null; unread: boolean }[] {
  const inboxes = new Set(w.members[user] ?? []);
  return [...new Set(ids)]
    .map((id) => w.conversations.find((c) => c.id === id))
    .filter((c) => c !== undefined && inboxes.has(c.inboxId))
    .map((c) => {
      const inbound = w.messages.filter((m) => m.conversationId === c!.id && m.direction === 'in').map((m) => m.createdAt);
      const lastInboundAt = inbound.length > 0 ? Math.max(...inbound) : null;
      const state = w.states.find((s) => s.conversationId === c!.id && s.userId === user) ?? null;
      return { id: c!.id, lastInboundAt, unread: isUnread(lastInboundAt, state?.readAt ?? null) };
    });
}

const byId = <T extends { id: string }>(list: T[]): T[] => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));

function describeEngine(name: string, open: () => Promise<Storage>, numRuns: number): void {
  it(`${name}: unread and the newest inbound time of the person's conversations, nothing of others'`, async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, fc.constantFrom(...USERS), fc.boolean(), async (world, user, withMissing) => {
        const storage = await open();
        try {
          await storage.transaction((tx) => plant(tx, world));
          const history = new HistoryService((fn) => storage.transaction(fn, { kind: 'read' }));
          const ids = [...world.conversations.map((c) => c.id), ...(withMissing ? ['c_missing', world.conversations[0]?.id ?? 'c_x'] : [])];
          if (world.disabled === user) {
            await expect(history.unread(user, { conversationIds: ids })).rejects.toBeInstanceOf(Rejection);
            return;
          }
          const answer = await history.unread(user, { conversationIds: ids });
          expect(byId(answer.conversations)).toEqual(byId(expected(world, user, ids)));
          expect(answer.head).toBeGreaterThanOrEqual(0);
        } finally {
          await storage.close();
        }
      }),
      { numRuns },
    );
  }, 120_000);
}

describe('server unread (issue 13)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  describeEngine('sqlite', async () => openSqliteStorage({ file: ':memory:' }), 50);
  describeEngine('postgres', () => openPostgresStorage({ url: db.url, schema: uniqueSchema(), poolSize: 2 }), 10);
});
