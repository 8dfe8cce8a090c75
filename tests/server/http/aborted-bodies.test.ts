import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortMidBody, hasStack } from '../../support/raw-http.ts';
import { MAYA, signIn, startTestServer, type TestServer } from '../support/sync-client.ts';

/**
 * Issue 8 (4): a client that drops the connection in the middle of a large body is a client abort —
 * one log line, no stack — and the server carries on.
 */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ bodyLimitBytes: 1024 * 1024 });
});
afterAll(async () => {
  await t.close();
});

/** The log lines written since `from`, once one mentions the abort (the server logs it after the socket closes). */
async function linesAfterAbort(from: number): Promise<string[]> {
  for (let i = 0; i < 400 && !t.logs.slice(from).some((l) => l.includes('client aborted')); i++) await new Promise((r) => setTimeout(r, 25));
  return t.logs.slice(from);
}

const port = () => Number(new URL(t.server.url).port);
const head = (path: string, headers: Record<string, string>, length: number) =>
  `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}content-length: ${length}\r\n\r\n`;

describe('an upload dropped mid-body', () => {
  it.each([
    ['/webhooks/whatsapp', { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }],
    ['/webhooks/twilio/sms', { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }],
    ['/api/session', { 'content-type': 'application/json' }],
  ])('%s logs one line as a client abort, without a stack', async (path, headers) => {
    const from = t.logs.length;
    await abortMidBody(port(), head(path, headers, 600_000), Buffer.alloc(200_000, 'a'));
    const lines = await linesAfterAbort(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`POST "${path}": client aborted the request`);
    expect(lines.filter(hasStack)).toEqual([]);
    expect(await signIn(t.server.url, MAYA)).toBeTruthy();
  }, 20_000);

  it('an attachment upload too', async () => {
    const token = await signIn(t.server.url, MAYA);
    const from = t.logs.length;
    const path = '/api/attachments?conversationId=conv_sales_0003&name=big.pdf';
    await abortMidBody(port(), head(path, { 'content-type': 'application/pdf', authorization: `Bearer ${token}` }, 4_000_000), Buffer.alloc(300_000, 'a'));
    const lines = await linesAfterAbort(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('client aborted the request');
    expect(lines.filter(hasStack)).toEqual([]);
  }, 20_000);
});
