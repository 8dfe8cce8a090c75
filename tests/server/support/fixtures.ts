import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityKind, EntityOf } from '../../../protocol/domain.ts';
import type { Mutation, MutationResult } from '../../../protocol/mutations.ts';
import { seedDemoWorkspace } from '../../../server/domain/demo-seed.ts';
import { Domain, type DomainOptions } from '../../../server/domain/domain.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';

export function tempDir(prefix = 'switchboard-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

let template: string | null = null;
/** Seeds the demo workspace once per test file (scrypt is slow on purpose) and copies it per test. */
async function seededTemplate(): Promise<string> {
  if (template) return template;
  const dir = tempDir('switchboard-template-');
  const file = join(dir.path, 'seeded.sqlite');
  const storage = openSqliteStorage({ file });
  await storage.transaction((tx) => seedDemoWorkspace(tx, Date.now()));
  await storage.close(); // checkpoints the WAL into the main file
  process.once('exit', () => dir.remove());
  template = file;
  return file;
}

export interface TestDomain {
  domain: Domain;
  storage: Storage;
  file: string;
  logs: string[];
  /** The user with this id; throws when there is none. */
  user(id: string): Promise<EntityOf<'user'>>;
  /** Applies a mutation as this user from one client, with the next mutation id, and returns the stored answer. */
  apply(userId: string, mutation: Mutation, clientId?: string): Promise<MutationResult>;
  /** The stored entity, or null. */
  get<K extends EntityKind>(kind: K, id: string): Promise<EntityOf<K> | null>;
  close(): Promise<void>;
}

/** A domain on a real SQLite file in a temp dir, optionally with the demo workspace. */
/** `startDelivery: false` leaves the send worker stopped (tests that drive send jobs themselves). */
export async function openTestDomain(options: { seed?: boolean; startDelivery?: boolean } & Partial<Omit<DomainOptions, 'storage'>> = {}): Promise<TestDomain> {
  const dir = tempDir();
  const file = join(dir.path, 'test.sqlite');
  if (options.seed ?? true) copyFileSync(await seededTemplate(), file);
  const storage = openSqliteStorage({ file });
  const logs: string[] = [];
  const domain = await Domain.open({ log: (l) => logs.push(l), delivery: { sentAfterMs: 5, deliveredAfterMs: 5 }, ...options, storage });
  if (options.startDelivery ?? true) void domain.startDelivery();
  let nextMutationId = 1;
  const user = async (id: string): Promise<EntityOf<'user'>> => {
    const u = await domain.user(id);
    if (!u) throw new Error(`no user ${id}`);
    return u;
  };
  return {
    domain,
    storage,
    file,
    logs,
    user,
    apply: async (userId, mutation, clientId = 'client-a') => {
      // The id is taken before the await, so concurrent applies keep the order they were called in.
      const id = nextMutationId++;
      return (await domain.applyMutation(await user(userId), clientId, id, mutation)).result;
    },
    get<K extends EntityKind>(kind: K, id: string): Promise<EntityOf<K> | null> {
      return storage.transaction((tx) => tx.get(kind, id), { kind: 'read' });
    },
    async close() {
      domain.close();
      await storage.close();
      dir.remove();
    },
  };
}

/** Number of change-log entries, to assert "no second effect". */
export function changeCount(storage: Storage): Promise<number> {
  return storage.transaction((tx) => tx.head(), { kind: 'read' });
}
