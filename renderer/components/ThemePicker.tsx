import type { Theme } from '../../shared/model/settings';
import { cachedTheme } from '../theme';
import { useStores } from '../storesContext';

/** The theme choice, kept by the service (it survives a restart of jumpgate serve, and reaches other windows). */
export function ThemePicker() {
  const { useSettings } = useStores();
  const theme = useSettings((state) => state.settings?.theme) ?? cachedTheme();
  return (
    <label className="theme">
      Theme
      <select value={theme} onChange={(event) => void useSettings.getState().update({ theme: event.target.value as Theme })}>
        <option value="system">Same as the system</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
