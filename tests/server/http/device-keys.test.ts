import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceKeyResponse } from '../../../protocol/http.ts';
import { runSharedWorkstationCli } from '../../../server/admin/shared-workstation-cli.ts';
import { startTestServer, type TestServer } from '../support/sync-client.ts';

let t: TestServer;
let sam: string;
let maya: string;
const DEVICE = '0123456789abcdef0123456789abcdef';
const KEY = 'c0'.repeat(32);

async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(`${t.server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return ((await res.json()) as { token: string }).token;
}

const call = (method: string, token: string | null, query = `?deviceId=${DEVICE}`, body?: unknown): Promise<Response> =>
  fetch(`${t.server.url}/api/device-key${query}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  t = await startTestServer({ demo: true });
  sam = await signIn('sam@demo.switchboard.test', 'demo-agent');
  maya = await signIn('maya@demo.switchboard.test', 'demo-manager');
});
afterAll(() => t.close());

describe('GET / PUT / DELETE /api/device-key', () => {
  it('hands a device key only to the person it belongs to, after sign-in', async () => {
    expect(DeviceKeyResponse.parse(await (await call('GET', sam)).json())).toEqual({ sharedWorkstation: false, key: null });
    expect(DeviceKeyResponse.parse(await (await call('PUT', sam, '', { deviceId: DEVICE, key: KEY })).json())).toEqual({ sharedWorkstation: false, key: KEY });
    expect(await (await call('GET', sam)).json()).toEqual({ sharedWorkstation: false, key: KEY });
    // Another person on the same device has their own (none yet); nobody signed out gets anything.
    expect(await (await call('GET', maya)).json()).toEqual({ sharedWorkstation: false, key: null });
    expect((await call('GET', null)).status).toBe(401);
    expect((await call('GET', 'not-a-token')).status).toBe(401);
    expect((await call('DELETE', sam)).status).toBe(204);
    expect(await (await call('GET', sam)).json()).toEqual({ sharedWorkstation: false, key: null });
  });

  it('reports the organisation mode an admin sets with org:shared-workstation', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runSharedWorkstationCli(['status', '--data-dir', t.dataDir], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(await runSharedWorkstationCli(['on', '--data-dir', t.dataDir], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(await (await call('GET', sam)).json()).toMatchObject({ sharedWorkstation: true });
    expect(await runSharedWorkstationCli(['status', '--data-dir', t.dataDir], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(await runSharedWorkstationCli(['off', '--data-dir', t.dataDir], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(await (await call('GET', sam)).json()).toMatchObject({ sharedWorkstation: false });
    expect(out[0]).toBe('shared-workstation mode is off');
    expect(out[1]).toMatch(/is on for Northwind Outfitters/);
    expect(out[2]).toBe('shared-workstation mode is on');
    expect(await runSharedWorkstationCli(['maybe', '--data-dir', t.dataDir], () => {}, (l) => err.push(l))).toBe(2);
    expect(await runSharedWorkstationCli(['on', '--org', 'org_nope', '--data-dir', t.dataDir], () => {}, (l) => err.push(l))).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^usage: org:shared-workstation/), 'there is no organisation org_nope']);
  });

  const garbage = fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{0,40}$/), fc.constantFrom('', '%ff', '0'.repeat(31), 'A'.repeat(32), '0'.repeat(33)));
  test.prop([garbage], { numRuns: 60 })('refuses a malformed device id with 400, never a 5xx', async (deviceId) => {
    fc.pre(!/^[0-9a-f]{32}$/.test(deviceId));
    const res = await call('GET', sam, `?deviceId=${encodeURIComponent(deviceId)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid');
  });

  test.prop([fc.record({ deviceId: fc.oneof(fc.constant(DEVICE), garbage), key: fc.oneof(fc.constant(KEY), garbage, fc.integer()) }, { requiredKeys: [] })], {
    numRuns: 60,
  })('stores a key only when device id and key are both well formed; anything else is 400', async (body) => {
    const res = await call('PUT', maya, '', body);
    const valid = body.deviceId === DEVICE && body.key === KEY;
    expect(res.status).toBe(valid ? 200 : 400);
  });
});
