import type { Role } from './domain.ts';

/**
 * Who may do what, by role: one place for server handlers, HTTP routes, the client core and the renderer.
 * Membership of the inbox concerned is checked where the data is (a non-member learns nothing), on top of this.
 */
export const MANAGER_ROLES: readonly Role[] = ['manager', 'supervisor', 'admin'];

export const permissions = {
  /** Issue 12 §2: any member of the conversation's inbox may send a satisfaction survey. */
  sendSurvey: (_role: Role): boolean => true,
  /** The survey message text of an inbox: managers and admins (supervisors watch, they do not configure). */
  editSurveySettings: (role: Role): boolean => role === 'manager' || role === 'admin',
  /** CSAT per inbox and per agent: managers and supervisors (and admins). */
  viewSurveyReport: (role: Role): boolean => MANAGER_ROLES.includes(role),
} as const;
