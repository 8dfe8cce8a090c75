import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  clampWidth,
  DEFAULT_PREFERENCES,
  loadPreferences,
  REGION_WIDTH,
  savePreferences,
  type Preferences,
  type Region,
  type ThemeChoice,
} from '../preferences.ts';
import { useSessionStore } from './session.ts';

/** The signed-in person's theme and column layout (renderer/preferences.ts keeps them per user id). */
export const usePreferencesStore = defineStore('preferences', () => {
  const session = useSessionStore();
  const prefs = ref<Preferences>(structuredClone(DEFAULT_PREFERENCES));
  const systemDark = ref(false);

  const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  if (media) {
    systemDark.value = media.matches;
    media.addEventListener('change', (event) => (systemDark.value = event.matches));
  }

  watch(
    () => session.user?.id ?? null,
    (userId) => {
      prefs.value = userId ? loadPreferences(localStorage, userId) : structuredClone(DEFAULT_PREFERENCES);
    },
    { immediate: true },
  );

  function persist(): void {
    const userId = session.user?.id;
    if (userId) savePreferences(localStorage, userId, prefs.value);
  }

  const theme = computed<ThemeChoice>(() => prefs.value.theme);
  const effectiveTheme = computed<'light' | 'dark'>(() =>
    prefs.value.theme === 'system' ? (systemDark.value ? 'dark' : 'light') : prefs.value.theme,
  );

  function setTheme(choice: ThemeChoice): void {
    prefs.value.theme = choice;
    persist();
  }

  function width(region: Region): number {
    return clampWidth(region, prefs.value.widths[region] ?? REGION_WIDTH[region].initial);
  }
  function setWidth(region: Region, px: number): void {
    prefs.value.widths[region] = clampWidth(region, px);
    persist();
  }
  function collapsed(region: Region): boolean {
    return prefs.value.collapsed[region] ?? false;
  }
  function setCollapsed(region: Region, value: boolean): void {
    prefs.value.collapsed[region] = value;
    persist();
  }

  return { theme, effectiveTheme, setTheme, width, setWidth, collapsed, setCollapsed };
});
