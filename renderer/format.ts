import type { ChannelKind, Registration } from '../protocol/domain.ts';
import type { MessageView } from '../protocol/ipc.ts';
import { channelLabel } from '../protocol/phone-format.ts';

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

/** A channel's name with its kind when the name does not already say it: "Sales WhatsApp", "Sam Rivera’s number (SMS)". */
export function channelNameWithKind(channel: { name: string; kind: ChannelKind }): string {
  const kind = channelKindLabel[channel.kind];
  return channel.name.toLowerCase().includes(kind.toLowerCase()) ? channel.name : `${channel.name} (${kind})`;
}

/** A channel in a drop-down: name, number, and the kind unless the name says it. */
export function channelOptionLabel(channel: { name: string; kind: ChannelKind; address: string }): string {
  const label = channelLabel(channel);
  return channelNameWithKind(channel) === channel.name ? label : `${label} (${channelKindLabel[channel.kind]})`;
}

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
export { channelLabel, formatAddress, formatPhone } from '../protocol/phone-format.ts';

/**
 * Numbers in the person's locale (the browser's or the OS language: `undefined` asks Intl for it); `locale` is
 * for tests. One formatter per locale and style, made once.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

/** Counts in badges, tabs, labels and progress, grouped the person's way (12,345 · 12.345 · 12 345). */
export function formatCount(n: number, locale?: string): string {
  return numberFormat(locale).format(n);
}

/** A count with its noun: "1 change", "1,204 changes". */
export function countOf(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}

/** A file's size in the person's locale: bytes under 1 kB, whole kB under 1 MB, MB with one decimal after. */
export function formatFileSize(bytes: number, locale?: string): string {
  if (bytes < 1024) return numberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(bytes);
  if (bytes < 1024 * 1024) return numberFormat(locale, { style: 'unit', unit: 'kilobyte', unitDisplay: 'short', maximumFractionDigits: 0 }).format(bytes / 1024);
  return numberFormat(locale, { style: 'unit', unit: 'megabyte', unitDisplay: 'short', maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));
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

/**
 * A length of time (waits, response times, time in a status): `short` says the two largest units in the person's
 * locale ("3 min, 20 sec"), never a fraction; `clock` is a live ticker ("3:05", "1:02:07"). Below zero (a clock
 * ahead of the server) reads as zero.
 */
export function formatDuration(ms: number, style: 'short' | 'clock' = 'short', locale?: string): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  if (style === 'clock') {
    const s = total % 60;
    const m = Math.floor(total / 60) % 60;
    const h = Math.floor(total / 3600);
    const two = (n: number): string => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
  }
  const units: [Intl.NumberFormatOptions['unit'], number][] = [['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && unit === 'second')) parts.push(numberFormat(locale, { style: 'unit', unit, unitDisplay: unit === 'day' ? 'long' : 'short' }).format(n));
    if (parts.length === 2) break;
    if (parts.length === 1 && n === 0) break;
  }
  return parts.join(', ');
}
