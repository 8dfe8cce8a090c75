import { watchEffect } from 'vue';
import { usePreferencesStore } from './stores/preferences.ts';

/** Puts the effective theme on <html data-theme>, which renderer/styles/tokens.css switches on. */
export function applyTheme(): void {
  const preferences = usePreferencesStore();
  watchEffect(() => {
    document.documentElement.dataset.theme = preferences.effectiveTheme;
  });
}
