import { randomUUID } from 'node:crypto';
import { callableNumber, callUrl, isCallUrl } from '../../protocol/call.ts';
import type { User } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { orgView } from './queries/contact-center.ts';

/**
 * Call the contact / Convert to a phone call (issue 10 §3). The core decides what to open (protocol/call.ts: tel:
 * or the admin's softphone template), notes the call in the conversation through the outbox, and hands the URL to
 * the host: the Electron shell opens it with shell.openExternal (allowlisted schemes only); without a shell the
 * page opens it itself (`opened: false`).
 */

/** What the host does with a call URL; absent in the browser host. */
export type ExternalOpener = (url: string) => Promise<void>;

export interface CallActionDeps {
  session(): { cache: CacheDb; user: User };
  enqueue(mutation: Mutation): void;
  openExternal?: ExternalOpener;
  log?: (line: string) => void;
}

const DONE = {} as Record<string, never>;

interface CallRow {
  customer_address: string;
  phones: string | null;
}

export function callIpcHandlers(deps: CallActionDeps): Pick<IpcHandlers, 'actions.placeCall' | 'actions.setSoftphone'> {
  return {
    'actions.placeCall': async ({ conversationId }) => {
      const s = deps.session();
      const org = orgView(s.cache, s.user.orgId);
      if (!org?.mayCall) throw new IpcFailure('forbidden', 'Calling a contact is part of Contact Center.');
      const row = s.cache.db
        .prepare('SELECT c.customer_address, ct.phones FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = ?')
        .get(conversationId) as CallRow | undefined;
      if (!row) throw new IpcFailure('not_found', 'That conversation is not available.');
      const number = callableNumber(row.customer_address, row.phones ? (JSON.parse(row.phones) as string[]) : []);
      if (!number) throw new IpcFailure('invalid', 'This web chat visitor has no phone number. Link a contact with a number to call them.');
      const url = callUrl(number, org.softphoneUrlTemplate);
      // Belt and braces: what reaches the operating system is only ever tel:+E164 or the admin's https address.
      if (!isCallUrl(url)) throw new IpcFailure('internal', 'The call address could not be made safely.');
      const messageId = randomUUID();
      deps.enqueue({ name: 'conversation.noteCall', args: { conversationId, messageId } });
      if (!deps.openExternal) return { url, opened: false, messageId };
      await deps.openExternal(url);
      return { url, opened: true, messageId };
    },
    'actions.setSoftphone': ({ urlTemplate }) => {
      const s = deps.session();
      if (!permissions.configureSoftphone(s.user.role)) throw new IpcFailure('forbidden', 'Only admins can set the softphone address.');
      deps.enqueue({ name: 'org.setSoftphone', args: { urlTemplate } });
      return DONE;
    },
  };
}
