import { isScope, type Scope } from '../../../protocol/scope.ts';
import type { FrameApplier } from './apply-frame.ts';
import type { CacheDb } from './cache-file.ts';

/**
 * Scopes whose cached data may be stale because part of an update could not be read (the cursor moved
 * past it). They stay held — so the server still announces it if one is lost — and are asked for afresh
 * on every link until a complete snapshot of each has been applied. Kept in meta, so a restart still asks.
 */
const KEY = 'staleScopes';

export function staleScopes(cache: CacheDb): Scope[] {
  const raw = cache.getMeta(KEY);
  if (!raw) return [];
  const list: unknown = JSON.parse(raw);
  return Array.isArray(list) ? list.filter((s): s is Scope => typeof s === 'string' && isScope(s)) : [];
}

export function markStale(cache: CacheDb, scopes: readonly Scope[]): void {
  cache.write(() => {
    const next = new Set([...staleScopes(cache), ...scopes]);
    cache.setMeta(KEY, JSON.stringify([...next]));
  });
}

/** Called in the transaction that applies the last chunk of a scope's snapshot. */
export function clearStale(cache: CacheDb, scope: Scope): void {
  const current = staleScopes(cache);
  if (current.includes(scope)) cache.setMeta(KEY, JSON.stringify(current.filter((s) => s !== scope)));
}

/**
 * Held scopes outside the scope grammar (cached before it existed) can never be synced again: their data
 * is dropped, as if the server had announced them lost. Returns the scopes that remain.
 */
export function dropUngrammaticalScopes(cache: CacheDb, applier: FrameApplier): void {
  const bad = (cache.heldScopes() as string[]).filter((s) => !isScope(s));
  if (bad.length > 0) applier.applyBatch(bad.map((s) => ({ type: 'scopeLost', scope: s as Scope })));
}
