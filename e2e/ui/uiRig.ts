import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { createDispatcher } from '../../electron/core/dispatcher';
import { createJumpgate, type Jumpgate, type JumpgateDeps } from '../../electron/core/service';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { launchChromium } from '../rig/browser';
import { makeOpenSshKey } from '../rig/keys';
import { SshdPeer } from '../rig/sshd';
import { startEchoServer, type TcpPeer } from '../rig/tcpPeers';

/**
 * Everything a UI test stands on: the built renderer, a real sshd with the
 * user's key authorized, an echo "database" behind it, the service behind
 * `jumpgate serve`'s web host, and Debian's Chromium.
 */
export interface UiRig {
  dir: string;
  keyPath: string;
  sshd: SshdPeer;
  echo: TcpPeer;
  jumpgate: Jumpgate;
  host: WebHost;
  browser: Browser;
  dispose(): Promise<void>;
}

export async function startUiRig(options: { pool?: JumpgateDeps['pool'] } = {}): Promise<UiRig> {
  execFileSync(process.execPath, ['scripts/build.mjs']);
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-'));
  const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
  const [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  const jumpgate = await createJumpgate({ dataDir: join(dir, 'data'), version: 'test', ...(options.pool ? { pool: options.pool } : {}) });
  const host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir: resolve('dist/renderer') });
  const browser = await launchChromium();
  return {
    dir,
    keyPath: key.privatePath,
    sshd,
    echo,
    jumpgate,
    host,
    browser,
    dispose: async () => {
      await browser.close();
      await host.close();
      await jumpgate.dispose();
      await Promise.all([sshd.dispose(), echo.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
