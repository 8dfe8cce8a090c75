import { createHash, randomBytes } from 'node:crypto';
import type { EntityOf, SurveyAnswer } from '../../protocol/domain.ts';
import type { MutationArgs } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { recordId } from '../../protocol/scope.ts';
import { DEFAULT_SURVEY_MESSAGE, SURVEY_EXPIRY_MS, SURVEY_LINK_PLACEHOLDER, SURVEY_TOKEN_BYTES, SurveyToken } from '../../protocol/surveys.ts';
import { fillTemplate, templateParameterProblem, templateParameters } from '../../protocol/whatsapp-templates.ts';
import type { StorageTx } from '../storage/storage.ts';
import { putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { agentMessage, appendOutbound, nextMessageTime } from './outbound-message.ts';
import { sendRefusal } from './send-rules.ts';

/**
 * Customer satisfaction surveys (issue 12 §2), inside the caller's transaction: `survey.send` writes the
 * survey, its message and the message's send job together (so the survey goes out exactly once, through the
 * same send jobs and channel rules as any reply), and `answerSurvey` takes the one answer a survey accepts,
 * whether it came from the hosted page or the web chat widget.
 */

type Survey = EntityOf<'survey'>;

/** 192 random bits: unguessable, and nothing about the survey can be derived from it (or it from the survey). */
export const newSurveyToken = (): string => randomBytes(SURVEY_TOKEN_BYTES).toString('base64url');

/** Only the hash is stored: a copy of the database does not hand out working links. */
export const hashSurveyToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The inbox's text with the link in place of {link} (or on its own line after it); web chat has no link. */
export function surveyMessageText(text: string, link: string | null): string {
  if (link === null) return text.replace(SURVEY_LINK_PLACEHOLDER, '').replace(/[\s:–—-]+$/u, '').trim();
  return text.includes(SURVEY_LINK_PLACEHOLDER) ? text.replace(SURVEY_LINK_PLACEHOLDER, link) : `${text.trim()}\n${link}`;
}

export interface SurveyHandlerDeps {
  /** Told once the transaction committed: the send worker looks at once. */
  sendQueued: () => void;
  /** The page address of a token (`<public url>/s/<token>`). */
  pageUrl: (token: string) => string;
}

async function memberConversation(ctx: MutationContext, conversationId: string): Promise<EntityOf<'conversation'>> {
  const conversation = await ctx.tx.get('conversation', conversationId);
  const member = conversation ? await ctx.tx.get('inboxMember', recordId.inboxMember(conversation.inboxId, ctx.actor.id)) : null;
  if (!conversation || !member) return reject('not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
  return conversation;
}

/** The body (and WhatsApp template) of the survey message; refuses a template that cannot carry the link. */
async function surveyBody(
  tx: StorageTx,
  channel: EntityOf<'channel'>,
  conversation: EntityOf<'conversation'>,
  template: MutationArgs<'survey.send'>['template'],
  link: string,
): Promise<{ body: string; template: EntityOf<'message'>['template'] }> {
  if (!template) {
    const text = (await tx.getSurveyMessage(conversation.inboxId)) ?? DEFAULT_SURVEY_MESSAGE;
    return { body: surveyMessageText(text, channel.kind === 'webchat' ? null : link), template: undefined };
  }
  if (channel.kind !== 'whatsapp') return reject('invalid', 'Templates can only be sent on WhatsApp conversations.');
  const approved = channel.whatsappTemplates?.find((t) => t.id === template.templateId);
  if (!approved) return reject('invalid', `That template is not one of ${channel.name}'s approved templates.`);
  const shape = templateParameters(approved.body);
  if ('count' in shape && shape.count === 0) return reject('invalid', 'That template has no {{n}} to carry the survey link; pick one that has.');
  // The link is the template's last value; the agent fills the ones before it.
  const values = [...template.parameters, link];
  const problem = templateParameterProblem(approved.body, values);
  if (problem) return reject('invalid', problem);
  return {
    body: fillTemplate(approved.body, values),
    template: { name: approved.name, language: approved.language, parameters: values },
  };
}

export function createSurveyHandlers(deps: SurveyHandlerDeps) {
  return {
    'survey.send': async (ctx: MutationContext, args: MutationArgs<'survey.send'>): Promise<void> => {
      const { tx, actor } = ctx;
      if (!permissions.sendSurvey(actor.role)) return reject('forbidden', 'You cannot send surveys.');
      const conversation = await memberConversation(ctx, args.conversationId);
      const existing = await tx.get('survey', args.surveyId);
      if (existing) {
        if (existing.conversationId === conversation.id && existing.sentBy === actor.id && existing.messageId === args.messageId) return; // already sent
        return reject('conflict', 'A survey with this id already exists.');
      }
      if (await tx.get('message', args.messageId)) return reject('conflict', 'A message with this id already exists.');
      const channel = await tx.get('channel', conversation.channelId);
      if (!channel) return reject('not_found', 'The channel of this conversation no longer exists.');
      const refusal = await sendRefusal(tx, conversation, channel, { template: args.template !== null }, ctx.now);
      if (refusal?.code === 'window_closed') return reject(refusal.code, `${refusal.message} Send the survey with an approved template instead.`);
      if (refusal) return reject(refusal.code, refusal.message);
      const token = newSurveyToken();
      const { body, template } = await surveyBody(tx, channel, conversation, args.template, deps.pageUrl(token));
      const createdAt = nextMessageTime(conversation.lastMessageAt, ctx.now);
      const survey: Survey = {
        id: args.surveyId,
        conversationId: conversation.id,
        inboxId: conversation.inboxId,
        messageId: args.messageId,
        sentBy: actor.id,
        sentAt: ctx.now,
        expiresAt: ctx.now + SURVEY_EXPIRY_MS,
        answer: null,
      };
      // The survey first: the message names it, and a client applying the message finds it.
      await putRecord(tx, scopeOf.survey(survey), 'survey', survey);
      await tx.putSurveyToken(hashSurveyToken(token), survey.id);
      await appendOutbound(
        ctx,
        conversation,
        agentMessage({ id: args.messageId, conversationId: conversation.id, authorId: actor.id, body, createdAt, ...(template ? { template } : {}), surveyId: survey.id }),
        deps.sendQueued,
      );
    },
  };
}

export type SurveyState = 'open' | 'answered' | 'expired';

export function surveyState(survey: Survey, now: number): SurveyState {
  if (survey.answer) return 'answered';
  return now >= survey.expiresAt ? 'expired' : 'open';
}

/** The survey a link token opens; null for anything that is not a live token of ours (the page answers 404). */
export async function surveyByToken(tx: StorageTx, token: string): Promise<Survey | null> {
  if (!SurveyToken.safeParse(token).success) return null;
  const id = await tx.findSurveyIdByTokenHash(hashSurveyToken(token));
  return id ? tx.get('survey', id) : null;
}

/**
 * Takes a survey's one answer: `taken` when it was taken now, else why not (a second answer or an expired
 * survey changes nothing). The record goes to the conversation's inbox scope, so agents see it live.
 */
export async function answerSurvey(
  tx: StorageTx,
  survey: Survey,
  answer: Omit<SurveyAnswer, 'answeredAt'>,
  now: number,
): Promise<'taken' | Exclude<SurveyState, 'open'>> {
  const state = surveyState(survey, now);
  if (state !== 'open') return state;
  const answered: Survey = { ...survey, answer: { ...answer, answeredAt: now } };
  await putRecord(tx, scopeOf.survey(answered), 'survey', answered);
  return 'taken';
}
