import { fc } from '@fast-check/vitest';
import { AssignmentFilter, ConversationListQuery, ListFolder, ListSort, ReadFilter } from '../../protocol/ipc-views.ts';

/**
 * Every list view (SPEC (9), (12), (13)) over the given inboxes, channels and tags, parsed as the IPC boundary
 * would: folder, assignment, read filter and sort range over all the protocol's values.
 */
export function listQueryArb(values: { inboxIds: string[]; channelIds: string[]; tags: string[] }): fc.Arbitrary<ConversationListQuery> {
  return fc
    .record({
      inboxId: fc.option(fc.constantFrom(...values.inboxIds), { nil: null }),
      channelId: fc.option(fc.constantFrom(...values.channelIds), { nil: null }),
      folder: fc.constantFrom(...ListFolder.options),
      assignment: fc.constantFrom(...AssignmentFilter.options),
      read: fc.constantFrom(...ReadFilter.options),
      sort: fc.constantFrom(...ListSort.options),
      tag: fc.option(fc.constantFrom(...values.tags), { nil: null }),
    })
    .map((q) => ConversationListQuery.parse(q));
}

/** One list view: the default list (open, everyone's, read or not, newest messages first) with `over` on top. */
export function listQuery(over: Partial<ConversationListQuery> = {}): ConversationListQuery {
  return { inboxId: null, channelId: null, folder: 'open', assignment: 'all', read: 'all', sort: 'recentMessages', tag: null, ...over };
}
