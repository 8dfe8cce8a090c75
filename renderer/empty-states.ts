import type { ConversationListQuery } from '../protocol/ipc.ts';

/** What an empty view says: what would appear there, and how it gets there. */
export interface EmptyState {
  title: string;
  detail: string;
}

/**
 * The empty conversation list, worded for the view that is empty. The narrowest filter speaks first: an
 * empty "Unread" view in Closed says why nothing unread is there, not that nothing is closed.
 */
export function emptyListState(query: ConversationListQuery, place: string | null, queue = false): EmptyState {
  const where = place ? ` in ${place}` : '';
  // An inbox queue routes its conversations: they come to whoever is logged in with room (Contact Center (7)).
  if (queue && query.folder === 'open' && query.read === 'all' && !query.tag && query.assignment === 'me') {
    return { title: `Nothing assigned to you${where}`, detail: 'Log in to your queues (top bar) and new conversations are routed to you here, or offered above the list.' };
  }
  if (queue && query.folder === 'open' && query.read === 'all' && !query.tag && query.assignment === 'unassigned') {
    return { title: `Nobody waiting${where}`, detail: 'Customers who write in wait here, oldest first, until an agent with room is logged in.' };
  }
  if (query.tag) {
    return { title: `No conversations tagged “${query.tag}”${where}`, detail: 'Add this tag in a conversation’s tag bar (under its header) and the conversation is listed here.' };
  }
  if (query.read === 'unread') {
    return { title: `Nothing unread${where}`, detail: 'A conversation shows here when a customer writes and nobody has read it yet.' };
  }
  if (query.read === 'archived') {
    return { title: `No archived conversations${where}`, detail: 'Archive a conversation from its More menu to put it away here without closing it.' };
  }
  if (query.folder === 'closed') {
    return { title: `No closed conversations${where}`, detail: 'When a conversation is closed (Close in its header), it moves here; a new message reopens it.' };
  }
  switch (query.assignment) {
    case 'me':
      return { title: `Nothing assigned to you${where}`, detail: 'Conversations you take (Assign to me) or that a manager gives you are listed here.' };
    case 'others':
      return { title: `Nothing assigned to teammates${where}`, detail: 'Open conversations a teammate has taken are listed here.' };
    case 'unassigned':
      return { title: `Nothing waiting for someone${where}`, detail: 'New conversations nobody has taken yet are listed here.' };
    case 'withMe':
      return { title: `No conversations with you${where}`, detail: 'Open conversations you have written in are listed here.' };
    case 'all':
      return {
        title: `No open conversations${where}`,
        detail: 'When a customer texts, messages on WhatsApp or writes in the web chat, the conversation appears here. You can also start one yourself from Create in the sidebar.',
      };
  }
}
