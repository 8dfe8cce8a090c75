import type { EntityOf } from '../../protocol/domain.ts';
import type { DeviceKeyResponse } from '../../protocol/http.ts';
import type { Domain } from './domain.ts';

type User = EntityOf<'user'>;

/**
 * Cache keys held for a person's devices (README "Shared workstations"). A key is only ever handed to
 * that person, after sign-in; it opens nothing but the cache file on that one device.
 */
export function deviceKeyOf(domain: Domain, user: User, deviceId: string): Promise<DeviceKeyResponse> {
  return domain.read(async (tx) => ({ sharedWorkstation: await tx.sharedWorkstation(user.orgId), key: await tx.getDeviceKey(user.id, deviceId) }));
}

/** The device's client chose the key (it may already have encrypted its cache with it): stored as given. */
export function storeDeviceKey(domain: Domain, user: User, deviceId: string, key: string, now = Date.now()): Promise<DeviceKeyResponse> {
  return domain.write(async (tx) => {
    await tx.putDeviceKey(user.id, deviceId, key, now);
    return { sharedWorkstation: await tx.sharedWorkstation(user.orgId), key };
  });
}

/** Signing out deletes the device's cache, so its key is of no further use. */
export async function forgetDeviceKey(domain: Domain, user: User, deviceId: string): Promise<void> {
  await domain.write((tx) => tx.deleteDeviceKey(user.id, deviceId));
}

/** Turns the organisation's shared-workstation mode on or off; null when there is no such organisation. */
export function setSharedWorkstation(domain: Domain, orgId: string | null, on: boolean): Promise<{ id: string; name: string } | null> {
  return domain.write(async (tx) => {
    const org = orgId ? await tx.getOrg(orgId) : await tx.firstOrg();
    if (!org) return null;
    await tx.setSharedWorkstation(org.id, on);
    return org;
  });
}

export function sharedWorkstationOf(domain: Domain, orgId: string | null): Promise<boolean | null> {
  return domain.read(async (tx) => {
    const org = orgId ? await tx.getOrg(orgId) : await tx.firstOrg();
    return org ? tx.sharedWorkstation(org.id) : null;
  });
}
