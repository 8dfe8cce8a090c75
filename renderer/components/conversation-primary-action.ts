/** The one action the conversation header shows as a button; the rest live in its "More" menu. */
export type PrimaryAction = 'assignToMe' | 'close' | 'reopen';

export function primaryAction(state: { status: 'open' | 'closed'; assignmentMode: boolean; assignedToMe: boolean }): PrimaryAction {
  if (state.status === 'closed') return 'reopen';
  return state.assignmentMode && !state.assignedToMe ? 'assignToMe' : 'close';
}
