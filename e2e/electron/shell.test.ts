import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJumpgate } from '../../electron/core/service';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { pickPort } from '../rig/daemon';
import { displayPeers, startDisplay, type Display } from '../rig/display';
import { electronBinary, reportElectronSkip } from '../rig/electronBinary';
import { trustSshd } from '../rig/engine';
import { peersAvailable } from '../rig/peers';
import { listeningPorts } from '../rig/procfs';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from '../ui/profilePage';
import { buildApp, startJumpBox, type JumpBox } from '../ui/uiRig';

/** What the tray was last given, read in the main process: the tray itself, its tooltip, its menu as labels. */
interface TraySeen {
  destroyed: boolean;
  tooltip: string | undefined;
  items: MenuSeen[];
}
interface MenuSeen {
  label: string;
  type: string;
  submenu?: MenuSeen[];
}

const electron = electronBinary();
reportElectronSkip(electron);

/**
 * The desktop shell around the same service the browser tests drive: the one
 * window, its lock-down, the tray, and closing to the tray. Where the Electron
 * binary cannot be installed (the download is blocked on our CI machines) the
 * whole suite skips with that one reason; a missing sshd still fails CI through
 * peersAvailable, but only where Electron itself is present.
 */
describe.skipIf(!electron.path || !peersAvailable('sshd', 'ssh-keygen', ...displayPeers()))(
  `the Electron shell${electron.reason ? ` (skipped: ${electron.reason})` : ''}`,
  () => {
    let dir: string;
    let box: JumpBox;
    let display: Display;
    let app: ElectronApplication;
    let window: Page;
    let localPort: number;

    /** Runs in the main process: what the patched Tray was last given (see the tray test). */
    const traySeen = (): Promise<TraySeen | undefined> =>
      app.evaluate(() => {
        const seen = (globalThis as { trayProbe?: { tray?: Electron.Tray; tooltip?: string; menu?: Electron.Menu } }).trayProbe;
        const describeMenu = (menu: Electron.Menu): MenuSeen[] =>
          menu.items.map((item) => ({ label: item.label, type: item.type, ...(item.submenu ? { submenu: describeMenu(item.submenu) } : {}) }));
        return seen?.tray && seen.menu ? { destroyed: seen.tray.isDestroyed(), tooltip: seen.tooltip, items: describeMenu(seen.menu) } : undefined;
      });

    /** Click a top-level tray menu item by label, after the evaluate call has returned (Quit ends the process). */
    const clickTrayItem = (label: string): Promise<void> =>
      app.evaluate((_electron, wanted) => {
        const menu = (globalThis as { trayProbe?: { menu?: Electron.Menu } }).trayProbe?.menu;
        const item = menu?.items.find((entry) => entry.label === wanted);
        if (!item) throw new Error(`no tray item ${wanted}`);
        setImmediate(() => item.click());
      }, label);

    const windowState = (): Promise<{ count: number; destroyed: boolean; visible: boolean }> =>
      app.evaluate(({ BrowserWindow }) => {
        const all = BrowserWindow.getAllWindows();
        return { count: all.length, destroyed: all[0]?.isDestroyed() ?? true, visible: all[0]?.isVisible() ?? false };
      });

    beforeAll(async () => {
      buildApp();
      dir = mkdtempSync(join(tmpdir(), 'jumpgate-electron-'));
      box = await startJumpBox(dir);
      localPort = await pickPort();
      // The app's own files live in a temp folder, never the user's profiles.
      const dataDir = join(dir, 'data');
      await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), box.sshd);
      // Saved through the service before the app starts, so the first window already lists it.
      const seed = await createJumpgate({ dataDir, version: 'test' });
      await seed.handlers['profiles:save']({
        profile: {
          id: 'rig',
          name: 'Rig box',
          jumpHost: { host: box.sshd.host, port: box.sshd.port, user: box.sshd.user, auth: { kind: 'key', keyPath: box.keyPath } },
          targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: box.echo.port }, localPort }],
        },
      });
      await seed.dispose();
      display = await startDisplay();
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== 'ELECTRON_RUN_AS_NODE') env[name] = value;
      app = await _electron.launch({
        executablePath: electron.path as string,
        args: [resolve('.')],
        env: { ...env, ...display.env, JUMPGATE_DATA_DIR: dataDir },
        // Playwright adds --no-sandbox on Linux unless asked for the sandbox; Chromium's sandbox cannot run as root.
        chromiumSandbox: process.getuid?.() !== 0,
      });
      window = await app.firstWindow();
    }, 180_000);

    afterAll(async () => {
      const child = app?.process();
      if (child && child.exitCode === null && child.signalCode === null) await app.close();
      await display?.dispose();
      await box?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('opens one window titled Jumpgate with the profile list', async () => {
      await window.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Rig box' }).waitFor();
      expect(await window.title()).toBe('Jumpgate');
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((entry) => entry.getTitle()))).toEqual(['Jumpgate']);
    });

    it('locks the page down: sandboxed, context-isolated, no Node, only the contract bridge', async () => {
      const preferences = await app.evaluate(({ BrowserWindow }) => {
        // Internal (electron's typings/internal-electron.d.ts, not the public d.ts): the preferences the window was created with.
        const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as { getLastWebPreferences(): Electron.WebPreferences | null };
        const last = contents.getLastWebPreferences();
        return { sandbox: last?.sandbox, contextIsolation: last?.contextIsolation, nodeIntegration: last?.nodeIntegration, webSecurity: last?.webSecurity };
      });
      expect(preferences).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
      // The same, as the page sees it: no require or process, and window.jumpgate has invoke, on and onStatus only.
      const page = await window.evaluate(() => {
        const scope = globalThis as { require?: unknown; process?: unknown; jumpgate?: object };
        return { require: typeof scope.require, process: typeof scope.process, bridge: Object.keys(scope.jumpgate ?? {}).sort() };
      });
      expect(page).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on', 'onStatus'] });
    });

    it('mirrors the tunnels in the tray: menu per profile, Open and Quit, tooltip with the count', async () => {
      // The tray keeps no handle a test could reach, but it hands every change to Tray#setContextMenu
      // and #setToolTip: wrap those in the main process and read what they are given.
      await app.evaluate(({ Tray }) => {
        const probe: { tray?: Electron.Tray; tooltip?: string; menu?: Electron.Menu } = {};
        (globalThis as { trayProbe?: typeof probe }).trayProbe = probe;
        const { setContextMenu, setToolTip } = Tray.prototype;
        Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null) {
          probe.tray = this;
          if (menu) probe.menu = menu;
          return setContextMenu.call(this, menu);
        };
        Tray.prototype.setToolTip = function (this: Electron.Tray, toolTip: string) {
          probe.tooltip = toolTip;
          return setToolTip.call(this, toolTip);
        };
      });
      const page = new ProfilePage(window);
      await window.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Rig box' }).click();
      await page.connect('Echo');
      await page.waitForStatus('Echo', /^open for/);

      await expect.poll(traySeen, { timeout: 20_000 }).toMatchObject({ tooltip: 'Jumpgate: 1 of 1 tunnels open' });
      const tray = (await traySeen()) as TraySeen;
      expect(tray.destroyed).toBe(false);
      expect(tray.items.find((item) => item.label.startsWith('Rig box'))).toEqual({
        label: 'Rig box (open)',
        type: 'submenu',
        submenu: [
          { label: 'Disconnect all', type: 'normal' },
          { label: '', type: 'separator' },
          { label: `Disconnect Echo: 127.0.0.1:${localPort} (open)`, type: 'normal' },
        ],
      });
      expect(tray.items.slice(-3)).toEqual([
        { label: '', type: 'separator' },
        { label: 'Open Jumpgate', type: 'normal' },
        { label: 'Quit (closes all tunnels)', type: 'normal' },
      ]);
    });

    it('hides to the tray when the window is closed: app running, window kept, tunnel still forwarding', async () => {
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
      await expect.poll(windowState).toEqual({ count: 1, destroyed: false, visible: false });
      expect(await roundTrip(localPort, 'window closed')).toBe('window closed');
      expect((await traySeen())?.tooltip).toBe('Jumpgate: 1 of 1 tunnels open');

      await clickTrayItem('Open Jumpgate');
      await expect.poll(windowState).toEqual({ count: 1, destroyed: false, visible: true });
      await new ProfilePage(window).waitForStatus('Echo', /^open for/);
    });

    it('quits from the tray: every tunnel closed, then the app exits', async () => {
      const exited = app.waitForEvent('close');
      await clickTrayItem('Quit (closes all tunnels)');
      await exited;
      expect(listeningPorts().has(localPort)).toBe(false);
    });
  },
);
