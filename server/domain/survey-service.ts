import type { EntityOf, SurveyAnswer } from '../../protocol/domain.ts';
import { permissions } from '../../protocol/permissions.ts';
import { recordId } from '../../protocol/scope.ts';
import {
  DEFAULT_SURVEY_MESSAGE,
  SURVEY_PATHS,
  surveyFigures,
  type SurveyReport,
  type SurveyReportQuery,
  type SurveySettings,
  type SurveySettingsPut,
} from '../../protocol/surveys.ts';
import type { StorageTx } from '../storage/storage.ts';
import { reject } from './errors.ts';
import { answerSurvey, surveyByToken, surveyState, type SurveyState } from './surveys.ts';

type User = EntityOf<'user'>;
type Survey = EntityOf<'survey'>;

export interface SurveyServiceOptions {
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /** The domain's write: an answer reaches the change log, so agents see it live. */
  write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  clock: () => number;
}

/** What the survey page shows for a token: nothing (404), or the survey's state and whom it is about. */
export type SurveyPageView = null | { state: SurveyState; organisation: string; inbox: string; rating: number | null; expiresAt: number };

/** What became of an answer: taken, or why not (a second answer, expired); null = no such survey. */
export type SurveyAnswerOutcome = null | { state: SurveyState; survey: Survey; taken: boolean };

/**
 * The survey operations the transports call (the page, the web chat hub, the manager API). Every storage
 * call of the survey feature outside the mutation handler happens here.
 */
export class SurveyService {
  /** The public address of this server, for survey links (app.ts sets it once it listens; SWITCHBOARD_PUBLIC_URL). */
  publicUrl = 'http://127.0.0.1:4870';

  constructor(private readonly options: SurveyServiceOptions) {}

  pageUrl(token: string): string {
    return `${this.publicUrl.replace(/\/+$/, '')}${SURVEY_PATHS.page}${token}`;
  }

  page(token: string): Promise<SurveyPageView> {
    const now = this.options.clock();
    return this.options.read(async (tx) => {
      const survey = await surveyByToken(tx, token);
      if (!survey) return null;
      const inbox = await tx.get('inbox', survey.inboxId);
      const organisation = (inbox ? (await tx.getOrg(inbox.orgId))?.name : null) ?? 'Switchboard';
      return { state: surveyState(survey, now), organisation, inbox: inbox?.name ?? '', rating: survey.answer?.rating ?? null, expiresAt: survey.expiresAt };
    });
  }

  /** The answer posted on the survey page. */
  answerByToken(token: string, answer: Pick<SurveyAnswer, 'rating' | 'comment'>): Promise<SurveyAnswerOutcome> {
    const now = this.options.clock();
    return this.options.write(async (tx) => {
      const survey = await surveyByToken(tx, token);
      return survey ? take(tx, survey, { ...answer, via: 'page' }, now) : null;
    });
  }

  /** An inline answer from the web chat widget: only for a survey of this visitor's own conversation. */
  answerFromVisitor(
    channelId: string,
    handle: string,
    surveyId: string,
    answer: Pick<SurveyAnswer, 'rating' | 'comment'>,
  ): Promise<SurveyAnswerOutcome> {
    const now = this.options.clock();
    return this.options.write(async (tx) => {
      const survey = await tx.get('survey', surveyId);
      const conversation = survey ? await tx.get('conversation', survey.conversationId) : null;
      if (!survey || conversation?.channelId !== channelId || conversation.customerAddress !== handle) return null;
      return take(tx, survey, { ...answer, via: 'webchat' }, now);
    });
  }

  /** The surveys these messages carry, by message id (web chat shows their state under the message). */
  async surveysOf(messages: readonly EntityOf<'message'>[]): Promise<Map<string, { survey: Survey; state: SurveyState }>> {
    const carrying = messages.filter((m) => m.surveyId);
    if (carrying.length === 0) return new Map();
    const now = this.options.clock();
    return this.options.read(async (tx) => {
      const found = new Map<string, { survey: Survey; state: SurveyState }>();
      for (const m of carrying) {
        const survey = await tx.get('survey', m.surveyId as string);
        if (survey) found.set(m.id, { survey, state: surveyState(survey, now) });
      }
      return found;
    });
  }

  settings(user: User, inboxId: string): Promise<SurveySettings> {
    return this.options.read(async (tx) => {
      await memberInbox(tx, user, inboxId);
      const message = await tx.getSurveyMessage(inboxId);
      return { inboxId, message: message ?? DEFAULT_SURVEY_MESSAGE, isDefault: message === null };
    });
  }

  async saveSettings(user: User, put: SurveySettingsPut): Promise<SurveySettings> {
    if (!permissions.editSurveySettings(user.role)) reject('forbidden', 'Only managers and admins can change the survey message.');
    return this.options.write(async (tx) => {
      await memberInbox(tx, user, put.inboxId);
      await tx.setSurveyMessage(put.inboxId, put.message, user.id, this.options.clock());
      return { inboxId: put.inboxId, message: put.message, isDefault: false };
    });
  }

  /** CSAT per inbox and per agent over the surveys sent in the period, in the inboxes the reader is a member of. */
  async report(user: User, query: SurveyReportQuery): Promise<SurveyReport> {
    if (!permissions.viewSurveyReport(user.role)) reject('forbidden', 'Only managers and supervisors can see survey results.');
    return this.options.read(async (tx) => {
      const inboxes = (await Promise.all((await tx.inboxIdsOfUser(user.id)).map((id) => tx.get('inbox', id)))).filter(
        (i): i is EntityOf<'inbox'> => i !== null && i.kind !== 'private' && i.orgId === user.orgId,
      );
      const counts = await tx.surveyCounts(
        inboxes.map((i) => i.id),
        query.from,
        query.to,
      );
      const sum = (key: 'sent' | 'answered' | 'satisfied') => counts.byInbox.reduce((n, r) => n + r[key], 0);
      const byInbox = new Map(counts.byInbox.map((r) => [r.key, r]));
      const agentNames = new Map<string, string>();
      for (const r of counts.byAgent) agentNames.set(r.key, (await tx.get('user', r.key))?.name ?? 'Former teammate');
      return {
        from: query.from,
        to: query.to,
        total: surveyFigures(sum('sent'), sum('answered'), sum('satisfied')),
        inboxes: inboxes
          .map((i) => ({ inboxId: i.id, name: i.name, ...figuresOf(byInbox.get(i.id)) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        agents: counts.byAgent
          .map((r) => ({ userId: r.key, name: agentNames.get(r.key) ?? 'Former teammate', ...figuresOf(r) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    });
  }
}

async function take(tx: StorageTx, survey: Survey, answer: Omit<SurveyAnswer, 'answeredAt'>, now: number): Promise<SurveyAnswerOutcome> {
  const outcome = await answerSurvey(tx, survey, answer, now);
  const current = (await tx.get('survey', survey.id)) ?? survey;
  return { state: surveyState(current, now), survey: current, taken: outcome === 'taken' };
}

function figuresOf(row: { sent: number; answered: number; satisfied: number } | undefined) {
  return surveyFigures(row?.sent ?? 0, row?.answered ?? 0, row?.satisfied ?? 0);
}

/** An inbox of the user's organisation that the user is a member of; anything else is "not found". */
async function memberInbox(tx: StorageTx, user: User, inboxId: string): Promise<EntityOf<'inbox'>> {
  const inbox = await tx.get('inbox', inboxId);
  if (!inbox || inbox.orgId !== user.orgId || !(await tx.get('inboxMember', recordId.inboxMember(inboxId, user.id)))) {
    return reject('not_found', 'This inbox does not exist or you are not a member of it.');
  }
  return inbox;
}
