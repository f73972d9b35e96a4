import { THEMES, type Theme } from '../shared/model/settings';

/**
 * The theme is an attribute the stylesheet keys on. The service keeps the choice (settings
 * store); this page's storage only caches it so the first paint, before the service has
 * answered, is already in the right colours.
 */
const CACHE_KEY = 'jumpgate.theme';

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(CACHE_KEY);
    else localStorage.setItem(CACHE_KEY, theme);
  } catch {
    // Storage refused (a private window, say): the service still keeps the choice.
  }
}

/** The theme this page last applied, for the first paint. */
export function cachedTheme(): Theme {
  try {
    const stored = localStorage.getItem(CACHE_KEY);
    return (THEMES as readonly string[]).includes(stored ?? '') ? (stored as Theme) : 'system';
  } catch {
    return 'system';
  }
}
