import { z } from 'zod';

/**
 * This person's look-and-layout choices (theme, column widths, collapsed columns), kept on this device in
 * localStorage under one key per user id. They are presentation only, so they do not travel through sync;
 * what is stored is read back through a schema, and anything unreadable falls back to the defaults.
 */

export const ThemeChoice = z.enum(['system', 'light', 'dark']);
export type ThemeChoice = z.infer<typeof ThemeChoice>;

export const RESIZABLE_REGIONS = ['sidebar', 'list', 'details'] as const;
export type Region = (typeof RESIZABLE_REGIONS)[number];

/** Width limits per region in CSS pixels; a stored width outside them is clamped on read. */
export const REGION_WIDTH: Record<Region, { min: number; max: number; initial: number }> = {
  sidebar: { min: 180, max: 360, initial: 208 },
  list: { min: 300, max: 560, initial: 320 },
  details: { min: 280, max: 480, initial: 300 },
};

const Widths = z.object({ sidebar: z.number(), list: z.number(), details: z.number() }).partial();
const Collapsed = z.object({ sidebar: z.boolean(), list: z.boolean(), details: z.boolean() }).partial();

export const Preferences = z.object({
  theme: ThemeChoice.catch('system'),
  widths: Widths.catch({}),
  collapsed: Collapsed.catch({}),
});
export type Preferences = z.infer<typeof Preferences>;

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', widths: {}, collapsed: {} };

export function preferencesKey(userId: string): string {
  return `switchboard.preferences.${userId}`;
}

export function clampWidth(region: Region, width: number): number {
  const { min, max } = REGION_WIDTH[region];
  return Math.round(Math.min(max, Math.max(min, width)));
}

/** Parses stored text; never throws. */
export function parsePreferences(text: string | null): Preferences {
  if (!text) return structuredClone(DEFAULT_PREFERENCES);
  try {
    const parsed = Preferences.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : structuredClone(DEFAULT_PREFERENCES);
  } catch {
    return structuredClone(DEFAULT_PREFERENCES);
  }
}

export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadPreferences(storage: PreferenceStorage, userId: string): Preferences {
  return parsePreferences(storage.getItem(preferencesKey(userId)));
}

export function savePreferences(storage: PreferenceStorage, userId: string, preferences: Preferences): void {
  try {
    storage.setItem(preferencesKey(userId), JSON.stringify(preferences));
  } catch {
    // A full or disabled storage keeps the choice for this session only.
  }
}
