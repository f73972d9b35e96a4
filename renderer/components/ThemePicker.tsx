import { useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'jumpgate.theme';

/** Read once at start-up (main.tsx) and on change: the chosen theme is an attribute the stylesheet keys on. */
export function applyStoredTheme(): Theme {
  const stored = localStorage.getItem(STORAGE_KEY);
  const theme: Theme = stored === 'light' || stored === 'dark' ? stored : 'system';
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  return theme;
}

export function ThemePicker() {
  const [theme, setTheme] = useState<Theme>(() => applyStoredTheme());
  return (
    <label className="theme">
      Theme
      <select
        value={theme}
        onChange={(event) => {
          const next = event.target.value as Theme;
          if (next === 'system') localStorage.removeItem(STORAGE_KEY);
          else localStorage.setItem(STORAGE_KEY, next);
          setTheme(applyStoredTheme());
        }}
      >
        <option value="system">Same as the system</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
