import { randomUUID } from 'node:crypto';
import { permissions } from '../../protocol/permissions.ts';
import { templateParameterProblem } from '../../protocol/whatsapp-templates.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { SessionHost } from './client-session.ts';
import { conversationForAction } from './queries/conversation-guard.ts';
import { conversationTemplate } from './queries/whatsapp-template.ts';

type ConversationMethods =
  | 'actions.sendMessage'
  | 'actions.sendTemplate'
  | 'actions.assign'
  | 'actions.setStatus'
  | 'actions.markRead'
  | 'outbox.retry'
  | 'outbox.discard';

const DONE = {} as Record<string, never>;

/** Replies and actions on one conversation, queued in the outbox, and the outbox's retry/discard of refused ones. */
export function conversationIpcHandlers(host: SessionHost): Pick<IpcHandlers, ConversationMethods> {
  return {
    'actions.sendMessage': ({ conversationId, body }) => {
      const s = host.requireSession();
      conversationForAction(s.cache, conversationId);
      const messageId = randomUUID();
      host.enqueue(s, { name: 'message.send', args: { conversationId, messageId, body, attachments: [] } });
      return { messageId };
    },

    'actions.sendTemplate': ({ conversationId, templateId, parameters }) => {
      const s = host.requireSession();
      conversationForAction(s.cache, conversationId);
      // Checked here too so a wrong value is refused at once, offline included, not after a queue round trip.
      const template = conversationTemplate(s.cache.db, conversationId, templateId);
      if (!template) throw new IpcFailure('invalid', 'That template is not one of this channel’s approved templates.');
      const problem = templateParameterProblem(template.body, parameters);
      if (problem) throw new IpcFailure('invalid', problem);
      const messageId = randomUUID();
      host.enqueue(s, { name: 'message.sendTemplate', args: { conversationId, messageId, templateId, parameters } });
      return { messageId };
    },

    'actions.assign': ({ conversationId, assigneeId }) => {
      const s = host.requireSession();
      const conv = conversationForAction(s.cache, conversationId);
      if (conv.assignment_mode !== 1) throw new IpcFailure('forbidden', 'Assignment is turned off for this inbox.');
      const mayAssignOthers = permissions.assignToAnyone(s.user.role);
      if (!mayAssignOthers && assigneeId !== null && assigneeId !== s.user.id) {
        throw new IpcFailure('forbidden', 'Only managers and supervisors can assign conversations to someone else.');
      }
      // The assignee this person saw: if someone else took it meanwhile the server refuses instead of overriding them.
      host.enqueue(s, { name: 'conversation.assign', args: { conversationId, assigneeId, expectedAssigneeId: conv.assignee_id } });
      return DONE;
    },

    'actions.setStatus': ({ conversationId, status }) => {
      const s = host.requireSession();
      conversationForAction(s.cache, conversationId);
      host.enqueue(s, { name: 'conversation.setStatus', args: { conversationId, status } });
      return DONE;
    },

    'actions.markRead': ({ conversationId }) => {
      const s = host.requireSession();
      const conv = conversationForAction(s.cache, conversationId);
      // Server clocks stamp messages; never mark "read" at a time before the last one we hold.
      const readAt = Math.max(Date.now(), conv.last_message_at ?? 0, conv.last_inbound_at ?? 0);
      host.enqueue(s, { name: 'conversation.markRead', args: { conversationId, readAt } });
      return DONE;
    },

    'outbox.retry': ({ mutationId }) => {
      const s = host.requireSession();
      const views = s.outbox.retry(mutationId);
      if (!views) throw new IpcFailure('not_found', 'There is no refused reply or action with that id to retry.');
      host.emitChanged(views);
      host.emitConnection();
      host.flush(s);
      return DONE;
    },

    'outbox.discard': ({ mutationId }) => {
      const s = host.requireSession();
      const views = s.outbox.discard(mutationId);
      if (!views) throw new IpcFailure('not_found', 'There is no refused reply or action with that id to discard.');
      host.emitChanged(views);
      host.emitConnection();
      return DONE;
    },
  };
}
