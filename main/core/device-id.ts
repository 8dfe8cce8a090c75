import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceId } from '../../protocol/http.ts';

/**
 * This client data directory's random id, under which the server holds its cache keys. Kept in a plain file:
 * it names a device, not a person, and opens nothing by itself.
 */
export function deviceIdOf(dataDir: string): string {
  const file = join(dataDir, 'device-id');
  try {
    const stored = DeviceId.safeParse(readFileSync(file, 'utf8').trim());
    if (stored.success) return stored.data;
  } catch {
    // None yet: made below.
  }
  const id = randomBytes(16).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
