import { startDaemon } from './daemon';
import { peerPath, type PeerName } from './peers';

/** What a windowed program needs to draw: extra environment, and the cleanup. */
export interface Display {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** Linux without DISPLAY or WAYLAND_DISPLAY (CI, a container) needs a private Xvfb; elsewhere the user's own display is used. */
export function needsXvfb(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/** The peers startDisplay will use here, for peersAvailable. */
export function displayPeers(): PeerName[] {
  return needsXvfb() ? ['Xvfb'] : [];
}

/**
 * A display for Electron. Xvfb picks a free display number itself and writes it
 * to the fd named by -displayfd once it accepts clients: that line is readiness.
 */
export async function startDisplay(): Promise<Display> {
  if (!needsXvfb()) return { env: {}, dispose: async () => undefined };
  const xvfb = await startDaemon(peerPath('Xvfb'), ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { ready: /^\d+\n/m });
  const number = /^(\d+)\n/m.exec(xvfb.log())?.[1];
  return { env: { DISPLAY: `:${number}` }, dispose: () => xvfb.stop() };
}
