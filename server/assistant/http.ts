import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ASSISTANT_PATHS,
  AssistantGenerateRequest,
  AssistantSettingsInput,
  AssistantSuggestRequest,
  assistantErrorText,
  type AssistantErrorCode,
  type AssistantStreamEvent,
} from '../../protocol/assistant.ts';
import type { EntityOf } from '../../protocol/domain.ts';
import { permissions } from '../../protocol/permissions.ts';
import type { RequestTarget } from '../../boundary/request-target.ts';
import type { Domain } from '../domain/domain.ts';
import { bearerToken, HttpError, readBody, sendJson } from '../http/respond.ts';
import { runAssistantUse } from './assistant-use.ts';
import { listAssistantUses, recordAssistantUse } from './audit.ts';
import { AssistantRefused, assistantSettingsView, assistantStatus, providerSettingsFor, saveAssistantSettings } from './config.ts';
import { readConversationContext, type ConversationContext } from './conversation-context.ts';
import { buildGeneratePrompt, buildSuggestPrompt, type PromptMessage } from './prompt.ts';
import { InProcessAssistantRateLimit, type AssistantRateLimit } from './rate-limit.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void> | void;

export interface AssistantRouteOptions {
  domain: Domain;
  bodyLimitBytes: number;
  log: (line: string) => void;
  /** Per-person limit (default: in process, 20 a minute). */
  rateLimit?: AssistantRateLimit;
  /** The whole provider call (ms). Default 30,000. */
  timeoutMs?: number;
  clock?: () => number;
  /** Tests: the provider call's fetch. */
  fetch?: typeof fetch;
}

/** HTTP status of a refusal before anything streams. */
const REFUSAL_STATUS: Partial<Record<AssistantErrorCode, number>> = { not_available: 403, not_configured: 409, disabled: 409, rate_limited: 429 };

function refuse(code: AssistantErrorCode): never {
  throw new HttpError(REFUSAL_STATUS[code] ?? 400, code, assistantErrorText(code));
}

async function signedInUser(domain: Domain, req: IncomingMessage): Promise<EntityOf<'user'>> {
  const token = bearerToken(req);
  const auth = token ? await domain.sessions.authenticate(token) : null;
  if (!auth) throw new HttpError(401, 'unauthenticated', 'Send a valid session token as Authorization: Bearer <token>.');
  return auth.user;
}

async function adminUser(domain: Domain, req: IncomingMessage): Promise<EntityOf<'user'>> {
  const user = await signedInUser(domain, req);
  if (!permissions.administerAssistant(user.role)) throw new HttpError(403, 'forbidden', 'Only admins can see or change the assistant settings.');
  return user;
}

/** The Message Assistant's routes (protocol/assistant.ts ASSISTANT_PATHS). */
export function assistantRoutes(options: AssistantRouteOptions): Record<string, Partial<Record<string, Handler>>> {
  const { domain } = options;
  const clock = options.clock ?? Date.now;
  const limiter = options.rateLimit ?? new InProcessAssistantRateLimit(undefined, clock);

  /** Checks, builds the prompt, then streams NDJSON until the provider is done or the client goes away. */
  const stream = async (
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'suggest' | 'generate',
    conversationId: string,
    messageIds: string[] | null,
    prompt: (context: ConversationContext, mask: boolean) => PromptMessage[],
  ): Promise<void> => {
    const user = await signedInUser(domain, req);
    const provider = await providerSettingsFor(domain, user.orgId);
    if (!provider.ok) refuse(provider.code);
    const context = await readConversationContext(domain, user, conversationId, messageIds);
    if (!context) throw new HttpError(404, 'not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
    if (context.messages.length === 0 && kind === 'suggest') throw new HttpError(400, 'invalid', 'messageIds: none of the ticked messages has text in this conversation.');
    const allowed = await limiter.take(user.id);
    if (!allowed.ok) {
      res.setHeader('retry-after', String(Math.ceil(allowed.retryAfterMs / 1000)));
      refuse('rate_limited');
    }
    const cancel = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const send = (event: AssistantStreamEvent) => {
      if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
    };
    await runAssistantUse({
      kind,
      orgId: user.orgId,
      userId: user.id,
      conversationId,
      settings: provider.settings,
      prompt: prompt(context, provider.settings.maskContactDetails),
      signal: cancel.signal,
      timeoutMs: options.timeoutMs ?? 30_000,
      send,
      record: (use) => recordAssistantUse(domain, use),
      log: options.log,
      clock,
      fetch: options.fetch,
    });
    if (!res.writableEnded) res.end();
  };

  return {
    [ASSISTANT_PATHS.status]: {
      GET: async (req, res) => sendJson(res, 200, await assistantStatus(domain, (await signedInUser(domain, req)).orgId)),
    },
    [ASSISTANT_PATHS.settings]: {
      GET: async (req, res) => sendJson(res, 200, await assistantSettingsView(domain, (await adminUser(domain, req)).orgId)),
      PUT: async (req, res) => {
        const user = await adminUser(domain, req);
        const input = await readBody(req, AssistantSettingsInput, options.bodyLimitBytes);
        try {
          sendJson(res, 200, await saveAssistantSettings(domain, user.orgId, input, clock()));
        } catch (err) {
          if (err instanceof AssistantRefused) throw new HttpError(409, err.code, err.message);
          throw err;
        }
      },
    },
    [ASSISTANT_PATHS.uses]: {
      GET: async (req, res, target) => {
        const user = await adminUser(domain, req);
        const raw = Number(target.url.searchParams.get('limit') ?? 100);
        const limit = Number.isInteger(raw) && raw >= 1 && raw <= 1000 ? raw : 100;
        sendJson(res, 200, await listAssistantUses(domain, user.orgId, limit));
      },
    },
    [ASSISTANT_PATHS.suggest]: {
      POST: async (req, res) => {
        const body = await readBody(req, AssistantSuggestRequest, options.bodyLimitBytes);
        await stream(req, res, 'suggest', body.conversationId, body.messageIds, (context, mask) => buildSuggestPrompt(context, mask));
      },
    },
    [ASSISTANT_PATHS.generate]: {
      POST: async (req, res) => {
        const body = await readBody(req, AssistantGenerateRequest, options.bodyLimitBytes);
        await stream(req, res, 'generate', body.conversationId, null, (context, mask) => buildGeneratePrompt(context, body.intent, body.tone, mask));
      },
    },
  };
}
