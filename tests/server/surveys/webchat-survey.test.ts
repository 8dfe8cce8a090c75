import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SURVEY_EXPIRY_MS } from '../../../protocol/surveys.ts';
import { WebchatClientFrame } from '../../../protocol/webchat.ts';
import { clientMessageId, startChat } from '../webchat/harness.ts';

/** A web chat visitor gets the survey inline (1–5 in the widget) and answers through the same domain function. */
let chat: Awaited<ReturnType<typeof startChat>>;
beforeEach(async () => {
  chat = await startChat();
});
afterEach(() => chat.close());

/** A visitor with a conversation, and a survey Sam sent into it (pushed to the visitor's live socket). */
async function visitorWithSurvey() {
  const { v, token } = await chat.visitor();
  const id = clientMessageId();
  v.send({ type: 'send', clientMessageId: id, body: 'Do you ship to Norway?' });
  const echo = await v.next('message', (f) => f.clientMessageId === id);
  const conversationId = (await chat.t.get('message', echo.message.id))?.conversationId as string;
  expect(await chat.t.apply('user_sam', { name: 'survey.send', args: { conversationId, surveyId: 'sv-web', messageId: 'sv-web-m', template: null } })).toEqual({ ok: true });
  const pushed = await v.next('message', (f) => f.message.id === 'sv-web-m', 5000);
  return { v, token, pushed, conversationId };
}

describe('inline surveys in the web chat widget', () => {
  it('arrive with the message as an open survey; the rating is taken once, every tab hears it, a second is refused', async () => {
    const { v, token, pushed } = await visitorWithSurvey();
    expect(pushed.message.survey).toEqual({ id: 'sv-web', state: 'open', rating: null });
    expect(pushed.message.body).not.toMatch(/\/s\//);
    const { v: otherTab } = await chat.visitor(token);
    v.send({ type: 'surveyAnswer', surveyId: 'sv-web', rating: 4, comment: '  fast answers  ' });
    const answered = await v.next('survey');
    expect(answered).toEqual({ type: 'survey', messageId: 'sv-web-m', survey: { id: 'sv-web', state: 'answered', rating: 4 } });
    expect(await otherTab.next('survey')).toEqual(answered);
    expect((await chat.t.get('survey', 'sv-web'))?.answer).toMatchObject({ rating: 4, comment: 'fast answers', via: 'webchat' });

    v.send({ type: 'surveyAnswer', surveyId: 'sv-web', rating: 1, comment: '' });
    expect(await v.next('error')).toMatchObject({ code: 'survey_answered', message: expect.stringMatching(/already answered/) });
    expect((await chat.t.get('survey', 'sv-web'))?.answer?.rating).toBe(4);
    // A returning visitor sees the survey as answered in the history.
    const { welcome } = await chat.visitor(token);
    expect(welcome.history.find((m) => m.id === 'sv-web-m')?.survey).toEqual({ id: 'sv-web', state: 'answered', rating: 4 });
  });

  it("refuses another visitor's survey and an expired one", async () => {
    const { v } = await visitorWithSurvey();
    const { v: stranger } = await chat.visitor();
    stranger.send({ type: 'surveyAnswer', surveyId: 'sv-web', rating: 5, comment: '' });
    expect(await stranger.next('error')).toMatchObject({ code: 'not_found' });
    await chat.t.storage.transaction(async (tx) => {
      const survey = await tx.get('survey', 'sv-web');
      if (survey) await tx.put('survey', { ...survey, expiresAt: Date.now() - 1, sentAt: Date.now() - SURVEY_EXPIRY_MS - 1 });
    });
    v.send({ type: 'surveyAnswer', surveyId: 'sv-web', rating: 5, comment: '' });
    expect(await v.next('error')).toMatchObject({ code: 'survey_expired' });
    expect((await chat.t.get('survey', 'sv-web'))?.answer).toBeNull();
  });

  it('checks the frame at the boundary: a rating outside 1–5 or an over-long comment is not a frame', () => {
    const frame = { type: 'surveyAnswer', surveyId: 'sv-web', rating: 4, comment: '' };
    expect(WebchatClientFrame.safeParse(frame).success).toBe(true);
    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '4' }, { comment: 'x'.repeat(1001) }, { surveyId: '../x' }]) {
      expect(WebchatClientFrame.safeParse({ ...frame, ...bad }).success).toBe(false);
    }
  });
});
