import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';
import { tuningOf } from '../ssh/profileTuning';

type ShellChannels = 'shell:open' | 'shell:input' | 'shell:resize' | 'shell:close';

/** Terminals on the jump box, as channels of the pooled connection the tunnels use; output flows as `shell:output` events. */
export function shellHandlers({ profiles, shells, passphrases }: ServiceContext): Pick<Handlers, ShellChannels> {
  return {
    'shell:open': async ({ profileId, cols, rows, unlock }) => {
      const profile = profiles.get(profileId);
      const { value: shellId, notRemembered } = await passphrases.withUnlock(profile, unlock, () => shells.open(profile.jumpHost, { cols, rows }, tuningOf(profile)));
      return { shellId, ...(notRemembered ? { notRemembered } : {}) };
    },
    'shell:input': async ({ shellId, data }) => {
      shells.write(shellId, data);
      return null;
    },
    'shell:resize': async ({ shellId, cols, rows }) => {
      shells.resize(shellId, { cols, rows });
      return null;
    },
    'shell:close': async ({ shellId }) => {
      await shells.close(shellId);
      return null;
    },
  };
}
