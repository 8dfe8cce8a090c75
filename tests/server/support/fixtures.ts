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
function seededTemplate(): string {
  if (template) return template;
  const dir = tempDir('switchboard-template-');
  const file = join(dir.path, 'seeded.sqlite');
  const storage = openSqliteStorage({ file });
  storage.transaction((tx) => seedDemoWorkspace(tx, Date.now()));
  storage.close(); // checkpoints the WAL into the main file
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
  user(id: string): EntityOf<'user'>;
  /** Applies a mutation as this user from one client, with the next mutation id, and returns the stored answer. */
  apply(userId: string, mutation: Mutation, clientId?: string): MutationResult;
  /** The stored entity, or null. */
  get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | null;
  close(): void;
}

/** A domain on a real SQLite file in a temp dir, optionally with the demo workspace. */
/** `startDelivery: false` leaves the send worker stopped (tests that drive send jobs themselves). */
export function openTestDomain(options: { seed?: boolean; startDelivery?: boolean } & Partial<Omit<DomainOptions, 'storage'>> = {}): TestDomain {
  const dir = tempDir();
  const file = join(dir.path, 'test.sqlite');
  if (options.seed ?? true) copyFileSync(seededTemplate(), file);
  const storage = openSqliteStorage({ file });
  const logs: string[] = [];
  const domain = new Domain({ log: (l) => logs.push(l), delivery: { sentAfterMs: 5, deliveredAfterMs: 5 }, ...options, storage });
  if (options.startDelivery ?? true) void domain.startDelivery();
  let nextMutationId = 1;
  const user = (id: string): EntityOf<'user'> => {
    const u = domain.user(id);
    if (!u) throw new Error(`no user ${id}`);
    return u;
  };
  return {
    domain,
    storage,
    file,
    logs,
    user,
    apply: (userId, mutation, clientId = 'client-a') => domain.applyMutation(user(userId), clientId, nextMutationId++, mutation).result,
    get<K extends EntityKind>(kind: K, id: string): EntityOf<K> | null {
      // Through JSON because the transaction's NotPromise<T> cannot be resolved for a generic record type.
      const json = storage.transaction((tx): string => JSON.stringify(tx.get(kind, id)));
      return JSON.parse(json) as EntityOf<K> | null;
    },
    close() {
      domain.close();
      storage.close();
      dir.remove();
    },
  };
}

/** Number of change-log entries, to assert "no second effect". */
export function changeCount(storage: Storage): number {
  return storage.transaction((tx) => tx.head());
}
