import type { Server } from 'node:http';
import { createHttpServer } from '../../../boundary/http-boundary.ts';
import { sendError } from '../../../server/http/respond.ts';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { WEBCHAT_PATHS, WEBCHAT_VISITOR_HEADER } from '../../../protocol/webchat.ts';
import { AttachmentFiles } from '../../../server/blobs/attachment-files.ts';
import { LocalBlobStore } from '../../../server/blobs/local-blob-store.ts';
import { createWebchatHttp } from '../../../server/webchat/http.ts';
import { WebchatHub, type WebchatHubOptions } from '../../../server/webchat/hub.ts';
import { isWidgetVisitor } from '../../../server/webchat/visitors.ts';
import { openTestDomain, tempDir, type TestDomain } from '../support/fixtures.ts';
import { Visitor } from '../support/webchat-client.ts';

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
export const PDF = Buffer.from('%PDF-1.4\n% test\n');

/**
 * The web chat as app.ts wires it — hub, widget HTTP routes (uploads included), attachment store —
 * over a seeded test domain on a real loopback server.
 */
export async function startChat(options: WebchatHubOptions = {}) {
  const files = tempDir('switchboard-webchat-');
  const t: TestDomain = await openTestDomain({ attachments: true });
  const store = new AttachmentFiles(t.storage, new LocalBlobStore(files.path));
  const hub = new WebchatHub(t.domain, (l) => t.logs.push(l), options, store);
  t.domain.useDeliveryFor('webchat', hub.delivery, (c) => isWidgetVisitor(c.customerAddress));
  const http = createWebchatHttp({ demo: false, domain: t.domain, hub });
  const server: Server = createHttpServer({
    name: 'http',
    log: (l) => t.logs.push(l),
    sendError,
    onRequest: (req, res, target) => http(req, res, target) ?? void res.writeHead(404).end(),
    onUpgrade: (req, socket, head, target) => {
      if (target.path === WEBCHAT_PATHS.socket) return hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const open: Visitor[] = [];

  const chat = {
    t,
    hub,
    store,
    base,
    socketUrl: `${base.replace('http', 'ws')}${WEBCHAT_PATHS.socket}`,

    /** A visitor who said hello on the Sales widget. */
    async visitor(visitorToken: string | null = null) {
      const v = await Visitor.open(chat.socketUrl);
      open.push(v);
      v.send({ type: 'hello', widgetKey: 'widget-sales', visitorToken });
      const welcome = await v.next('welcome');
      return { v, token: welcome.visitorToken, welcome };
    },

    upload(token: string | null, body: Buffer, init: { type?: string; name?: string; widget?: string; origin?: string } = {}) {
      const headers: Record<string, string> = { 'content-type': init.type ?? 'image/png' };
      if (token) headers[WEBCHAT_VISITOR_HEADER] = token;
      if (init.origin) headers.origin = init.origin;
      const query = new URLSearchParams({ widget: init.widget ?? 'widget-sales', name: init.name ?? 'photo.png' });
      return fetch(`${base}${WEBCHAT_PATHS.attachments}?${query}`, { method: 'POST', headers, body });
    },

    download(token: string | null, id: string, widget = 'widget-sales') {
      const headers: Record<string, string> = {};
      if (token) headers[WEBCHAT_VISITOR_HEADER] = token;
      return fetch(`${base}${WEBCHAT_PATHS.attachments}/${id}?widget=${widget}`, { headers });
    },

    /** A file an agent uploaded to a conversation (as POST /api/attachments would store it). */
    async agentFile(conversationId: string, name: string, contentType: string, bytes: Buffer) {
      const { id } = await store.store({ name, contentType, conversationId, channelId: null, uploaderId: 'user_sam' }, [bytes]);
      return { id, name, contentType, size: bytes.length };
    },

    /** A raw socket with an Origin header, closed or welcomed. */
    rawSocket(origin: string) {
      return new WebSocket(chat.socketUrl, { origin });
    },

    async close() {
      for (const v of open.splice(0)) v.close();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
      files.remove();
    },
  };
  return chat;
}

export const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

export const clientMessageId = (): string => Math.random().toString(36).slice(2, 12);
