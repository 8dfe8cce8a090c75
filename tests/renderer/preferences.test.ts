import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  clampWidth,
  DEFAULT_PREFERENCES,
  loadPreferences,
  parsePreferences,
  preferencesKey,
  REGION_WIDTH,
  RESIZABLE_REGIONS,
  savePreferences,
} from '../../renderer/preferences.ts';

function memoryStorage(): Map<string, string> & { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const map = new Map<string, string>();
  return Object.assign(map, { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) });
}

describe('per-person preferences', () => {
  it('are kept under each user id, so one person’s theme is not another’s', () => {
    const storage = memoryStorage();
    savePreferences(storage, 'usr_a', { theme: 'dark', widths: { list: 400 }, collapsed: { sidebar: true } });
    expect(loadPreferences(storage, 'usr_a')).toEqual({ theme: 'dark', widths: { list: 400 }, collapsed: { sidebar: true } });
    expect(loadPreferences(storage, 'usr_b')).toEqual(DEFAULT_PREFERENCES);
    expect(storage.has(preferencesKey('usr_a'))).toBe(true);
  });

  it('read an unknown theme as "system" and keep the rest', () => {
    expect(parsePreferences(JSON.stringify({ theme: 'sepia', widths: { list: 420 }, collapsed: {} }))).toEqual({
      theme: 'system',
      widths: { list: 420 },
      collapsed: {},
    });
  });

  test.prop([fc.oneof(fc.string(), fc.json(), fc.constant(null))])('never throw on whatever is stored', (text) => {
    const parsed = parsePreferences(text);
    expect(['system', 'light', 'dark']).toContain(parsed.theme);
  });

  test.prop([fc.constantFrom(...RESIZABLE_REGIONS), fc.double({ noNaN: true, min: -1e6, max: 1e6 })])(
    'clamp every width into its region’s limits',
    (region, width) => {
      const clamped = clampWidth(region, width);
      expect(clamped).toBeGreaterThanOrEqual(REGION_WIDTH[region].min);
      expect(clamped).toBeLessThanOrEqual(REGION_WIDTH[region].max);
    },
  );
});
