import type { EntityKind, EntityRecord } from '../../protocol/domain.ts';
import { parseScope, type Scope } from '../../protocol/scope.ts';
import type { ListBy, StorageTx } from '../storage/storage.ts';

export type Part = { [K in EntityKind]: { kind: K; by: ListBy[K] } }[EntityKind];

/** Where the next snapshot page starts: which part of the scope, and the last id sent in it. */
export interface SnapshotCursor {
  part: number;
  afterId: string;
}

/** The record kinds making up one scope, in the order a client can apply them. */
export async function partsOf(tx: StorageTx, target: Scope): Promise<Part[]> {
  const { kind, id } = parseScope(target);
  switch (kind) {
    case 'org':
      return [
        { kind: 'user', by: { orgId: id } },
        { kind: 'contact', by: { orgId: id, ownerId: null } },
      ];
    case 'user': {
      const user = await tx.get('user', id);
      if (!user) return [];
      return [
        { kind: 'contact', by: { orgId: user.orgId, ownerId: id } },
        { kind: 'conversationUserState', by: { userId: id } },
        { kind: 'contactFavourite', by: { userId: id } },
        { kind: 'notice', by: { userId: id } },
        { kind: 'chatUserState', by: { userId: id } },
      ];
    }
    case 'inbox':
      return [
        { kind: 'inbox', by: { id } },
        { kind: 'channel', by: { inboxId: id } },
        { kind: 'inboxMember', by: { inboxId: id } },
        { kind: 'conversation', by: { inboxId: id } },
        { kind: 'message', by: { inboxId: id } },
        { kind: 'cannedResponse', by: { inboxId: id } },
        { kind: 'survey', by: { inboxId: id } },
      ];
    case 'chat':
      return [
        { kind: 'chat', by: { id } },
        { kind: 'chatMessage', by: { chatId: id } },
      ];
  }
}

/**
 * One page of a scope's current state. Paging by id keeps memory bounded;
 * pages read at different moments are fine because every later change is
 * also delivered from the log after the snapshot's cursor.
 */
export async function readSnapshotPage(
  tx: StorageTx,
  target: Scope,
  from: SnapshotCursor | null,
  limit: number,
): Promise<{ records: EntityRecord[]; next: SnapshotCursor | null }> {
  return readParts(tx, await partsOf(tx, target), from, limit);
}

/** One page over a list of parts, each paged by id. */
export async function readParts(
  tx: StorageTx,
  parts: readonly Part[],
  from: SnapshotCursor | null,
  limit: number,
): Promise<{ records: EntityRecord[]; next: SnapshotCursor | null }> {
  const records: EntityRecord[] = [];
  let part = from?.part ?? 0;
  let afterId = from?.afterId ?? '';
  while (part < parts.length) {
    const { kind, by } = parts[part] as Part;
    const want = limit - records.length;
    const rows = await tx.list(kind, by as never, afterId, want);
    for (const record of rows) records.push({ entity: kind, record } as EntityRecord);
    if (rows.length === want) {
      const last = rows[rows.length - 1] as { id: string };
      return { records, next: { part, afterId: last.id } };
    }
    part += 1;
    afterId = '';
  }
  return { records, next: null };
}
