import { watch } from 'vue';
import { usePreferencesStore } from './stores/preferences.ts';

/**
 * Puts the effective theme on <html data-theme>, which renderer/styles/tokens.css switches on. While the
 * theme changes, colour transitions are off, so the whole window switches at once instead of fading through
 * unreadable in-between colours.
 */
export function applyTheme(): void {
  const preferences = usePreferencesStore();
  const root = document.documentElement;
  watch(
    () => preferences.effectiveTheme,
    (theme) => {
      root.dataset.themeSwitching = '';
      root.dataset.theme = theme;
      requestAnimationFrame(() => requestAnimationFrame(() => delete root.dataset.themeSwitching));
    },
    { immediate: true },
  );
}
