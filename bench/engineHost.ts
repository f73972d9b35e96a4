/**
 * Jumpgate's tunnel engine in a process of its own, driven over IPC by the
 * benchmark, so its speed and RSS are measured apart from the load generator.
 * It uses the production defaults (keepalive, backoff, endpoint check).
 */
import type { JumpHost } from '../shared/model/jumpHost';
import { toErrorInfo } from '../shared/model/errors';
import { JumpHostPool } from '../electron/core/ssh/jumpHostPool';
import { KnownHostsStore } from '../electron/core/ssh/knownHosts';
import { TunnelManager } from '../electron/core/tunnels/tunnelManager';
import { startHeapRelease } from '../electron/core/platform/heapRelease';

export type EngineCommand =
  | { type: 'start'; id: string; jumpHost: JumpHost; remoteHost: string; remotePort: number; localPort: number }
  | { type: 'stopAll' }
  | { type: 'rss' }
  | { type: 'peakStart' }
  | { type: 'peakStop' };

export type EngineReply =
  | { type: 'ready' }
  | { type: 'started'; id: string }
  | { type: 'failed'; id: string; code: string; message: string }
  | { type: 'stopped' }
  | { type: 'rss'; rss: number }
  | { type: 'peak'; peak: number }
  | { type: 'state'; id: string; status: string };

const knownHostsPath = process.argv[2];
if (!knownHostsPath) throw new Error('usage: engineHost <known_hosts path>');

const pool = new JumpHostPool({ knownHosts: new KnownHostsStore(knownHostsPath) });
// As the app's hosts do (electron/main, `jumpgate connect`, `jumpgate serve`).
startHeapRelease();
const manager = new TunnelManager({
  pool,
  onEvent: (event) => reply({ type: 'state', id: event.tunnelId, status: event.state.status }),
  statsIntervalMs: 0,
});

let peak = 0;
let sampler: NodeJS.Timeout | undefined;

function reply(message: EngineReply): void {
  // Tunnels report their end while the benchmark disconnects: nobody to tell then.
  if (process.connected) process.send?.(message);
}

process.on('message', (command: EngineCommand) => {
  switch (command.type) {
    case 'start': {
      const { id, jumpHost, remoteHost, remotePort, localPort } = command;
      manager.start({ id, jumpHost, remoteHost, remotePort, localPort }).then(
        () => reply({ type: 'started', id }),
        (error: unknown) => reply({ type: 'failed', id, ...toErrorInfo(error) }),
      );
      return;
    }
    case 'stopAll':
      void manager.stopAll().then(() => reply({ type: 'stopped' }));
      return;
    case 'rss':
      reply({ type: 'rss', rss: process.memoryUsage.rss() });
      return;
    case 'peakStart':
      peak = process.memoryUsage.rss();
      sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 10);
      return;
    case 'peakStop':
      clearInterval(sampler);
      reply({ type: 'peak', peak: Math.max(peak, process.memoryUsage.rss()) });
      return;
  }
});
process.on('disconnect', () => {
  void manager.dispose().then(() => process.exit(0));
});
reply({ type: 'ready' });
