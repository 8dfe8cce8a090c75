import { randomUUID } from 'node:crypto';
import type { User } from '../../protocol/domain.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import { permissions } from '../../protocol/permissions.ts';
import { SURVEY_PATHS, SurveyReport, SurveySettings } from '../../protocol/surveys.ts';
import { templateParameterProblem } from '../../protocol/whatsapp-templates.ts';
import { IpcFailure, type IpcHandlers } from '../ipc-router.ts';
import type { CacheDb } from './cache/cache-file.ts';
import { conversationTemplate } from './queries/whatsapp-template.ts';
import { authorizedJson } from './server-api.ts';

/**
 * IPC handlers of customer satisfaction surveys (issue 12 §2). Sending goes through the outbox (offline too,
 * exactly once); the survey text and the report are asked of the server, since only it holds them.
 */

export interface SurveyActionDeps {
  session(): { cache: CacheDb; user: User; serverUrl: string; token: string };
  enqueue(mutation: Mutation): void;
}

type SurveyMethods = 'actions.sendSurvey' | 'surveys.settings' | 'surveys.saveSettings' | 'surveys.report';

export function surveyIpcHandlers(deps: SurveyActionDeps): Pick<IpcHandlers, SurveyMethods> {
  return {
    'actions.sendSurvey': ({ conversationId, template }) => {
      const s = deps.session();
      if (!permissions.sendSurvey(s.user.role)) throw new IpcFailure('forbidden', 'You cannot send surveys.');
      const known = s.cache.db.prepare('SELECT 1 FROM conversations WHERE id = ?').pluck().get(conversationId);
      if (!known) throw new IpcFailure('not_found', 'That conversation is not available.');
      if (template) {
        // Checked here too, so a template that cannot carry the link is refused at once, offline included.
        const approved = conversationTemplate(s.cache.db, conversationId, template.templateId);
        if (!approved) throw new IpcFailure('invalid', 'That template is not one of this channel’s approved templates.');
        const problem = templateParameterProblem(approved.body, [...template.parameters, 'link']);
        if (problem) throw new IpcFailure('invalid', problem);
      }
      const surveyId = randomUUID();
      const messageId = randomUUID();
      deps.enqueue({ name: 'survey.send', args: { conversationId, surveyId, messageId, template } });
      return { surveyId, messageId };
    },
    'surveys.settings': async ({ inboxId }) => {
      const s = deps.session();
      return authorizedJson(s.serverUrl, s.token, SURVEY_PATHS.settings, SurveySettings, { query: { inboxId } });
    },
    'surveys.saveSettings': async (put) => {
      const s = deps.session();
      if (!permissions.editSurveySettings(s.user.role)) throw new IpcFailure('forbidden', 'Only managers and admins can change the survey message.');
      return authorizedJson(s.serverUrl, s.token, SURVEY_PATHS.settings, SurveySettings, { method: 'PUT', body: put });
    },
    'surveys.report': async ({ from, to }) => {
      const s = deps.session();
      if (!permissions.viewSurveyReport(s.user.role)) throw new IpcFailure('forbidden', 'Only managers and supervisors can see survey results.');
      return authorizedJson(s.serverUrl, s.token, SURVEY_PATHS.report, SurveyReport, { query: { from, to } });
    },
  };
}
