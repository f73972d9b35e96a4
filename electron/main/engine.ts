import { join } from 'node:path';
import type { TunnelStateEvent } from '../../shared/model/tunnelState';
import { JumpHostPool } from '../core/ssh/jumpHostPool';
import { KnownHostsStore } from '../core/ssh/knownHosts';
import { TunnelManager } from '../core/tunnels/tunnelManager';

/** The engine as the desktop app owns it: pinned host keys live in the app's data directory. */
export interface Engine {
  pool: JumpHostPool;
  tunnels: TunnelManager;
  dispose(): Promise<void>;
}

export function createEngine(dataDir: string, onTunnelEvent: (event: TunnelStateEvent) => void): Engine {
  const knownHosts = new KnownHostsStore(join(dataDir, 'known_hosts'));
  const pool = new JumpHostPool({ knownHosts });
  const tunnels = new TunnelManager({ pool, onEvent: onTunnelEvent });
  return {
    pool,
    tunnels,
    // Tunnels first (they hold leases), then any connection left in the pool.
    dispose: async () => {
      await tunnels.dispose();
      await pool.dispose();
    },
  };
}
