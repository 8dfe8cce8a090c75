import type { Component } from 'vue';
import type { User } from '../protocol/domain.ts';
import type { OrgView } from '../protocol/ipc.ts';
import { permissions } from '../protocol/permissions.ts';
import NewConversationDialog from './components/NewConversationDialog.vue';
import NewDirectChatDialog from './components/NewDirectChatDialog.vue';
import NewTeamChatDialog from './components/NewTeamChatDialog.vue';
import NewTextMessageDialog from './components/NewTextMessageDialog.vue';

/**
 * SPEC (1) Create: the items of the Create menu. Each opens its own dialog (a component that emits `close`).
 * Other features append their items here (New text message, New direct chat, New team chat…).
 */
export interface CreateMenuItem {
  id: string;
  label: string;
  /** data-testid of the menu entry. */
  testId: string;
  dialog: Component;
  /** Hidden for people who may not use it (e.g. Contact Center has no New conversation: its (1)). */
  visible?: (user: User, org: OrgView | null) => boolean;
}

export const CREATE_MENU_ITEMS: CreateMenuItem[] = [
  { id: 'newConversation', label: 'New conversation', testId: 'create-new-conversation', dialog: NewConversationDialog, visible: (u, org) => permissions.startConversation(u.role) && !org?.contactCenterLayout },
  { id: 'newTextMessage', label: 'New text message', testId: 'create-new-text-message', dialog: NewTextMessageDialog },
  { id: 'newDirectChat', label: 'New direct chat', testId: 'create-new-direct-chat', dialog: NewDirectChatDialog },
  { id: 'newTeamChat', label: 'New team chat', testId: 'create-new-team-chat', dialog: NewTeamChatDialog },
];
