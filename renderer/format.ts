import type { ChannelKind, Registration } from '../protocol/domain.ts';
import type { MessageView } from '../protocol/ipc.ts';
import { formatAddress } from '../protocol/phone-format.ts';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const DAY_MS = 24 * 60 * 60 * 1000;

/** Short stamp for the list: time today, weekday this week, date before. */
export function listTime(ts: number | null, now = Date.now()): string {
  if (ts === null) return '';
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  if (ts >= start.getTime()) return time.format(ts);
  if (ts >= start.getTime() - 6 * DAY_MS) return weekday.format(ts);
  return day.format(ts);
}

export function fullTime(ts: number): string {
  return full.format(ts);
}

export function shortTime(ts: number, now = Date.now()): string {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  return ts >= start.getTime() ? time.format(ts) : `${day.format(ts)}, ${time.format(ts)}`;
}

export const channelKindLabel: Record<ChannelKind, string> = { sms: 'SMS', whatsapp: 'WhatsApp', webchat: 'Web chat' };

export const registrationLabel: Record<Registration, string> = {
  unregistered: 'Not registered',
  pending: 'Registration pending',
  approved: 'Registered',
  rejected: 'Registration rejected',
};

/**
 * What a person reads under an outgoing message. A reply not yet accepted by the server waits in the outbox:
 * while offline it says so, and "Sending…" is only for a send actually under way.
 */
export function deliveryLabel(status: MessageView['displayStatus'], online: boolean): string {
  switch (status) {
    case 'pending':
      return online ? 'Sending…' : 'Queued — sends when back online';
    case 'queued':
    case 'sending':
      return 'Sending…';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'failed':
      return 'Failed';
  }
}

export function failureReason(message: MessageView): string {
  return message.outbox?.error?.message ?? message.statusReason ?? 'The message could not be sent.';
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

/**
 * Names and numbers, one way everywhere (list, headers, search, badges, sidebar, and the client core's
 * notifications): the phone formatting lives in protocol/phone-format.ts, shared with main/core.
 */
export { formatAddress, formatPhone } from '../protocol/phone-format.ts';

const count = new Intl.NumberFormat(undefined);
/** Counts in badges and filters, grouped the person's way (12,345). */
export function formatCount(n: number): string {
  return count.format(n);
}

/** A channel as a person reads it: its name and, for phone channels, its number ("Sales SMS · +1 415 555 0100"). */
export function channelLabel(channel: { name: string; kind: ChannelKind; address: string }): string {
  return channel.kind === 'webchat' ? channel.name : `${channel.name} · ${formatAddress(channel.address)}`;
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
/** A share (0..1) as a percentage ("67 %" the person's way); a dash when there is nothing to divide. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : percent.format(share);
}

/** A survey rating as read aloud and shown: "4 out of 5". */
export function ratingLabel(rating: number): string {
  return `${rating} out of 5`;
}
