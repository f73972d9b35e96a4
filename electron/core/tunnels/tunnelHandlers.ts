import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';

type TunnelChannels = 'tunnels:snapshot' | 'tunnels:start' | 'tunnels:stop' | 'tunnels:retryNow' | 'tunnels:startProfile' | 'tunnels:stopProfile';

/** Connect and disconnect saved targets; state flows back as `tunnels:state` events. */
export function tunnelHandlers({ profiles, tunnels }: ServiceContext): Pick<Handlers, TunnelChannels> {
  return {
    'tunnels:snapshot': async () => tunnels.snapshot(),
    'tunnels:start': async ({ profileId, targetId, unlock, localPort }) => {
      const { profile, target } = profiles.getTarget(profileId, targetId);
      return tunnels.start(profile, localPort === undefined ? target : { ...target, localPort }, unlock);
    },
    'tunnels:stop': async ({ profileId, targetId }) => {
      profiles.getTarget(profileId, targetId);
      await tunnels.stop(profileId, targetId);
      return null;
    },
    'tunnels:retryNow': async ({ profileId, targetId }) => {
      profiles.getTarget(profileId, targetId);
      tunnels.retryNow(profileId, targetId);
      return null;
    },
    'tunnels:startProfile': async ({ profileId, unlock }) => {
      const profile = profiles.get(profileId);
      // One SSH connection carries them all: the pool shares it, so start them together.
      return Promise.all(profile.targets.map((target) => tunnels.start(profile, target, unlock)));
    },
    'tunnels:stopProfile': async ({ profileId }) => {
      const profile = profiles.get(profileId);
      await tunnels.stopTargets(profileId, profile.targets.map((target) => target.id));
      return null;
    },
  };
}
