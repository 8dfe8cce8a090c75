import type { EntityOf } from '../../protocol/domain.ts';
import type { WebchatMessage, WebchatServerFrame, WebchatSurveyState } from '../../protocol/webchat.ts';
import type { Domain } from '../domain/domain.ts';
import { toWebchatMessage } from './visitors.ts';

/**
 * Inline surveys in the web chat widget (issue 12 §2): agent messages that carry a survey go out with its
 * state (the widget shows 1–5 buttons while it is open), and the visitor's answer goes through the same
 * domain function as the hosted page's.
 */

/** Messages as the widget shows them, each survey message with its survey's state. */
export async function widgetMessages(domain: Domain, messages: readonly EntityOf<'message'>[]): Promise<WebchatMessage[]> {
  const surveys = await domain.surveys.surveysOf(messages);
  return messages.map((m) => {
    const found = surveys.get(m.id);
    return found ? { ...toWebchatMessage(m), survey: stateOf(found.survey, found.state) } : toWebchatMessage(m);
  });
}

function stateOf(survey: EntityOf<'survey'>, state: WebchatSurveyState['state']): WebchatSurveyState {
  return { id: survey.id, state, rating: survey.answer?.rating ?? null };
}

/**
 * A visitor's rating: the frame for every tab of the visitor (the survey, now answered), or the error for
 * the tab that sent it (someone else's survey, a second answer, an expired survey).
 */
export async function answerVisitorSurvey(
  domain: Domain,
  visitor: { channelId: string; handle: string },
  frame: { surveyId: string; rating: number; comment: string },
): Promise<{ ok: true; frame: WebchatServerFrame } | { ok: false; frame: WebchatServerFrame }> {
  const outcome = await domain.surveys.answerFromVisitor(visitor.channelId, visitor.handle, frame.surveyId, { rating: frame.rating, comment: frame.comment });
  if (!outcome) return { ok: false, frame: { type: 'error', code: 'not_found', message: 'That survey is not part of this chat.' } };
  const survey = { type: 'survey', messageId: outcome.survey.messageId, survey: stateOf(outcome.survey, outcome.state) } as const;
  if (outcome.taken) return { ok: true, frame: survey };
  // The widget shows the survey's real state; the error says why this answer did not count.
  const message = outcome.state === 'expired' ? 'This survey has expired.' : 'This survey was already answered — thank you!';
  return { ok: false, frame: { type: 'error', code: outcome.state === 'expired' ? 'survey_expired' : 'survey_answered', message } };
}
