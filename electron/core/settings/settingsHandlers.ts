import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';

type SettingsChannels = 'settings:get' | 'settings:update';

/** The user's app-wide choices; a change reaches every window as settings:changed. */
export function settingsHandlers({ settings, bus }: ServiceContext): Pick<Handlers, SettingsChannels> {
  return {
    'settings:get': async () => settings.get(),
    'settings:update': async (change) => {
      const saved = await settings.update(change);
      bus.emit('settings:changed', { settings: saved });
      return { ...saved, seq: bus.seqOf('settings:changed') };
    },
  };
}
