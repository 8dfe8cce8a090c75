import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS } from '../../../protocol/attachments.ts';
import type { FetchedMedia } from '../../../server/channels/channel-adapter.ts';
import {
  mediaDownload,
  mediaRequestSignal,
  MediaUnavailable,
  receiveInboundWithMedia,
  storeInboundMedia,
  withRefusedNote,
  type StoredMedia,
} from '../../../server/channels/inbound-media.ts';
import { AttachmentFiles } from '../../../server/blobs/attachment-files.ts';
import { LocalBlobStore } from '../../../server/blobs/local-blob-store.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';

type Ref = { declaredType: string };

let dir: string;
let storage: Storage;
let store: AttachmentFiles;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inbound-media-'));
  storage = openSqliteStorage({ file: ':memory:' });
  store = new AttachmentFiles(storage, new LocalBlobStore(join(dir, 'blobs')));
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The bytes in the blob directory, and the facts in the database, whatever their state. */
const storedFiles = () => readdirSync(join(dir, 'blobs'));
const factRows = () => storage.transaction(async (tx) => (await tx.unlinkedAttachments(Number.MAX_SAFE_INTEGER, 100)).length);
const name = (contentType: string) => `media-1.${contentType === 'image/png' ? 'png' : 'bin'}`;

/** A provider that serves `chunks` and records how far they were read. */
function provider(stated: Partial<FetchedMedia>, chunks: Uint8Array[] = []) {
  const seen = { fetched: 0, read: 0, closed: false };
  async function* body() {
    try {
      for (const chunk of chunks) {
        seen.read++;
        yield chunk;
      }
    } finally {
      seen.closed = true;
    }
  }
  const adapter = {
    fetchMedia: async (): Promise<FetchedMedia> => {
      seen.fetched++;
      return { contentType: 'image/png', size: null, body: body(), ...stated };
    },
  };
  return { adapter, seen };
}

const store1 = (adapter: { fetchMedia(ref: Ref): Promise<FetchedMedia> }, declaredType = 'image/png', storedBytes = 0): Promise<StoredMedia> =>
  storeInboundMedia(store, adapter, { declaredType }, { name, storedBytes, channelId: 'ch_sms' });

describe('storeInboundMedia', () => {
  it('stores the bytes under the stated type, on no message or conversation yet', async () => {
    const { adapter } = provider({ contentType: 'image/PNG; x=1' }, [Buffer.from('ab'), Buffer.from('cd')]);
    const stored = await store1(adapter);
    if (!('file' in stored)) throw new Error(`refused: ${stored.refused}`);
    expect(stored.file).toMatchObject({ name: 'media-1.png', contentType: 'image/png', size: 4 });
    expect(readFileSync(join(dir, 'blobs', stored.file.id), 'utf8')).toBe('abcd');
    expect(await store.row(stored.file.id)).toMatchObject({ committed: true, size: 4, channelId: 'ch_sms', uploaderId: 'ch_sms', conversationId: null, linkedAt: null });
    expect(await store.get(stored.file.id)).toBeNull();
  });

  it('refuses a file over the limit, stops the download and keeps nothing', async () => {
    const half = Buffer.alloc(ATTACHMENT_LIMITS.maxTotalBytes / 2 + 1, 1);
    const { adapter, seen } = provider({}, [half, half, half]);
    expect(await store1(adapter)).toEqual({ refused: 'media-1.png: over the 5.0 MB limit' });
    expect(seen).toMatchObject({ read: 2, closed: true });
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('counts the bytes already stored for the message, and a stated size, against the limit', async () => {
    const small = provider({}, [Buffer.alloc(10, 1)]);
    expect(await store1(small.adapter, 'image/png', ATTACHMENT_LIMITS.maxTotalBytes - 5)).toEqual({ refused: 'media-1.png: over the 5.0 MB limit' });
    const stated = provider({ size: ATTACHMENT_LIMITS.maxTotalBytes + 1 }, [Buffer.alloc(1)]);
    expect(await store1(stated.adapter)).toEqual({ refused: 'media-1.png: over the 5.0 MB limit' });
    expect(stated.seen.read).toBe(0);
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('refuses an empty file', async () => {
    const { adapter } = provider({}, []);
    expect(await store1(adapter)).toEqual({ refused: 'media-1.png: empty' });
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('refuses a disallowed type before reading: the declared one before asking the provider, the stated one before the bytes', async () => {
    const declared = provider({}, [Buffer.from('MZ')]);
    expect(await store1(declared.adapter, 'application/x-msdownload')).toEqual({ refused: 'media-1.bin: type application/x-msdownload is not accepted' });
    expect(declared.seen.fetched).toBe(0);

    const stated = provider({ contentType: 'application/zip' }, [Buffer.from('PK')]);
    expect(await store1(stated.adapter, '')).toEqual({ refused: 'media-1.bin: type application/zip is not accepted' });
    expect(stated.seen).toMatchObject({ fetched: 1, read: 0 });

    const untyped = provider({ contentType: '' }, [Buffer.from('x')]);
    expect(await store1(untyped.adapter, '')).toEqual({ refused: 'media-1.bin: type unknown is not accepted' });
    expect(untyped.seen.read).toBe(0);
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('lets MediaUnavailable from the provider through', async () => {
    const adapter = {
      fetchMedia: async (): Promise<FetchedMedia> => {
        throw new MediaUnavailable('lookup answered 404');
      },
    };
    await expect(store1(adapter)).rejects.toBeInstanceOf(MediaUnavailable);
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });
});

describe('mediaDownload', () => {
  let server: Server;
  let requests = 0;
  let url: string;
  beforeEach(async () => {
    requests = 0;
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/gone') return void res.writeHead(404).end();
      if (req.url === '/silent') return; // never answers
      if (req.url === '/stalls') return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' }).write(Buffer.alloc(100, 1));
      if (req.headers.authorization !== 'Bearer t') return void res.writeHead(401).end();
      // Promises 1000 bytes, sends 100, then drops the connection.
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' });
      res.write(Buffer.alloc(100, 1), () => res.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const running = new AbortController().signal;
  const over = (path: string, signal = running) => ({
    fetchMedia: async (): Promise<FetchedMedia> => ({ contentType: 'image/png', size: null, body: mediaDownload(`${url}${path}`, { authorization: 'Bearer t' }, 'media 1 download', signal) }),
  });

  it('asks nothing before the first read', async () => {
    const body = mediaDownload(`${url}/file`, { authorization: 'Bearer t' }, 'media 1 download', running);
    await new Promise((r) => setTimeout(r, 20));
    expect(requests).toBe(0);
    await expect(body.next()).resolves.toMatchObject({ done: false });
    expect(requests).toBe(1);
    await body.return(undefined);
  });

  it('turns a stream that breaks off into MediaUnavailable, with no part left', async () => {
    const failed = await store1(over('/file')).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(MediaUnavailable);
    expect((failed as Error).message).toMatch(/^media 1 download broke off/);
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('gives up on a provider that does not answer, or stalls halfway, when the time is up; no part is left', async () => {
    await expect(store1(over('/silent', mediaRequestSignal(running, 100)))).rejects.toThrow(new MediaUnavailable('media 1 download timed out'));
    await expect(store1(over('/stalls', mediaRequestSignal(running, 100)))).rejects.toThrow(new MediaUnavailable('media 1 download timed out'));
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('stops a download when the server shuts down', async () => {
    const shutdown = new AbortController();
    const stored = store1(over('/stalls', mediaRequestSignal(shutdown.signal)));
    await new Promise((r) => setTimeout(r, 50));
    shutdown.abort();
    await expect(stored).rejects.toThrow(new MediaUnavailable('media 1 download was stopped'));
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('turns an error answer into MediaUnavailable', async () => {
    await expect(store1(over('/gone'))).rejects.toThrow(new MediaUnavailable('media 1 download answered 404'));
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });
});

describe('receiveInboundWithMedia', () => {
  async function part(): Promise<{ id: string; name: string; contentType: string; size: number }> {
    const stored = await store1(provider({}, [Buffer.from('png')]).adapter);
    if (!('file' in stored)) throw new Error('not stored');
    return stored.file;
  }
  const input = (file: Awaited<ReturnType<typeof part>>) => ({ channelId: 'ch_sms', from: '+12065550105', body: '', providerId: 'MM1', attachments: [file] });

  it('keeps the files of a new message (its transaction links them) and removes those of a retry already stored', async () => {
    const fresh = await part();
    // As domain/inbound.ts does in the transaction that stores the message.
    const created = {
      receiveInbound: async (i: { attachments?: Array<{ id: string }> }) => {
        await storage.transaction((tx) => tx.linkAttachments((i.attachments ?? []).map((a) => a.id), { conversationId: 'cnv_1', messageId: 'msg_1', at: 1 }));
        return { conversationId: 'cnv_1', messageId: 'msg_1', created: true };
      },
    };
    await receiveInboundWithMedia(created, store, input(fresh));
    expect(await store.get(fresh.id)).toMatchObject({ ...fresh, conversationId: 'cnv_1', uploaderId: 'ch_sms' });

    const retry = await part();
    await receiveInboundWithMedia({ receiveInbound: async () => ({ conversationId: 'cnv_1', messageId: 'msg_1', created: false }) }, store, input(retry));
    expect(await store.row(retry.id)).toBeNull();
    expect(storedFiles().filter((f) => f.startsWith(retry.id))).toEqual([]);
    expect(await factRows()).toBe(0);
  });

  it('discards the parts and rethrows when the message cannot be stored', async () => {
    const file = await part();
    const failing = {
      receiveInbound: () => {
        throw new Error('disk full');
      },
    };
    await expect(receiveInboundWithMedia(failing, store, input(file))).rejects.toThrow('disk full');
    expect(storedFiles()).toEqual([]);
    expect(await factRows()).toBe(0);
  });
});

describe('withRefusedNote', () => {
  it('names the files left out after the text', () => {
    expect(withRefusedNote('Hi', [])).toBe('Hi');
    expect(withRefusedNote('', [])).toBe('');
    expect(withRefusedNote('', ['a.zip: type application/zip is not accepted'])).toBe('[not stored: a.zip: type application/zip is not accepted]');
    expect(withRefusedNote('Hi', ['a: empty', 'b: empty'])).toBe('Hi\n[not stored: a: empty; b: empty]');
  });
});
