import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeIssue } from '../../protocol/issues.ts';
import type { z } from 'zod';
import { SURVEY_PATHS, SurveyForm, SurveyReportQuery, SurveySettingsPut, SurveySettingsQuery } from '../../protocol/surveys.ts';
import { pathAfter, type RequestTarget } from '../../boundary/request-target.ts';
import type { Domain } from '../domain/domain.ts';
import { Rejection } from '../domain/errors.ts';
import { ClientAbort, HttpError, bearerToken, readBody, readBodyBytes, sendJson } from '../http/respond.ts';
import { SURVEY_PAGE_CSP, SURVEY_PAGES, surveyFormPage } from './page.ts';

/**
 * The survey transport (issue 12 §2): the customer's page at /s/<token> (no sign-in; a plain form, so it works
 * without script) and the manager API (the inbox's survey text, the CSAT report). Decisions are the domain's.
 */

type Handler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void> | void;

/** A form is a rating and at most a thousand characters; anything much bigger is not a form of ours. */
const FORM_LIMIT_BYTES = 16 * 1024;

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': SURVEY_PAGE_CSP,
    // The token is in the address: never hand it to another site, never keep a copy.
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

async function showSurvey(domain: Domain, res: ServerResponse, token: string): Promise<void> {
  const view = await domain.surveys.page(token);
  if (!view) return sendPage(res, 404, SURVEY_PAGES.notFound());
  if (view.state === 'expired') return sendPage(res, 410, SURVEY_PAGES.expired());
  if (view.state === 'answered') return sendPage(res, 200, SURVEY_PAGES.alreadyAnswered());
  sendPage(res, 200, surveyFormPage({ organisation: view.organisation, inbox: view.inbox }));
}

/** The posted form's fields as strings (the first of each name), whatever bytes arrived. */
async function readForm(req: IncomingMessage): Promise<{ rating?: string; comment?: string }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) throw new HttpError(415, 'unsupported_media_type', 'Send the form as application/x-www-form-urlencoded.');
  const params = new URLSearchParams((await readBodyBytes(req, FORM_LIMIT_BYTES)).toString('utf8'));
  return { rating: params.get('rating') ?? undefined, comment: params.get('comment') ?? undefined };
}

async function answerSurvey(domain: Domain, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const view = await domain.surveys.page(token);
  if (!view) return sendPage(res, 404, SURVEY_PAGES.notFound());
  let fields: { rating?: string; comment?: string };
  try {
    fields = await readForm(req);
  } catch (err) {
    if (err instanceof ClientAbort || !(err instanceof HttpError)) throw err;
    return sendPage(res, err.status, SURVEY_PAGES.unreadable(err.message));
  }
  const parsed = SurveyForm.safeParse(fields);
  if (!parsed.success) {
    const rating = /^[1-5]$/.test(fields.rating ?? '') ? Number(fields.rating) : null;
    const page = surveyFormPage({ organisation: view.organisation, inbox: view.inbox, rating, comment: (fields.comment ?? '').slice(0, 4000), error: parsed.error.issues[0]?.message ?? 'Check the form.' });
    return sendPage(res, 400, page);
  }
  const outcome = await domain.surveys.answerByToken(token, parsed.data);
  if (!outcome) return sendPage(res, 404, SURVEY_PAGES.notFound());
  if (outcome.taken) return sendPage(res, 200, SURVEY_PAGES.thanks(parsed.data.rating));
  if (outcome.state === 'expired') return sendPage(res, 410, SURVEY_PAGES.expired());
  sendPage(res, 409, SURVEY_PAGES.alreadyAnswered());
}

/** GET / HEAD / POST /s/<token>; null for other paths. */
export function surveyPageRoute(domain: Domain, target: RequestTarget, method: string): Handler | null {
  const token = pathAfter(target, SURVEY_PATHS.page);
  if (token === null) return null;
  if (method === 'GET' || method === 'HEAD') return (_req, res) => showSurvey(domain, res, token);
  if (method === 'POST') return (req, res) => answerSurvey(domain, req, res, token);
  return (_req, res) => {
    res.setHeader('allow', 'GET, HEAD, POST');
    sendPage(res, 405, SURVEY_PAGES.unreadable(`${method} is not allowed here.`));
  };
}

async function signedInUser(domain: Domain, req: IncomingMessage) {
  const token = bearerToken(req);
  const auth = token ? await domain.sessions.authenticate(token) : null;
  if (!auth) throw new HttpError(401, 'unauthenticated', 'Send a valid session token as Authorization: Bearer <token>.');
  return auth.user;
}

/** The domain's refusals as HTTP answers. */
async function answering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof Rejection)) throw err;
    throw new HttpError(err.code === 'forbidden' ? 403 : err.code === 'not_found' ? 404 : 400, err.code, err.message);
  }
}

function query<S extends z.ZodType>(target: RequestTarget, schema: S): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(target.url.searchParams));
  if (!parsed.success) throw new HttpError(400, 'invalid', describeIssue(parsed.error));
  return parsed.data;
}

/** GET/PUT /api/surveys/settings and GET /api/surveys/report (protocol/surveys.ts). */
export function surveyApiRoutes(domain: Domain, bodyLimitBytes: number): Record<string, Partial<Record<string, Handler>>> {
  return {
    [SURVEY_PATHS.settings]: {
      GET: async (req, res, target) => {
        const user = await signedInUser(domain, req);
        const { inboxId } = query(target, SurveySettingsQuery);
        sendJson(res, 200, await answering(() => domain.surveys.settings(user, inboxId)));
      },
      PUT: async (req, res) => {
        const user = await signedInUser(domain, req);
        const body = await readBody(req, SurveySettingsPut, bodyLimitBytes);
        sendJson(res, 200, await answering(() => domain.surveys.saveSettings(user, body)));
      },
    },
    [SURVEY_PATHS.report]: {
      GET: async (req, res, target) => {
        const user = await signedInUser(domain, req);
        const period = query(target, SurveyReportQuery);
        sendJson(res, 200, await answering(() => domain.surveys.report(user, period)));
      },
    },
  };
}
