import type { IncomingMessage, ServerResponse } from 'node:http';
import { DemoInboundRequest, HTTP_PATHS, SIGN_IN_ERROR_CODES, SignInRequest, type DemoAccount, type ServerInfo } from '../../protocol/http.ts';
import { PROTOCOL_VERSION } from '../../protocol/version.ts';
import type { Domain } from '../domain/domain.ts';
import { UnknownChannelError } from '../domain/inbound.ts';
import { SignInThrottled } from '../domain/sign-in-throttle.ts';
import { clientAddress } from '../webchat/limits.ts';
import type { RequestTarget } from '../../boundary/request-target.ts';
import { HttpError, bearerToken, readBody, sendJson } from './respond.ts';
import { attachmentRoute } from './attachments.ts';
import { mediaRoute } from './media.ts';
import type { MediaLinks } from '../channels/media-links.ts';
import { twilioWebhookRoutes } from './twilio-webhooks.ts';
import { whatsAppWebhookRoutes } from './whatsapp-webhooks.ts';
import { deviceKeyRoutes } from './device-keys.ts';
import { healthRoutes, type ReadinessProbes } from './health.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import { assistantRoutes, type AssistantRouteOptions } from '../assistant/http.ts';
import { surveyApiRoutes, surveyPageRoute } from '../surveys/http.ts';
import { historyRoutes } from './history.ts';

export interface RouteOptions {
  domain: Domain;
  /** Accounts listed by /api/info; null outside demo mode. */
  demoAccounts: readonly DemoAccount[] | null;
  /** Whether POST /api/demo/inbound exists (demo mode or tests). */
  demoInbound: boolean;
  bodyLimitBytes: number;
  /** Meeting address template for the clients (null: they use their default). */
  meetingUrlTemplate?: string | null;
  /** SPEC (18): uploaded files (POST/GET /api/attachments); absent = no attachment routes. */
  attachments?: AttachmentFiles;
  /** Signed public links to attachments (GET /media/<id>) for outbound MMS; absent = no media route. */
  mediaLinks?: MediaLinks;
  /** What GET /readyz checks (default: the database answers a query). */
  readiness?: ReadinessProbes;
  /** Behind a reverse proxy: sign-in limits key on the first X-Forwarded-For address, not the proxy's. */
  trustProxy?: boolean;
  /** Message Assistant (issue 12): limits, timeout and (tests) the provider fetch. */
  assistant?: Pick<AssistantRouteOptions, 'rateLimit' | 'timeoutMs' | 'clock' | 'fetch'>;
  log: (line: string) => void;
}

/** A route; the HTTP boundary (boundary/http-boundary.ts) answers whatever it throws. */
export type Handler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void> | void;

/** A throttled sign-in becomes 429 with Retry-After (seconds) and the wait in words. */
async function signInOrThrottle(domain: Domain, body: SignInRequest, address: string, res: ServerResponse) {
  try {
    return await domain.sessions.signIn(body.email, body.password, { clientAddress: address });
  } catch (err) {
    if (!(err instanceof SignInThrottled)) throw err;
    res.setHeader('retry-after', String(Math.max(1, Math.ceil(err.refusal.retryAfterMs / 1000))));
    throw new HttpError(429, SIGN_IN_ERROR_CODES.throttled, err.message);
  }
}

/** The HTTP API of protocol/http.ts; transport only, every decision is in the domain. */
export function createHttpHandler(options: RouteOptions): Handler {
  const { domain } = options;
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    ...healthRoutes(options.readiness ?? { database: async () => void (await domain.head()) }),
    [HTTP_PATHS.info]: {
      GET: async (_req, res) => {
        const info: ServerInfo = {
          name: 'switchboard',
          protocol: PROTOCOL_VERSION,
          organisation: await domain.organisationName(),
          demoAccounts: options.demoAccounts ? [...options.demoAccounts] : null,
          meetingUrlTemplate: options.meetingUrlTemplate ?? null,
        };
        sendJson(res, 200, info);
      },
    },
    [HTTP_PATHS.session]: {
      POST: async (req, res) => {
        const body = await readBody(req, SignInRequest, options.bodyLimitBytes);
        const session = await signInOrThrottle(domain, body, clientAddress(req, options.trustProxy), res);
        if (!session) throw new HttpError(401, SIGN_IN_ERROR_CODES.invalidCredentials, 'That email and password do not match an active account.');
        sendJson(res, 200, { token: session.token, user: session.user });
      },
      DELETE: async (req, res) => {
        const token = bearerToken(req);
        if (!token) throw new HttpError(401, 'unauthenticated', 'Send the session token as Authorization: Bearer <token>.');
        if (!(await domain.sessions.signOut(token))) throw new HttpError(401, 'unauthenticated', 'This session is unknown or already signed out.');
        res.writeHead(204).end();
      },
    },
  };
  if (options.demoInbound) {
    routes[HTTP_PATHS.demoInbound] = {
      POST: async (req, res) => {
        const body = await readBody(req, DemoInboundRequest, options.bodyLimitBytes);
        try {
          const result = await domain.receiveInbound(body);
          sendJson(res, 200, { conversationId: result.conversationId, messageId: result.messageId });
        } catch (err) {
          if (err instanceof UnknownChannelError) throw new HttpError(404, 'not_found', err.message);
          throw err;
        }
      },
    };
  }

  Object.assign(routes, deviceKeyRoutes(domain, options.bodyLimitBytes));
  Object.assign(routes, assistantRoutes({ domain, bodyLimitBytes: options.bodyLimitBytes, log: options.log, ...options.assistant }));
  Object.assign(routes, surveyApiRoutes(domain, options.bodyLimitBytes));
  Object.assign(routes, historyRoutes(domain, options.bodyLimitBytes));
  // Issue 4: provider webhooks (each checks the provider's signature itself).
  Object.assign(routes, twilioWebhookRoutes({ domain, bodyLimitBytes: options.bodyLimitBytes, log: options.log, attachments: options.attachments }));
  Object.assign(routes, whatsAppWebhookRoutes({ domain, bodyLimitBytes: options.bodyLimitBytes, log: options.log, attachments: options.attachments }));

  return async (req, res, target) => {
    const method = req.method ?? 'GET';
    const attachment = options.attachments
      ? (attachmentRoute(domain, options.attachments, target, method) ??
        (options.mediaLinks ? mediaRoute(options.attachments, options.mediaLinks, target, method) : null))
      : null;
    if (attachment) return attachment(req, res, target);
    const survey = surveyPageRoute(domain, target, method);
    if (survey) return survey(req, res, target);
    const methods = routes[target.path];
    if (!methods) throw new HttpError(404, 'not_found', `No route ${target.path}.`);
    const handler = methods[method];
    if (!handler) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${target.path}.`);
    }
    await handler(req, res, target);
  };
}
