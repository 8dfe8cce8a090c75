import { z } from 'zod';
import { Id, MAX_SURVEY_COMMENT, SurveyRating } from './domain.ts';

/**
 * Customer satisfaction surveys (issue 12 §2): the hosted page a customer answers, and the manager API
 * (the inbox's survey text, the CSAT report). The survey itself is sent with the `survey.send` mutation.
 */
export const SURVEY_PATHS = {
  /** GET: the survey page (no sign-in); POST: its form (application/x-www-form-urlencoded). `/s/<token>`. */
  page: '/s/',
  /** GET ?inboxId=… → SurveySettings; PUT SurveySettingsPut → SurveySettings (Bearer token, managers and admins). */
  settings: '/api/surveys/settings',
  /** GET ?from=…&to=… (epoch ms) → SurveyReport (Bearer token, managers and supervisors). */
  report: '/api/surveys/report',
} as const;

/** A survey answers for this long after it was sent; later the page says it has expired. */
export const SURVEY_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/** Link tokens: 24 random bytes (192 bits) as base64url. Anything else is not a token (404, no lookup). */
export const SURVEY_TOKEN_BYTES = 24;
export const SurveyToken = z.string().regex(/^[A-Za-z0-9_-]{32}$/);

export const MAX_SURVEY_MESSAGE = 500;
/** `{link}` is where the page's address goes; without it the link is put on its own line at the end. */
export const DEFAULT_SURVEY_MESSAGE = 'Thanks for talking with us! How did we do? Rate us from 1 to 5 here: {link}';
export const SURVEY_LINK_PLACEHOLDER = '{link}';

/**
 * The page's form as posted. Fields arrive as strings; an empty rating is "not chosen". The comment is
 * trimmed and kept as plain text.
 */
export const SurveyForm = z.object({
  rating: z
    .string({ error: 'Choose a rating from 1 to 5.' })
    .trim()
    .regex(/^[1-5]$/, 'Choose a rating from 1 to 5.')
    .transform(Number)
    .pipe(SurveyRating),
  comment: z
    .string()
    .max(MAX_SURVEY_COMMENT * 4, `A comment is at most ${MAX_SURVEY_COMMENT} characters.`)
    .default('')
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(MAX_SURVEY_COMMENT, `A comment is at most ${MAX_SURVEY_COMMENT} characters.`)),
});
export type SurveyForm = z.infer<typeof SurveyForm>;

export const SurveySettings = z.object({
  inboxId: Id,
  /** The text sent with the link (DEFAULT_SURVEY_MESSAGE until a manager changes it). */
  message: z.string(),
  isDefault: z.boolean(),
});
export type SurveySettings = z.infer<typeof SurveySettings>;

export const SurveySettingsQuery = z.object({ inboxId: Id });

export const SurveySettingsPut = z.object({
  inboxId: Id,
  message: z.string().trim().min(1, 'the survey message cannot be empty').max(MAX_SURVEY_MESSAGE, `the survey message is at most ${MAX_SURVEY_MESSAGE} characters`),
});
export type SurveySettingsPut = z.infer<typeof SurveySettingsPut>;

/** The longest period a report covers (a year and a bit), so one request cannot scan everything forever. */
export const MAX_REPORT_PERIOD_MS = 400 * 24 * 60 * 60 * 1000;

/** Refuses a period that ends before it starts or is longer than a report covers. */
function periodProblem(q: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (q.to <= q.from) ctx.addIssue({ code: 'custom', message: 'the period must end after it starts', path: ['to'] });
  else if (q.to - q.from > MAX_REPORT_PERIOD_MS) ctx.addIssue({ code: 'custom', message: 'a report covers at most 400 days', path: ['to'] });
}
const Time = z.number().int().nonnegative();
/** A report period [from, to) in epoch ms, as the renderer asks for it. */
export const SurveyPeriod = z.object({ from: Time, to: Time }).superRefine(periodProblem);
/** The same period in the report's query string (?from=…&to=…). */
export const SurveyReportQuery = z.object({ from: z.coerce.number().pipe(Time), to: z.coerce.number().pipe(Time) }).superRefine(periodProblem);
export type SurveyReportQuery = z.infer<typeof SurveyReportQuery>;

/** Surveys sent in the period and what became of them. csat and responseRate are 0..1, null with nothing to divide. */
export const SurveyFigures = z.object({
  sent: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  satisfied: z.number().int().nonnegative(),
  csat: z.number().min(0).max(1).nullable(),
  responseRate: z.number().min(0).max(1).nullable(),
});
export type SurveyFigures = z.infer<typeof SurveyFigures>;

export const SurveyReport = z.object({
  from: z.number().int(),
  to: z.number().int(),
  total: SurveyFigures,
  inboxes: z.array(SurveyFigures.extend({ inboxId: Id, name: z.string() })),
  agents: z.array(SurveyFigures.extend({ userId: Id, name: z.string() })),
});
export type SurveyReport = z.infer<typeof SurveyReport>;

/** The figures of counts (one rule for the server's report and any test computing them by hand). */
export function surveyFigures(sent: number, answered: number, satisfied: number): SurveyFigures {
  return {
    sent,
    answered,
    satisfied,
    csat: answered > 0 ? satisfied / answered : null,
    responseRate: sent > 0 ? answered / sent : null,
  };
}
