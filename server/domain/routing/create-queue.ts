import { DEFAULT_QUEUE_SETTINGS, QueueSettings, type EntityOf, type RoutingMode } from '../../../protocol/domain.ts';
import { InboxName } from '../../../protocol/mutations.ts';
import { permissions } from '../../../protocol/permissions.ts';
import { isId } from '../../../protocol/id.ts';
import { recordId } from '../../../protocol/scope.ts';
import type { StorageTx } from '../../storage/storage.ts';
import { putRecord, scopeOf } from '../change-log.ts';

export interface CreateQueueInput {
  orgId: string | null;
  inboxId: string;
  name: string;
  memberEmails: string[];
  mode: RoutingMode;
  defaultCapacity: number;
}

/** An admin's `queue:create`: the queue, its settings and its members in one transaction; a sentence when refused. */
export async function createQueue(tx: StorageTx, input: CreateQueueInput): Promise<{ ok: true; inbox: EntityOf<'inbox'> } | { ok: false; error: string }> {
  const org = input.orgId ? await tx.getOrg(input.orgId) : await tx.firstOrg();
  if (!org) return { ok: false, error: input.orgId ? `there is no organisation ${input.orgId}` : 'the server database has no organisation yet' };
  if (!permissions.queuesInEdition(await tx.orgEdition(org.id))) return { ok: false, error: `${org.name} is not a Contact Center organisation (org:edition contact-center)` };
  if (!isId(input.inboxId)) return { ok: false, error: `${input.inboxId} is not an id (1-64 letters, digits, - or _)` };
  if (await tx.get('inbox', input.inboxId)) return { ok: false, error: `an inbox ${input.inboxId} exists already` };
  const name = InboxName.safeParse(input.name);
  const settings = QueueSettings.safeParse({ ...DEFAULT_QUEUE_SETTINGS, mode: input.mode, defaultCapacity: input.defaultCapacity });
  if (!name.success || !settings.success) return { ok: false, error: 'a queue needs a name (1-80 characters) and a capacity of 1-50' };
  const members: EntityOf<'user'>[] = [];
  for (const email of input.memberEmails) {
    const user = await tx.findUserByEmail(email);
    if (!user || user.orgId !== org.id) return { ok: false, error: `nobody in ${org.name} has the email ${email}` };
    members.push(user);
  }
  const inbox: EntityOf<'inbox'> = { id: input.inboxId, orgId: org.id, name: name.data, kind: 'queue', assignmentMode: true, queue: settings.data };
  await putRecord(tx, scopeOf.inbox(inbox), 'inbox', inbox);
  for (const user of members) {
    const member: EntityOf<'inboxMember'> = { id: recordId.inboxMember(inbox.id, user.id), inboxId: inbox.id, userId: user.id };
    await putRecord(tx, scopeOf.inboxMember(member), 'inboxMember', member);
  }
  return { ok: true, inbox };
}
