import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEGACY_MEDIA_SECRET_FILE, loadMediaLinkSecret, MediaLinks } from '../../../server/channels/media-links.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { tempDir } from '../support/fixtures.ts';

let dir: ReturnType<typeof tempDir>;
const open: Storage[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dir?.remove();
});

/** A connection to the data dir's database (each instance has its own). */
function storage(): Storage {
  const s = openSqliteStorage({ file: join(dir.path, 'switchboard.sqlite') });
  open.push(s);
  return s;
}

const link = (secret: Buffer) => new URL(new MediaLinks(secret).url('https://sb.example', 'att_1', 1_000));

describe('the media-link signing key', () => {
  it('is made once, kept in the database (no file), and every instance reads the same one', async () => {
    dir = tempDir();
    const [a, b] = [storage(), storage()];
    const first = await loadMediaLinkSecret(a, dir.path, 1);
    expect(first).toHaveLength(32);
    expect((await loadMediaLinkSecret(b, dir.path, 2)).equals(first)).toBe(true);
    expect((await loadMediaLinkSecret(a, dir.path, 3)).equals(first)).toBe(true);
    expect(readdirSync(dir.path).filter((f) => f.includes('secret'))).toEqual([]);
    // A link signed by one instance verifies on the other.
    const signed = link(first);
    expect(new MediaLinks(await loadMediaLinkSecret(b, dir.path, 4)).verify('att_1', signed.searchParams.get('exp'), signed.searchParams.get('sig'), 1_000)).toBe(true);
  });

  it('imports the media-secret file of an earlier version once, so links it signed stay valid, and removes the file', async () => {
    dir = tempDir();
    const legacy = randomBytes(32).toString('hex');
    writeFileSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE), `${legacy}\n`, { mode: 0o600 });
    const signedBefore = link(Buffer.from(legacy, 'hex'));
    const logs: string[] = [];
    const loaded = await loadMediaLinkSecret(storage(), dir.path, 1, (l) => logs.push(l));
    expect(loaded.toString('hex')).toBe(legacy);
    expect(new MediaLinks(loaded).verify('att_1', signedBefore.searchParams.get('exp'), signedBefore.searchParams.get('sig'), 1_000)).toBe(true);
    expect(existsSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE))).toBe(false);
    expect(logs).toEqual([expect.stringMatching(/^media links: moved the signing key from .*media-secret into the database$/)]);
    expect((await loadMediaLinkSecret(storage(), dir.path, 2)).toString('hex')).toBe(legacy);
  });

  it('a file that is not a key, or one found after the database already has a key, is not used (and said so)', async () => {
    dir = tempDir();
    writeFileSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE), 'not hex at all');
    const logs: string[] = [];
    const key = await loadMediaLinkSecret(storage(), dir.path, 1, (l) => logs.push(l));
    expect(key.toString('hex')).toMatch(/^[0-9a-f]{64}$/);
    expect(logs).toEqual([expect.stringMatching(/was not used \(the database holds the key\)/)]);
    expect(existsSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE))).toBe(false);

    writeFileSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE), randomBytes(32).toString('hex'));
    expect((await loadMediaLinkSecret(storage(), dir.path, 2)).equals(key)).toBe(true);
    expect(existsSync(join(dir.path, LEGACY_MEDIA_SECRET_FILE))).toBe(false);
  });
});
