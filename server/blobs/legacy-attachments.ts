import { createReadStream, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SERVER_ATTACHMENT_ID } from '../../protocol/attachments.ts';
import { Attachment, Id } from '../../protocol/domain.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { Storage } from '../storage/storage.ts';

/** What versions before issue 9 wrote to `<data-dir>/attachments/<id>.json` beside the bytes `<id>`. */
const LegacyFacts = Attachment.extend({ conversationId: Id, uploaderId: Id, createdAt: z.number().int() });

/**
 * Imports the attachment facts an earlier version kept in files, once, at start: each `<id>.json` becomes a row
 * of the attachments table, its bytes are copied into the blob store when they are not already there (S3; the
 * local store uses that same directory), and the .json is removed — so the next start finds nothing to do.
 * Imported files count as linked: which message carries one was never recorded, and a file a message carries
 * must never be swept as a pending upload. `.part` files (uploads interrupted, or provider media and web chat
 * uploads lost with a restart, as those versions did) are removed. A file it cannot read is left and named.
 * Returns how many were imported.
 */
export async function importLegacyAttachments(
  storage: Storage,
  blobs: BlobStore,
  dataDir: string,
  now: number,
  log: (line: string) => void = () => {},
): Promise<number> {
  const dir = join(dataDir, 'attachments');
  if (!existsSync(dir)) return 0;
  let imported = 0;
  for (const entry of readdirSync(dir)) {
    if (/^att_[0-9a-f]{32}\.part$/.test(entry)) {
      rmSync(join(dir, entry), { force: true });
      continue;
    }
    const id = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : null;
    if (id === null || !SERVER_ATTACHMENT_ID.test(id)) continue;
    const metaFile = join(dir, entry);
    const bytesFile = join(dir, id);
    const facts = parseFacts(metaFile);
    if (!facts || facts.id !== id || !existsSync(bytesFile)) {
      log(`attachments: ${metaFile} was not imported (${facts ? 'its bytes are missing' : 'unreadable'}); left in place`);
      continue;
    }
    if (!(await blobs.exists(id))) {
      await blobs.put(id, createReadStream(bytesFile), { contentType: facts.contentType, maxBytes: Number.MAX_SAFE_INTEGER });
    }
    await storage.transaction((tx) =>
      tx.addAttachment({
        id,
        name: facts.name,
        contentType: facts.contentType,
        size: facts.size,
        conversationId: facts.conversationId,
        channelId: null,
        uploaderId: facts.uploaderId,
        createdAt: facts.createdAt,
        committed: true,
        messageId: null,
        linkedAt: now,
      }),
    );
    rmSync(metaFile, { force: true });
    imported++;
  }
  if (imported) log(`attachments: moved the facts of ${imported} file(s) from ${dir}/*.json into the database (bytes in the ${blobs.display})`);
  return imported;
}

function parseFacts(file: string): z.infer<typeof LegacyFacts> | null {
  try {
    const parsed = LegacyFacts.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
