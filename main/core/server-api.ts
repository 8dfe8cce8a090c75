import type { z } from 'zod';
import { ApiError, DeviceKeyResponse, HTTP_PATHS, ServerInfo, SignInResponse, type SignInRequest } from '../../protocol/http.ts';
import { IpcFailure } from '../ipc-router.ts';

const TIMEOUT_MS = 10_000;

export function endpoint(serverUrl: string, path: string): string {
  return new URL(path, serverUrl).toString();
}

export async function request(url: string, init: RequestInit, serverUrl: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new IpcFailure('unavailable', `Could not reach the server at ${serverUrl}. Check the address and your connection.`);
  }
}

export async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

export function failure(res: Response, body: unknown): IpcFailure {
  const parsed = ApiError.safeParse((body as { error?: unknown } | null)?.error);
  const message = parsed.success ? parsed.data.message : `The server answered ${res.status}.`;
  if (res.status === 401) return new IpcFailure('unauthenticated', message);
  if (res.status === 403) return new IpcFailure('forbidden', message);
  if (res.status === 400 || res.status === 422) return new IpcFailure('invalid', message);
  if (res.status === 404) return new IpcFailure('not_found', message);
  return new IpcFailure('unavailable', message);
}

export async function probeServer(serverUrl: string): Promise<ServerInfo> {
  const res = await request(endpoint(serverUrl, HTTP_PATHS.info), { method: 'GET' }, serverUrl);
  const body = await readJson(res);
  if (!res.ok) throw failure(res, body);
  const info = ServerInfo.safeParse(body);
  if (!info.success) throw new IpcFailure('unavailable', `${serverUrl} does not look like a Switchboard server.`);
  return info.data;
}

export async function createSession(serverUrl: string, credentials: SignInRequest): Promise<SignInResponse> {
  const res = await request(
    endpoint(serverUrl, HTTP_PATHS.session),
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) },
    serverUrl,
  );
  const body = await readJson(res);
  if (!res.ok) throw failure(res, body);
  const parsed = SignInResponse.safeParse(body);
  if (!parsed.success) throw new IpcFailure('unavailable', 'The server sent an answer this app does not understand.');
  return parsed.data;
}

/** Best effort: signing out locally must work even when the server is unreachable. */
export async function deleteSession(serverUrl: string, token: string): Promise<void> {
  try {
    await fetch(endpoint(serverUrl, HTTP_PATHS.session), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(3_000),
    });
  } catch {
    // The token expires on the server anyway; the local data is what must go.
  }
}

const deviceKeyUrl = (serverUrl: string, deviceId: string): string =>
  `${endpoint(serverUrl, HTTP_PATHS.deviceKey)}?deviceId=${encodeURIComponent(deviceId)}`;

async function deviceKeyAnswer(res: Response): Promise<DeviceKeyResponse> {
  const body = await readJson(res);
  if (!res.ok) throw failure(res, body);
  const parsed = DeviceKeyResponse.safeParse(body);
  if (!parsed.success) throw new IpcFailure('unavailable', 'The server sent an answer this app does not understand.');
  return parsed.data;
}

/** The organisation's mode and the cache key the server holds for this person and device; null: a server from before keys. */
export async function fetchDeviceKey(serverUrl: string, token: string, deviceId: string): Promise<DeviceKeyResponse | null> {
  const res = await request(deviceKeyUrl(serverUrl, deviceId), { method: 'GET', headers: { authorization: `Bearer ${token}` } }, serverUrl);
  if (res.status === 404) return null;
  return deviceKeyAnswer(res);
}

export async function storeDeviceKey(serverUrl: string, token: string, deviceId: string, key: string): Promise<DeviceKeyResponse> {
  const res = await request(
    endpoint(serverUrl, HTTP_PATHS.deviceKey),
    { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ deviceId, key }) },
    serverUrl,
  );
  return deviceKeyAnswer(res);
}

/** Best effort, like deleteSession: the cache it opened is deleted anyway. */
export async function forgetDeviceKey(serverUrl: string, token: string, deviceId: string): Promise<void> {
  try {
    await fetch(deviceKeyUrl(serverUrl, deviceId), { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3_000) });
  } catch {
    // Useless without the file, which is gone.
  }
}

/**
 * A signed-in JSON request to the server's API, its answer checked against the protocol schema. Failures
 * become IpcFailures an agent can read (unreachable server, refused, not found).
 */
export async function authorizedJson<S extends z.ZodType>(
  serverUrl: string,
  token: string,
  path: string,
  schema: S,
  init: { method?: 'GET' | 'PUT' | 'POST'; query?: Record<string, string | number>; body?: unknown } = {},
): Promise<z.output<S>> {
  const url = new URL(endpoint(serverUrl, path));
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(
    url.toString(),
    { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) },
    serverUrl,
  );
  const body = await readJson(res);
  if (!res.ok) throw failure(res, body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new IpcFailure('unavailable', 'The server sent an answer this app does not understand.');
  return parsed.data;
}
