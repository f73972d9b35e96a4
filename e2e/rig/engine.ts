import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JumpHost } from '../../shared/model/jumpHost';
import type { TunnelSnapshotEntry, TunnelState, TunnelStateEvent } from '../../shared/model/tunnelState';
import { JumpHostPool, type JumpHostPoolOptions } from '../../electron/core/ssh/jumpHostPool';
import { hostKeyFromBlob, KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { TunnelManager, type TunnelManagerOptions } from '../../electron/core/tunnels/tunnelManager';
import type { SshdPeer } from './sshd';
import { waitForValue } from './waitFor';

/** The tunnel engine wired the way the app wires it, on temp files, for tests and benchmarks. */
export interface EngineUnderTest {
  dir: string;
  knownHosts: KnownHostsStore;
  pool: JumpHostPool;
  manager: TunnelManager;
  events: TunnelStateEvent[];
  /** Resolve once tunnel `id` reaches a state matching `check` (event-driven). */
  waitForTunnel(id: string, check: (state: TunnelState) => boolean, what: string, timeoutMs?: number): Promise<TunnelState>;
  dispose(): Promise<void>;
}

export function startEngine(
  options: { pool?: Partial<JumpHostPoolOptions>; manager?: Partial<Omit<TunnelManagerOptions, 'pool' | 'onEvent'>> } = {},
): EngineUnderTest {
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-engine-'));
  const knownHosts = new KnownHostsStore(join(dir, 'known_hosts'));
  const pool = new JumpHostPool({ knownHosts, ...options.pool });
  const events: TunnelStateEvent[] = [];
  const listeners = new Set<(event: TunnelStateEvent) => void>();
  const manager = new TunnelManager({
    pool,
    onEvent: (event) => {
      events.push(event);
      for (const listener of [...listeners]) listener(event);
    },
    ...options.manager,
  });
  return {
    dir,
    knownHosts,
    pool,
    manager,
    events,
    waitForTunnel: (id, check, what, timeoutMs) =>
      waitForValue<TunnelState>(
        () => manager.get(id)?.state ?? { status: 'idle' },
        (listener) => {
          const relay = (event: TunnelStateEvent): void => {
            if (event.tunnelId === id) listener(event.state);
          };
          listeners.add(relay);
          return () => listeners.delete(relay);
        },
        check,
        { what: `tunnel ${id}: ${what}`, ...(timeoutMs ? { timeoutMs } : {}) },
      ),
    dispose: async () => {
      await manager.dispose();
      await pool.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pin every host key of `sshd`, as if the user had confirmed the fingerprints: at its own port, or at `port` when it is reached through a relay in front of it. */
export async function trustSshd(knownHosts: KnownHostsStore, sshd: SshdPeer, port = sshd.port): Promise<void> {
  for (const key of sshd.hostKeys) {
    const blob = Buffer.from(key.publicKey.split(' ')[1] ?? '', 'base64');
    await knownHosts.pin(sshd.host, port, hostKeyFromBlob(blob));
  }
}

export function jumpHostFor(sshd: SshdPeer, keyPath: string, via: JumpHost['via'] = []): JumpHost {
  return { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath }, via };
}

export function isOpen(state: TunnelState): state is Extract<TunnelState, { status: 'open' }> {
  return state.status === 'open';
}

export type { TunnelSnapshotEntry };
