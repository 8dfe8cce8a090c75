import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  ChatMessagesRequest,
  ContactConversationsRequest,
  ConversationsRequest,
  FillRequest,
  HISTORY_PATHS,
  MessagesRequest,
  MessagesThroughRequest,
  SearchRequest,
  TotalsRequest,
  UnreadRequest,
} from '../../protocol/history.ts';
import type { RequestTarget } from '../../boundary/request-target.ts';
import type { Domain } from '../domain/domain.ts';
import { Rejection } from '../domain/errors.ts';
import { HttpError, bearerToken, readBody, sendJson } from './respond.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void>;

/**
 * The history API (issue 13, protocol/history.ts HISTORY_PATHS): transport only. 401 without a valid token,
 * 400 for a body the schema refuses, 404 for a conversation, chat, inbox, channel or contact the person may
 * not see (exactly as for one that does not exist), 403 for an account that may read nothing.
 */
export function historyRoutes(domain: Domain, bodyLimitBytes: number): Record<string, Partial<Record<string, Handler>>> {
  const route = <S extends z.ZodType>(schema: S, run: (userId: string, body: z.output<S>) => Promise<unknown>): Partial<Record<string, Handler>> => ({
    POST: async (req, res) => {
      const token = bearerToken(req);
      const auth = token ? await domain.sessions.authenticate(token) : null;
      if (!auth) throw new HttpError(401, 'unauthenticated', 'Send a valid session token as Authorization: Bearer <token>.');
      const body = await readBody(req, schema, bodyLimitBytes);
      try {
        sendJson(res, 200, await run(auth.user.id, body));
      } catch (err) {
        if (!(err instanceof Rejection)) throw err;
        throw new HttpError(err.code === 'not_found' ? 404 : err.code === 'forbidden' ? 403 : 400, err.code, err.message);
      }
    },
  });
  const h = domain.history;
  return {
    [HISTORY_PATHS.messages]: route(MessagesRequest, (u, b) => h.messages(u, b)),
    [HISTORY_PATHS.messagesThrough]: route(MessagesThroughRequest, (u, b) => h.messagesThrough(u, b)),
    [HISTORY_PATHS.chatMessages]: route(ChatMessagesRequest, (u, b) => h.chatMessages(u, b)),
    [HISTORY_PATHS.conversations]: route(ConversationsRequest, (u, b) => h.conversations(u, b)),
    [HISTORY_PATHS.contactConversations]: route(ContactConversationsRequest, (u, b) => h.contactConversations(u, b)),
    [HISTORY_PATHS.totals]: route(TotalsRequest, (u, b) => h.totals(u, b)),
    [HISTORY_PATHS.fill]: route(FillRequest, (u, b) => h.fill(u, b)),
    [HISTORY_PATHS.search]: route(SearchRequest, (u, b) => h.search(u, b)),
    [HISTORY_PATHS.unread]: route(UnreadRequest, (u, b) => h.unread(u, b)),
  };
}
