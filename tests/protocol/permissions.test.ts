import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Role } from '../../protocol/domain.ts';
import { permissions } from '../../protocol/permissions.ts';

const ROLES = Role.options;
const allowed = (rule: (role: Role) => boolean) => ROLES.filter(rule);

/** The one table of who may do what (server, client core and renderer all ask it). */
describe('permissions by role', () => {
  it('manages inboxes, assigns to anyone and moves private numbers: managers, supervisors and admins', () => {
    for (const rule of [permissions.manageInboxes, permissions.assignToAnyone, permissions.movePrivateNumber, permissions.viewSurveyReport]) {
      expect(allowed(rule)).toEqual(['manager', 'supervisor', 'admin']);
    }
  });

  it('carrier registration and the assistant’s set-up are an admin’s; the survey text a manager’s or admin’s', () => {
    expect(allowed(permissions.setCarrierRegistration)).toEqual(['admin']);
    expect(allowed(permissions.administerAssistant)).toEqual(['admin']);
    expect(allowed(permissions.editSurveySettings)).toEqual(['manager', 'admin']);
    // Contact Center calls: the softphone address is an organisation setting (issue 10 §3).
    expect(allowed(permissions.configureSoftphone)).toEqual(['admin']);
    expect(permissions.configureSoftphone(null)).toBe(false);
  });

  it('everyone sends surveys; everyone but a Contact Center agent starts conversations', () => {
    expect(allowed(permissions.sendSurvey)).toEqual(ROLES);
    expect(allowed(permissions.startConversation)).toEqual(['member', 'manager', 'supervisor', 'admin']);
  });

  it('refuses every role-gated action to nobody signed in', () => {
    for (const rule of [permissions.manageInboxes, permissions.assignToAnyone, permissions.setCarrierRegistration, permissions.viewSurveyReport, permissions.editSurveySettings, permissions.administerAssistant]) {
      expect(rule(undefined)).toBe(false);
      expect(rule(null)).toBe(false);
    }
  });

  it('offers the assistant in Customer Engagement only', () => {
    expect(permissions.assistantInEdition('customer_engagement')).toBe(true);
    expect(permissions.assistantInEdition('contact_center')).toBe(false);
  });
});

describe('rules that depend on more than the role', () => {
  test.prop([fc.constantFrom(...ROLES), fc.option(fc.constantFrom('u1', 'u2'), { nil: null }), fc.constantFrom('u1', 'u2')])(
    'a team chat’s members change by whoever started it, or by a manager',
    (role, startedBy, me) => {
      expect(permissions.manageTeamChat(role, startedBy, me)).toBe(startedBy === me || ['manager', 'supervisor', 'admin'].includes(role));
    },
  );

  test.prop([fc.constantFrom('inbox_a', 'inbox_b'), fc.option(fc.constantFrom('ch_old'), { nil: null }), fc.subarray(['inbox_a', 'inbox_b'])])(
    'the assistant answers only about conversations one may read: a member of the inbox, not a moved number’s history',
    (inboxId, previousOfChannelId, memberInboxIds) => {
      const conversation = { inboxId, previousOfChannelId };
      expect(permissions.useAssistantOn(conversation, memberInboxIds)).toBe(memberInboxIds.includes(inboxId) && previousOfChannelId === null);
    },
  );

  it('knows nothing about a conversation that does not exist', () => {
    expect(permissions.useAssistantOn(null, ['inbox_a'])).toBe(false);
  });
});
