import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Phone numbers as people read them, one way for the renderer and the client core (list and header titles,
 * search, notifications): in international form (+1 415 555 0123), since agents answer customers from many
 * countries, so the country code stays. Pure JS (libphonenumber-js), so it sits with the shared contracts.
 */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

const formatted = new Map<string, string>();
/** Bounds the memo: lists repeat the same numbers, but a long session must not grow it without end. */
const MEMO_LIMIT = 10_000;

/** A customer's or channel's address: phone numbers formatted (memoised), anything else as it is. */
export function formatAddress(address: string): string {
  if (!address.startsWith('+')) return address;
  let text = formatted.get(address);
  if (text === undefined) {
    text = formatPhone(address);
    if (formatted.size >= MEMO_LIMIT) formatted.clear();
    formatted.set(address, text);
  }
  return text;
}

/**
 * A channel as a person reads it: its name and, for phone channels, its number ("Sales SMS · +1 415 555 0100").
 * A private number moved into a shared inbox is named for its owner by the server ("Sam Rivera’s number"), so
 * with its number it reads as number and owner for everyone; "My number" stays on the owner's own private inbox.
 * The client core uses it for the words it writes (the WhatsApp refusal), the renderer for every menu and list.
 */
export function channelLabel(channel: { name: string; kind: 'sms' | 'whatsapp' | 'webchat'; address: string }): string {
  return channel.kind === 'webchat' ? channel.name : `${channel.name} · ${formatAddress(channel.address)}`;
}
