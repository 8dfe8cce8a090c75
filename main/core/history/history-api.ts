import type { z } from 'zod';
import {
  ChatMessagesAnswer,
  ContactConversationsAnswer,
  ConversationsAnswer,
  FillAnswer,
  HISTORY_PATHS,
  MessagesAnswer,
  MessagesThroughAnswer,
  SearchAnswer,
  TotalsAnswer,
  UnreadAnswer,
  type ChatMessagesRequest,
  type ContactConversationsRequest,
  type ConversationsRequest,
  type FillRequest,
  type MessagesRequest,
  type MessagesThroughRequest,
  type SearchRequest,
  type TotalsRequest,
  type UnreadRequest,
} from '../../../protocol/history.ts';
import { authorizedJson } from '../server-api.ts';

/** Where and as whom history is asked for (the signed-in session's server and token). */
export interface HistoryLink {
  serverUrl: string;
  token: string;
}

const post = <S extends z.ZodType>(link: HistoryLink, path: string, schema: S, body: unknown): Promise<z.output<S>> =>
  authorizedJson(link.serverUrl, link.token, path, schema, { method: 'POST', body });

/** The history API of protocol/history.ts; every answer is checked against its schema (server-api.ts). */
export const historyApi = {
  messages: (link: HistoryLink, body: MessagesRequest): Promise<MessagesAnswer> => post(link, HISTORY_PATHS.messages, MessagesAnswer, body),
  messagesThrough: (link: HistoryLink, body: MessagesThroughRequest): Promise<MessagesThroughAnswer> =>
    post(link, HISTORY_PATHS.messagesThrough, MessagesThroughAnswer, body),
  chatMessages: (link: HistoryLink, body: ChatMessagesRequest): Promise<ChatMessagesAnswer> =>
    post(link, HISTORY_PATHS.chatMessages, ChatMessagesAnswer, body),
  conversations: (link: HistoryLink, body: ConversationsRequest): Promise<ConversationsAnswer> =>
    post(link, HISTORY_PATHS.conversations, ConversationsAnswer, body),
  contactConversations: (link: HistoryLink, body: ContactConversationsRequest): Promise<ContactConversationsAnswer> =>
    post(link, HISTORY_PATHS.contactConversations, ContactConversationsAnswer, body),
  totals: (link: HistoryLink, body: TotalsRequest): Promise<TotalsAnswer> => post(link, HISTORY_PATHS.totals, TotalsAnswer, body),
  fill: (link: HistoryLink, body: FillRequest): Promise<FillAnswer> => post(link, HISTORY_PATHS.fill, FillAnswer, body),
  search: (link: HistoryLink, body: SearchRequest): Promise<SearchAnswer> => post(link, HISTORY_PATHS.search, SearchAnswer, body),
  unread: (link: HistoryLink, body: UnreadRequest): Promise<UnreadAnswer> => post(link, HISTORY_PATHS.unread, UnreadAnswer, body),
};
export type HistoryApi = typeof historyApi;
