import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, refuseSocket, type HttpBoundaryOptions } from '../../boundary/http-boundary.ts';
import { ClientAbort, HttpError } from '../../boundary/http-errors.ts';
import { hasStack, rawExchange } from '../support/raw-http.ts';

let server: Server | null = null;
const logs: string[] = [];

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
  logs.length = 0;
});

async function start(onRequest: HttpBoundaryOptions['onRequest'], onUpgrade?: HttpBoundaryOptions['onUpgrade']): Promise<number> {
  server = createHttpServer({
    name: 'test',
    log: (line) => logs.push(line),
    onRequest,
    onUpgrade,
    sendError: (res, error) => void res.writeHead(error.status, { 'content-type': 'text/plain' }).end(error.code),
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const get = (port: number, target: string, extra = '') => rawExchange(port, `GET ${target} HTTP/1.1\r\nhost: x\r\n${extra}\r\n`);
const upgrade = 'connection: Upgrade\r\nupgrade: websocket\r\n';

describe('the HTTP boundary', () => {
  it('answers what a handler throws, sync or async, and logs a server fault once with its stack', async () => {
    const thrown: Record<string, () => unknown> = {
      '/sync-throw': () => {
        throw new Error('boom');
      },
      '/async-throw': async () => Promise.reject(new Error('async boom')),
      '/not-an-error': () => {
        throw 'a string';
      },
      '/uri': () => decodeURIComponent('%ff'),
      '/http-error': () => {
        throw new HttpError(418, 'teapot', 'short and stout');
      },
    };
    const port = await start((_req, _res, target) => thrown[target.path]?.() as void);
    expect((await get(port, '/sync-throw')).statuses).toEqual([500]);
    expect((await get(port, '/async-throw')).statuses).toEqual([500]);
    expect((await get(port, '/not-an-error')).statuses).toEqual([500]);
    expect((await get(port, '/uri')).statuses).toEqual([400]);
    expect((await get(port, '/http-error')).statuses).toEqual([418]);
    expect(logs).toHaveLength(4);
    expect(logs.filter(hasStack)).toHaveLength(2);
    expect(logs[2]).toBe('test: GET "/not-an-error": failed: a string');
    expect(logs[3]).toContain('test: GET "/uri": malformed input: URI malformed');
  });

  it('refuses an unparsable target before any handler runs, as a request and as an upgrade', async () => {
    let calls = 0;
    const port = await start(
      () => void calls++,
      () => void calls++,
    );
    expect((await get(port, 'http://[')).statuses).toEqual([400]);
    expect((await get(port, '/%ff')).statuses).toEqual([400]);
    expect((await get(port, 'http://[', upgrade)).statuses).toEqual([400]);
    expect(calls).toBe(0);
    expect(logs).toEqual([
      'test: GET "http://[": malformed request target: not a URL',
      'test: GET "/%ff": malformed request target: bad percent-escape',
      'test: GET "http://[": malformed request target: not a URL',
    ]);
  });

  it('answers an upgrade handler that throws, and refuses upgrades it has no handler for', async () => {
    const port = await start(
      () => {},
      (_req, socket, _head, target) => {
        if (target.path === '/refused') return refuseSocket(socket, 403);
        throw new Error('upgrade boom');
      },
    );
    expect((await get(port, '/refused', upgrade)).statuses).toEqual([403]);
    expect((await get(port, '/x', upgrade)).statuses).toEqual([500]);
    expect(logs).toHaveLength(1);
    await new Promise<void>((r) => server!.close(() => r()));
    const bare = await start(() => {});
    expect((await get(bare, '/x', upgrade)).statuses).toEqual([404]);
  });

  it('logs a client abort in one line and answers nobody; a failure after the head was sent cuts the response', async () => {
    const port = await start((_req, res, target) => {
      if (target.path === '/abort') throw new ClientAbort();
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      throw new Error('mid-answer');
    });
    expect((await get(port, '/abort')).statuses).toEqual([]);
    expect((await get(port, '/late')).statuses).toEqual([200]);
    expect(logs[0]).toBe('test: GET "/abort": client aborted the request');
    expect(logs[1]).toContain('failed: Error: mid-answer');
  });

  it('answers an unreadable request 400 (431 for an oversized head) in one line', async () => {
    const port = await start(() => {});
    expect((await rawExchange(port, 'GET / HTTP/1.1\r\nbad header\r\n\r\n')).statuses).toEqual([400]);
    expect((await rawExchange(port, `GET / HTTP/1.1\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`)).statuses).toEqual([431]);
    expect(logs).toHaveLength(2);
    expect(logs.filter(hasStack)).toEqual([]);
  });
});
