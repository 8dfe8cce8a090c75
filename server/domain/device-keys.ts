import type { EntityOf } from '../../protocol/domain.ts';
import type { DeviceKeyResponse } from '../../protocol/http.ts';
import type { Domain } from './domain.ts';

type User = EntityOf<'user'>;

/**
 * Cache keys held for a person's devices (README "Shared workstations"). A key is only ever handed to
 * that person, after sign-in; it opens nothing but the cache file on that one device.
 */
export function deviceKeyOf(domain: Domain, user: User, deviceId: string): DeviceKeyResponse {
  return domain.read((tx) => ({ sharedWorkstation: tx.sharedWorkstation(user.orgId), key: tx.getDeviceKey(user.id, deviceId) }));
}

/** The device's client chose the key (it may already have encrypted its cache with it): stored as given. */
export function storeDeviceKey(domain: Domain, user: User, deviceId: string, key: string, now = Date.now()): DeviceKeyResponse {
  return domain.write((tx) => {
    tx.putDeviceKey(user.id, deviceId, key, now);
    return { sharedWorkstation: tx.sharedWorkstation(user.orgId), key };
  });
}

/** Signing out deletes the device's cache, so its key is of no further use. */
export function forgetDeviceKey(domain: Domain, user: User, deviceId: string): void {
  domain.write((tx) => tx.deleteDeviceKey(user.id, deviceId));
}

/** Turns the organisation's shared-workstation mode on or off; null when there is no such organisation. */
export function setSharedWorkstation(domain: Domain, orgId: string | null, on: boolean): { id: string; name: string } | null {
  return domain.write((tx) => {
    const org = orgId ? tx.getOrg(orgId) : tx.firstOrg();
    if (!org) return null;
    tx.setSharedWorkstation(org.id, on);
    return org;
  });
}

export function sharedWorkstationOf(domain: Domain, orgId: string | null): boolean | null {
  return domain.read((tx) => {
    const org = orgId ? tx.getOrg(orgId) : tx.firstOrg();
    return org ? tx.sharedWorkstation(org.id) : null;
  });
}
