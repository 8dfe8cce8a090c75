import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  attachmentContentType,
  attachmentFileError,
  attachmentSetError,
  LOCAL_ATTACHMENT_PREFIX,
} from '../../protocol/attachments.ts';
import { Attachment } from '../../protocol/domain.ts';
import { ApiError, HTTP_PATHS } from '../../protocol/http.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';

/**
 * SPEC (18) attachments on the client. A picked file is checked (type, size) and kept in the
 * cache as a staged attachment with a local id; a reply referencing it is queued in the outbox
 * like any other. Before that reply goes on the wire its files are uploaded (POST
 * /api/attachments) and the queued mutation and the optimistic message are rewritten to the
 * server's ids; until then the outbox holds it and everything after it, so order is kept and an
 * offline reply with a photo is sent exactly once when the connection returns.
 */

export const isLocalAttachmentId = (id: string): boolean => id.startsWith(LOCAL_ATTACHMENT_PREFIX);

/** A queued reply whose files are not uploaded yet (the outbox must not send it, nor anything after it). */
export function awaitsUpload(m: Mutation): boolean {
  return m.name === 'message.send' && m.args.attachments.some((a) => isLocalAttachmentId(a.id));
}

interface StagedRow {
  id: string;
  conversation_id: string;
  name: string;
  content_type: string;
  size: number;
  server_id: string | null;
}

export interface AttachmentSession {
  cache: CacheDb;
  serverUrl: string;
  token: string;
}

export interface AttachmentDeps {
  session(): AttachmentSession;
  enqueue(mutation: Mutation): void;
  /** Whether the sync link is up (uploads only then). */
  online(): boolean;
  /** Views changed (optimistic message rewritten, a refused upload). */
  changed(conversationId: string): void;
  /** Sends what the outbox now may send. */
  flush(): void;
  log(line: string): void;
}

function staged(cache: CacheDb, id: string): StagedRow | undefined {
  return cache.db.prepare('SELECT id, conversation_id, name, content_type, size, server_id FROM staged_attachments WHERE id = ?').get(id) as
    | StagedRow
    | undefined;
}

const view = (r: StagedRow): Attachment => ({ id: r.server_id ?? r.id, name: r.name, contentType: r.content_type, size: r.size });

/** Uploads the staged files of queued replies, oldest reply first; one pump at a time. */
export class AttachmentUploader {
  private running = false;
  private again = false;

  constructor(private readonly deps: AttachmentDeps) {}

  pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run()
      .catch((err: unknown) => this.deps.log(`attachments: upload pump failed: ${String(err)}`))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async run(): Promise<void> {
    while (this.deps.online()) {
      const s = this.deps.session();
      const next = s.cache.db
        .prepare("SELECT mutation_id, mutation FROM outbox WHERE state = 'pending' AND name = 'message.send' ORDER BY mutation_id")
        .all() as { mutation_id: number; mutation: string }[];
      const row = next.find((r) => awaitsUpload(JSON.parse(r.mutation) as Mutation));
      if (!row) return;
      const mutation = JSON.parse(row.mutation) as Extract<Mutation, { name: 'message.send' }>;
      const done = await this.uploadAll(s, row.mutation_id, mutation);
      if (!done) return;
      this.deps.flush();
    }
  }

  /** Uploads every local file of one reply; true when the reply may now be sent. */
  private async uploadAll(s: AttachmentSession, mutationId: number, mutation: Extract<Mutation, { name: 'message.send' }>): Promise<boolean> {
    const ids: Attachment[] = [];
    for (const a of mutation.args.attachments) {
      if (!isLocalAttachmentId(a.id)) {
        ids.push(a);
        continue;
      }
      const row = staged(s.cache, a.id);
      if (!row) return this.refuse(s, mutationId, mutation, 'An attached file is no longer available on this computer; attach it again.');
      if (row.server_id) {
        ids.push(view(row));
        continue;
      }
      const data = s.cache.db.prepare('SELECT data FROM staged_attachments WHERE id = ?').pluck().get(a.id) as Buffer;
      const url = new URL(HTTP_PATHS.attachments, s.serverUrl);
      url.searchParams.set('conversationId', row.conversation_id);
      url.searchParams.set('name', row.name);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': row.content_type },
          body: new Uint8Array(data),
          signal: AbortSignal.timeout(120_000),
        });
      } catch (err) {
        this.deps.log(`attachments: upload of ${row.id} failed, will retry: ${String(err)}`);
        return false;
      }
      const body: unknown = await res.json().catch(() => null);
      if (res.status === 201) {
        const uploaded = Attachment.safeParse(body);
        if (!uploaded.success) return this.refuse(s, mutationId, mutation, 'The server answered the upload in a way this app does not understand.');
        s.cache.db.prepare('UPDATE staged_attachments SET server_id = ? WHERE id = ?').run(uploaded.data.id, row.id);
        ids.push(uploaded.data);
        continue;
      }
      if (res.status === 401 || res.status >= 500) return false; // signed out or a server hiccup: try again later
      const err = ApiError.safeParse((body as { error?: unknown } | null)?.error);
      return this.refuse(s, mutationId, mutation, err.success ? err.data.message : `The server refused the attachment (${res.status}).`);
    }
    // The queued mutation and the optimistic message now name the server's files.
    const next: Mutation = { ...mutation, args: { ...mutation.args, attachments: ids } };
    s.cache.write(() => {
      s.cache.db.prepare("UPDATE outbox SET mutation = ? WHERE mutation_id = ? AND state = 'pending'").run(JSON.stringify(next), mutationId);
      s.cache.db.prepare('UPDATE messages SET attachments = ? WHERE id = ? AND local = 1').run(JSON.stringify(ids), mutation.args.messageId);
    });
    this.deps.changed(mutation.args.conversationId);
    return true;
  }

  /** The server will never take this file: the reply fails with the reason (Retry / Discard). */
  private refuse(s: AttachmentSession, mutationId: number, mutation: Extract<Mutation, { name: 'message.send' }>, message: string): boolean {
    s.cache.write(() => {
      s.cache.db
        .prepare("UPDATE outbox SET state = 'failed', error_code = 'invalid', error_message = ? WHERE mutation_id = ? AND state = 'pending'")
        .run(message, mutationId);
    });
    this.deps.changed(mutation.args.conversationId);
    // The replies queued after it may go now.
    this.deps.flush();
    return false;
  }
}

type AttachmentHandlers = Pick<IpcHandlers, 'attachments.stage' | 'actions.sendMessageWithAttachments' | 'attachments.read'>;

export function attachmentIpcHandlers(deps: AttachmentDeps): AttachmentHandlers {
  return {
    'attachments.stage': ({ conversationId, name, contentType, dataBase64 }) => {
      const s = deps.session();
      if (!s.cache.db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(conversationId)) {
        throw new IpcFailure('not_found', 'That conversation is not available.');
      }
      const fileName = basename(name.replace(/\\/g, '/')) || 'attachment';
      const type = attachmentContentType(fileName, contentType) ?? contentType;
      // Type first, before reading a byte; then the size, before anything is kept or uploaded.
      const typeError = attachmentFileError({ name: fileName, contentType: type, size: 1 });
      if (typeError) throw new IpcFailure('invalid', typeError);
      const data = Buffer.from(dataBase64, 'base64');
      const error = attachmentFileError({ name: fileName, contentType: type, size: data.length });
      if (error) throw new IpcFailure('invalid', error);
      const id = `${LOCAL_ATTACHMENT_PREFIX}${randomUUID()}`;
      s.cache.db
        .prepare(`INSERT INTO staged_attachments (id, conversation_id, name, content_type, size, data, created_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(id, conversationId, fileName, type, data.length, data, Date.now());
      return { id, name: fileName, contentType: type, size: data.length };
    },

    'actions.sendMessageWithAttachments': ({ conversationId, body, attachmentIds }) => {
      const s = deps.session();
      const rows = attachmentIds.map((id) => staged(s.cache, id));
      if (rows.some((r) => !r || r.conversation_id !== conversationId)) {
        throw new IpcFailure('not_found', 'An attachment is no longer available; attach the file again.');
      }
      const attachments = (rows as StagedRow[]).map((r) => ({ ...view(r), id: r.server_id ?? r.id }));
      const error = attachmentSetError(attachments);
      if (error) throw new IpcFailure('invalid', error);
      const messageId = randomUUID();
      deps.enqueue({ name: 'message.send', args: { conversationId, messageId, body, attachments } });
      return { messageId };
    },

    'attachments.read': async ({ id }) => {
      const s = deps.session();
      if (isLocalAttachmentId(id)) {
        const row = s.cache.db.prepare('SELECT name, content_type, data FROM staged_attachments WHERE id = ?').get(id) as
          | { name: string; content_type: string; data: Buffer }
          | undefined;
        if (!row) throw new IpcFailure('not_found', 'No such attachment.');
        return { name: row.name, contentType: row.content_type, dataBase64: row.data.toString('base64') };
      }
      // Files this computer uploaded are served from the cache, offline too.
      const local = s.cache.db.prepare('SELECT name, content_type, data FROM staged_attachments WHERE server_id = ?').get(id) as
        | { name: string; content_type: string; data: Buffer }
        | undefined;
      if (local) return { name: local.name, contentType: local.content_type, dataBase64: local.data.toString('base64') };
      let res: Response;
      try {
        res = await fetch(new URL(`${HTTP_PATHS.attachments}/${encodeURIComponent(id)}`, s.serverUrl), {
          headers: { authorization: `Bearer ${s.token}` },
          signal: AbortSignal.timeout(60_000),
        });
      } catch {
        throw new IpcFailure('unavailable', 'The attachment cannot be loaded while offline.');
      }
      if (res.status === 404) throw new IpcFailure('not_found', 'No such attachment.');
      if (!res.ok) throw new IpcFailure('unavailable', `The server answered ${res.status}.`);
      const data = Buffer.from(await res.arrayBuffer());
      const name = /filename="([^"]*)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'attachment';
      return { name, contentType: res.headers.get('content-type') ?? 'application/octet-stream', dataBase64: data.toString('base64') };
    },
  };
}
