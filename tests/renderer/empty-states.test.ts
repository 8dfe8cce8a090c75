import { describe, expect, it } from 'vitest';
import { AssignmentFilter, ConversationListQuery, ListFolder, ReadFilter } from '../../protocol/ipc.ts';
import { emptyListState } from '../../renderer/empty-states.ts';

describe('empty conversation list', () => {
  it('says what would appear in every view, and how it gets there', () => {
    const seen = new Set<string>();
    for (const folder of ListFolder.options)
      for (const assignment of AssignmentFilter.options)
        for (const read of ReadFilter.options) {
          const state = emptyListState(ConversationListQuery.parse({ folder, assignment, read }), 'Sales');
          expect(state.title).toMatch(/ in Sales$/);
          expect(state.detail.length).toBeGreaterThan(30);
          seen.add(state.title);
        }
    // Open (by assignment: all, me, others, unassigned, with me), closed, unread and archived are told apart.
    expect(seen.size).toBe(8);
  });

  it('names the narrowest filter: a tag, then unread or archived, then the folder', () => {
    expect(emptyListState(ConversationListQuery.parse({ tag: 'vip', read: 'unread' }), null).title).toBe('No conversations tagged “vip”');
    expect(emptyListState(ConversationListQuery.parse({ folder: 'closed', read: 'unread' }), null).title).toBe('Nothing unread');
    expect(emptyListState(ConversationListQuery.parse({ folder: 'closed' }), null).title).toBe('No closed conversations');
    expect(emptyListState(ConversationListQuery.parse({}), null).detail).toMatch(/texts, messages on WhatsApp or writes in the web chat/);
  });

  it('in an inbox queue, says how routing fills Me and Unassigned (issue 10)', () => {
    expect(emptyListState(ConversationListQuery.parse({ assignment: 'me' }), 'Billing', true).detail).toMatch(/Log in to your queues/);
    expect(emptyListState(ConversationListQuery.parse({ assignment: 'unassigned' }), 'Billing', true).title).toBe('Nobody waiting in Billing');
    expect(emptyListState(ConversationListQuery.parse({ assignment: 'me', read: 'unread' }), 'Billing', true).title).toBe('Nothing unread in Billing');
  });
});
