/**
 * U+0000 (NUL) in text. SQLite stores it, PostgreSQL refuses it in text and jsonb, and no message, name or note
 * means anything by it; so no text with one gets as far as storage, on either engine. What people type through
 * our own clients and API is refused with the field named (nulIssue); what customers send through a provider is
 * kept without it (withoutNul), since a provider cannot be told to send it again differently.
 */
export const NUL_MESSAGE = 'text may not contain the NUL character (U+0000)';

/** The path of the first string (or object key) in a parsed JSON value that holds a NUL, or null. */
export function nulPath(value: unknown, path: Array<string | number> = []): Array<string | number> | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** `field: text may not contain …` for the first NUL in `value`, or null (the wording of describeIssue). */
export function nulIssue(value: unknown): string | null {
  const path = nulPath(value);
  return path === null ? null : `${path.map(String).join('.') || 'value'}: ${NUL_MESSAGE}`;
}

/** The same value with every NUL removed from its strings (plain data: strings, arrays, plain objects). */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNul(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', ''), withoutNul(v)])) as T;
  }
  return value;
}
