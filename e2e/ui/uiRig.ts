import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import type { ProfileOptions } from '../../shared/model/profile';
import { createDispatcher } from '../../electron/core/dispatcher';
import { createJumpgate, type Jumpgate, type JumpgateDeps } from '../../electron/core/service';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { connectChromium } from '../rig/browser';
import { makeOpenSshKey, type RigKey } from '../rig/keys';
import { askRig, rigBrokerUrl } from '../rig/sharedRig';
import { SshdPeer } from '../rig/sshd';
import { startEchoServer, type TcpPeer } from '../rig/tcpPeers';

/**
 * Build what the app ships (main, preload, renderer): the tests drive the built files, not the
 * sources. `out` is dist/ for the Electron specs (package.json's main points there); the UI
 * tests serve a copy private to their run (builtRenderer), so parallel runs never delete each
 * other's renderer.
 */
export function buildApp(out = 'dist'): string {
  execFileSync(process.execPath, ['scripts/build.mjs', '--out', out]);
  return resolve(out);
}

/** A jump box to connect through: a real sshd with the user's key authorized, and an echo "database" behind it. */
export interface JumpBox {
  keyPath: string;
  userKey: RigKey;
  sshd: SshdPeer;
  echo: TcpPeer;
  dispose(): Promise<void>;
}

/** Makes the user's key in `dir`: an unencrypted OpenSSH ed25519 key unless a test wants another (a PPK with passphrase, say). */
export type UserKeyMaker = (dir: string) => Promise<RigKey>;

/** Start the jump box; the user's key is written into `dir`. */
export async function startJumpBox(dir: string, userKey: UserKeyMaker = (keyDir) => makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' })): Promise<JumpBox> {
  const key = await userKey(dir);
  const [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  return {
    keyPath: key.privatePath,
    userKey: key,
    sshd,
    echo,
    dispose: async () => {
      await Promise.all([sshd.dispose(), echo.close()]);
    },
  };
}

/** The browser mode alone: the built renderer and a fresh service behind `jumpgate serve`'s web host, and Debian's Chromium. */
export interface ServedUi {
  dir: string;
  /** The service's data dir: profiles.json and known_hosts. */
  dataDir: string;
  jumpgate: Jumpgate;
  host: WebHost;
  /** The built renderer the host serves (a test that restarts the host serves it again). */
  staticDir: string;
  browser: Browser;
  dispose(): Promise<void>;
}

/**
 * The built renderer for a UI test to serve, read-only. In a vitest run the shared rig builds it
 * once for the whole run (into a temp dir that run owns); elsewhere a private build in `dir`.
 */
async function builtRenderer(dir: string): Promise<string> {
  if (rigBrokerUrl()) return askRig<string>('renderer');
  return join(buildApp(join(dir, 'dist')), 'renderer');
}

/** Service dependencies a test adds (AWS at moto, a clipboard double and its clock, engine tuning); data dir and version are the rig's. */
export type ServiceExtras = Partial<Omit<JumpgateDeps, 'dataDir' | 'version'>>;

export async function startServedUi(options: { deps?: ServiceExtras } = {}): Promise<ServedUi> {
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-'));
  const staticDir = await builtRenderer(dir);
  const dataDir = join(dir, 'data');
  const jumpgate = await createJumpgate({ ...options.deps, dataDir, version: 'test' });
  const host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir });
  const browser = await connectChromium();
  return {
    dir,
    dataDir,
    jumpgate,
    host,
    staticDir,
    browser,
    dispose: async () => {
      await browser.close();
      await host.close();
      await jumpgate.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything a UI test that connects stands on: the served UI plus a jump box. */
export interface UiRig extends ServedUi, Omit<JumpBox, 'dispose'> {}

export async function startUiRig(options: { deps?: ServiceExtras; userKey?: UserKeyMaker } = {}): Promise<UiRig> {
  const served = await startServedUi(options.deps ? { deps: options.deps } : {});
  let box: JumpBox;
  try {
    box = await startJumpBox(served.dir, options.userKey);
  } catch (error) {
    await served.dispose();
    throw error;
  }
  return {
    ...served,
    keyPath: box.keyPath,
    userKey: box.userKey,
    sshd: box.sshd,
    echo: box.echo,
    dispose: async () => {
      // The service first, so its SSH connections close before sshd goes away.
      await served.dispose();
      await box.dispose();
    },
  };
}

/**
 * Save the profile most UI tests connect: the rig's jump box with the user's key and one MySQL
 * target, the echo server behind it, on `localPort`. Returns the saved profile's revision.
 */
export async function saveEchoProfile(rig: UiRig, options: { id: string; name: string; localPort: number; options?: Partial<ProfileOptions> }): Promise<number> {
  const saved = await rig.jumpgate.handlers['profiles:save']({
    profile: {
      id: options.id,
      name: options.name,
      jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
      targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port }, localPort: options.localPort }],
      ...(options.options ? { options: options.options } : {}),
    },
  });
  return saved.revision;
}
