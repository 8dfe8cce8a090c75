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
