import type { IncomingMessage, ServerResponse } from 'node:http';
import { DeviceId, DeviceKeyPut, HTTP_PATHS } from '../../protocol/http.ts';
import { deviceKeyOf, forgetDeviceKey, storeDeviceKey } from '../domain/device-keys.ts';
import type { Domain } from '../domain/domain.ts';
import { bearerToken, HttpError, readBody, sendJson } from './respond.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

async function signedInUser(domain: Domain, req: IncomingMessage) {
  const token = bearerToken(req);
  const auth = token ? await domain.sessions.authenticate(token) : null;
  if (!auth) throw new HttpError(401, 'unauthenticated', 'Send a valid session token as Authorization: Bearer <token>.');
  return auth.user;
}

function deviceIdParam(req: IncomingMessage): string {
  const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('deviceId');
  const parsed = DeviceId.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, 'invalid', `deviceId: ${parsed.error.issues[0]?.message ?? 'missing'}`);
  return parsed.data;
}

/** GET / PUT / DELETE /api/device-key (protocol/http.ts): a person's cache key for one device, after sign-in only. */
export function deviceKeyRoutes(domain: Domain, bodyLimitBytes: number): Record<string, Partial<Record<string, Handler>>> {
  return {
    [HTTP_PATHS.deviceKey]: {
      GET: async (req, res) => {
        const user = await signedInUser(domain, req);
        sendJson(res, 200, await deviceKeyOf(domain, user, deviceIdParam(req)));
      },
      PUT: async (req, res) => {
        const user = await signedInUser(domain, req);
        const body = await readBody(req, DeviceKeyPut, bodyLimitBytes);
        sendJson(res, 200, await storeDeviceKey(domain, user, body.deviceId, body.key));
      },
      DELETE: async (req, res) => {
        const user = await signedInUser(domain, req);
        await forgetDeviceKey(domain, user, deviceIdParam(req));
        res.writeHead(204).end();
      },
    },
  };
}
