import type { Profile } from '../../../shared/model/profile';
import type { ConnectionTuning } from './jumpHostPool';

/** The keepalive, reconnect and algorithm settings a profile asks of its jump host connection. */
export function tuningOf(profile: Profile): ConnectionTuning {
  return {
    keepalive: { intervalMs: profile.options.keepaliveIntervalSeconds * 1000, countMax: profile.options.keepaliveCountMax },
    backoff: { capMs: profile.options.reconnectCapSeconds * 1000 },
    algorithms: { allowSshRsaSha1: profile.options.allowSshRsaSha1 },
  };
}
