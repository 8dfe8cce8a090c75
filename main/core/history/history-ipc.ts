import type { IpcHandlers } from '../../ipc-router.ts';
import type { HistoryService } from './history-service.ts';

/** The IPC methods answered with a partial cache in mind (history on demand, server totals, merged search). */
export function historyIpcHandlers(history: () => HistoryService): Pick<
  IpcHandlers,
  'conversations.list' | 'conversations.counts' | 'messages.list' | 'messages.through' | 'chat.messages' | 'contact.get' | 'search.query' | 'history.settings' | 'history.setBudget'
> {
  return {
    'conversations.list': ({ query, offset, limit }) => history().lists.page(query, offset, limit),
    'conversations.counts': ({ inboxId, channelId }) => history().lists.counts(inboxId, channelId),
    'messages.list': ({ conversationId, before, limit }) => history().messages.conversationPage(conversationId, before, limit),
    'messages.through': ({ conversationId, messageId }) => history().through.page(conversationId, messageId),
    'chat.messages': ({ chatId, before, limit }) => history().messages.chatPage(chatId, before, limit),
    'contact.get': ({ id }) => history().contacts.detail(id),
    'search.query': ({ text, limit }) => history().search.search(text, limit),
    'history.settings': () => history().settings(),
    'history.setBudget': ({ days }) => history().setBudget(days),
  };
}
