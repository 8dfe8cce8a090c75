import { z } from 'zod';
import type { Rectangle } from './electron-module.ts';

/**
 * Preferences only — electron-store rewrites one JSON file on every change, so
 * nothing secret and nothing large goes here (tokens: token-vault.ts; data:
 * the client core's cache).
 */
const Bounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
});
const ServerAddress = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u));

export interface PreferenceValues {
  windowBounds: Rectangle | null;
  serverAddress: string | null;
  /** Notifications muted; the badge still counts. */
  muted: boolean;
  /** Run the bundled sync server on this machine (the out-of-the-box setup). */
  embeddedServer: boolean;
}

export const PREFERENCE_DEFAULTS: PreferenceValues = { windowBounds: null, serverAddress: null, muted: false, embeddedServer: true };

const schemas: { [K in keyof PreferenceValues]: z.ZodType<PreferenceValues[K]> } = {
  windowBounds: Bounds.nullable(),
  serverAddress: ServerAddress.nullable(),
  muted: z.boolean(),
  embeddedServer: z.boolean(),
};

/** The subset of electron-store (and conf) used here; tests pass a Map-backed one. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export class Preferences {
  constructor(private readonly store: KeyValueStore) {}

  /** A hand-edited or outdated file yields the default, never a crash. */
  get<K extends keyof PreferenceValues>(key: K): PreferenceValues[K] {
    const parsed = schemas[key].safeParse(this.store.get(key));
    return parsed.success ? parsed.data : PREFERENCE_DEFAULTS[key];
  }

  set<K extends keyof PreferenceValues>(key: K, value: PreferenceValues[K]): void {
    this.store.set(key, schemas[key].parse(value));
  }
}
