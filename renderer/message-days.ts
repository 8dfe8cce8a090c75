/**
 * How a message history reads: a day heading before the first message of each day, and consecutive messages
 * from the same sender grouped so the name is shown once. Conversations and chats share it.
 */

/** Messages closer together than this (from the same sender, on the same day) belong to one group. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

export interface HistoryEntry<M> {
  message: M;
  /** The day heading shown before this message, or null when it continues the previous message's day. */
  day: string | null;
  /** True for the first message of a run from one sender: it carries the name and the time. */
  startsGroup: boolean;
}

export function historyEntries<M extends { createdAt: number }>(
  messages: readonly M[],
  senderOf: (message: M) => string,
  formatDay: (ts: number) => string = (ts) => dayFormat.format(ts),
): HistoryEntry<M>[] {
  let previous: { day: string; sender: string; at: number } | null = null;
  return messages.map((message) => {
    const day = formatDay(message.createdAt);
    const sender = senderOf(message);
    const newDay = previous?.day !== day;
    const startsGroup = newDay || previous?.sender !== sender || message.createdAt - (previous?.at ?? 0) > GROUP_GAP_MS;
    previous = { day, sender, at: message.createdAt };
    return { message, day: newDay ? day : null, startsGroup };
  });
}
