import type { CannedResponseView, IpcInput, IpcOutput } from '../../protocol/ipc.ts';

type WorkflowMethods =
  | 'actions.createConversation'
  | 'actions.setArchived'
  | 'actions.markUnread'
  | 'actions.addTag'
  | 'actions.removeTag'
  | 'conversations.tags'
  | 'cannedResponses.list'
  | 'manage.view'
  | 'actions.saveCannedResponse'
  | 'actions.deleteCannedResponse'
  | 'actions.createInbox'
  | 'actions.updateInbox'
  | 'actions.setInboxMember'
  | 'actions.setChannelRegistration';

/** The conversation-workflow part of the fake API: pre-written messages and tags in memory, enough for store tests. */
export function fakeWorkflowHandlers(): { [M in WorkflowMethods]: (input: IpcInput<M>) => IpcOutput<M> } {
  const canned: CannedResponseView[] = [
    { id: 'canned_sales_hours', inboxId: 'inbox_sales', title: 'Store hours', keyPhrase: 'hours', body: 'We’re open 9am–7pm.', pending: false },
  ];
  const tags = new Set<string>();
  let next = 1;
  return {
    'actions.createConversation': () => ({ conversationId: `fake-new-${next++}`, reused: false }),
    'actions.setArchived': () => ({}),
    'actions.markUnread': () => ({}),
    'actions.addTag': ({ tag }) => {
      tags.add(tag.toLowerCase());
      return {};
    },
    'actions.removeTag': ({ tag }) => {
      tags.delete(tag.toLowerCase());
      return {};
    },
    'conversations.tags': () => [...tags].sort(),
    'cannedResponses.list': ({ inboxId, text }) => canned.filter((c) => c.inboxId === inboxId && c.keyPhrase.startsWith((text ?? '').replace(/^\//, ''))),
    'manage.view': () => ({ canManage: false, inboxes: [], people: [], pending: 0, failed: [] }),
    'actions.saveCannedResponse': ({ id, inboxId, draft }) => {
      const cannedId = id ?? `canned-${next++}`;
      canned.push({ id: cannedId, inboxId, title: draft.title, keyPhrase: draft.keyPhrase, body: draft.body, pending: false });
      return { id: cannedId };
    },
    'actions.deleteCannedResponse': () => ({}),
    'actions.createInbox': () => ({ inboxId: `inbox-${next++}` }),
    'actions.updateInbox': () => ({}),
    'actions.setInboxMember': () => ({}),
    'actions.setChannelRegistration': () => ({}),
  };
}
