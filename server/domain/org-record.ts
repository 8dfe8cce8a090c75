import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';

/**
 * The org record (scope org:<orgId>; issue 10) is read from the orgs table's columns. Whoever changes those
 * columns (the demo seed, `org:edition`, org.setSoftphone) calls this in the same transaction, so every member's
 * client learns the edition and the softphone template from the change log.
 */
export async function publishOrg(tx: StorageTx, orgId: string): Promise<void> {
  const org = await tx.get('org', orgId);
  if (org) await putRecord(tx, scopeOf.org(org), 'org', org);
}

const PUBLISHED = 'org_records_published';

/** Once per database: the org records of organisations created before org records existed. */
export async function publishOrgRecords(tx: StorageTx): Promise<void> {
  if ((await tx.getMeta(PUBLISHED)) !== null) return;
  for (const id of await tx.listOrgIds()) await publishOrg(tx, id);
  await tx.setMeta(PUBLISHED, '1');
}
