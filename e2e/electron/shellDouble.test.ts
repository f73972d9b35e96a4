import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/channels';
import type { TunnelState, TunnelStateEvent } from '../../shared/model/tunnelState';
import { createJumpgate } from '../../electron/core/service';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { runBundle } from '../rig/bundleLoader';
import { pickPort } from '../rig/daemon';
import { ElectronDouble, FrameDouble, type BrowserWindowDouble, type RendererDouble, type TrayDouble, type WebContentsDouble } from '../rig/electronDouble';
import { trustSshd } from '../rig/engine';
import { peersAvailable } from '../rig/peers';
import { establishedRemotePorts, listeningPorts } from '../rig/procfs';
import { roundTrip } from '../rig/tcpPeers';
import { buildApp, startJumpBox, type JumpBox } from '../ui/uiRig';

/** What main refuses a sender it does not trust with (electron/main/ipc.ts). */
const REFUSED = {
  ok: false,
  error: { code: 'BAD_REQUEST', message: 'This page may not talk to Jumpgate.', hint: 'Only the Jumpgate window can use the app.' },
};

/** A tunnel state event as the page received it, with when it arrived. */
interface Arrival {
  at: number;
  event: TunnelStateEvent;
}

/**
 * The desktop shell as built (dist/main/main.cjs and dist/preload/preload.cjs), run in this
 * process with `electron` resolved to a double (e2e/rig/electronDouble.ts): the Electron binary
 * cannot be downloaded here (issue #15), everything else is real. The service inside the bundle
 * talks to the rig's sshd and an echo "database" behind it, on a temp data dir. The Playwright
 * `_electron` specs (shell.test.ts) cover the same shell wherever the binary exists.
 *
 * The tests run in order on one app instance: start, window, IPC, tray through open, reconnect,
 * resume, failure, a second instance, and Quit last.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('the desktop shell under a stand-in electron module', () => {
  let dir: string;
  let dist: string;
  let box: JumpBox;
  let rigPort: number;
  let autoPort: number;
  let electron: ElectronDouble;
  let window: BrowserWindowDouble;
  /** Kept apart from the window: a destroyed window's webContents cannot be reached, its record can. */
  let contents: WebContentsDouble;
  let tray: TrayDouble;
  /** The bridge the window's preload gave its page (main frame). */
  let page: JumpgateBridge;
  /** Every tunnel state the page heard through that bridge. */
  const arrivals: Arrival[] = [];

  const indexHtml = (): string => join(dist, 'renderer', 'index.html');

  /** Start one app instance: main.cjs with `electron` resolved to `double`. */
  function launch(double: ElectronDouble): void {
    runBundle(join(dist, 'main', 'main.cjs'), { electron: double.mainModule });
  }

  /** Run the built preload in a renderer of the double; the page's `window.jumpgate`. */
  function loadPreload(renderer: RendererDouble): JumpgateBridge {
    runBundle(join(dist, 'preload', 'preload.cjs'), { electron: renderer.module }, { sandboxed: true });
    return renderer.mainWorld.jumpgate as JumpgateBridge;
  }

  const stateEvents = (tunnelId: string): TunnelStateEvent[] =>
    contents.sent.filter((sent) => sent.channel === 'tunnels:state').map((sent) => sent.args[0] as TunnelStateEvent).filter((event) => event.tunnelId === tunnelId);

  const lastState = (tunnelId: string): TunnelState | undefined => stateEvents(tunnelId).at(-1)?.state;

  const iconName = (): string => basename(tray.image.path, '.png');

  /** Resolves once the tray's tooltip reads `tooltip`. */
  const trayReads = (tooltip: string | RegExp): Promise<TrayDouble> =>
    electron.until(() => (typeof tooltip === 'string' ? tray.tooltip === tooltip : tooltip.test(tray.tooltip ?? '')) ? tray : undefined, `tray tooltip ${String(tooltip)}`);

  const notified = (title: string, after: number): Promise<{ title?: string; body?: string }> =>
    electron.until(() => electron.notifications.slice(after).find((shown) => shown.title === title), `notification "${title}"`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-shell-'));
    // The app's layout, as `electron .` sees it from the repo: dist/ built fresh (never the repo's
    // own dist/, which other tests rebuild), build/tray for the tray icons (main.ts finds them beside
    // dist/), node_modules for what the bundle keeps external (ssh2, @napi-rs/keyring).
    const appRoot = join(dir, 'app');
    dist = buildApp(join(appRoot, 'dist'));
    symlinkSync(resolve('build'), join(appRoot, 'build'), 'dir');
    symlinkSync(resolve('node_modules'), join(appRoot, 'node_modules'), 'dir');

    box = await startJumpBox(dir);
    rigPort = await pickPort();
    do autoPort = await pickPort();
    while (autoPort === rigPort);
    const dataDir = join(dir, 'data');
    await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), box.sshd);
    // Saved before the app starts: one profile to connect from the tray, one that connects itself.
    const seed = await createJumpgate({ dataDir, version: 'test' });
    const jumpHost = { host: box.sshd.host, port: box.sshd.port, user: box.sshd.user, auth: { kind: 'key', keyPath: box.keyPath } };
    const echoTarget = (localPort: number) => ({ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: box.echo.port }, localPort });
    await seed.handlers['profiles:save']({ profile: { id: 'rig', name: 'Rig box', jumpHost, targets: [echoTarget(rigPort)] } });
    await seed.handlers['profiles:save']({ profile: { id: 'auto', name: 'Auto box', jumpHost, targets: [echoTarget(autoPort)], options: { autoConnect: true } } });
    await seed.dispose();

    // main.ts moves userData to defaultDataDir(), which JUMPGATE_DATA_DIR overrides (read as main.cjs loads).
    vi.stubEnv('JUMPGATE_DATA_DIR', dataDir);
    // The OS keychain (asked for an encrypted key's passphrase on every connect) must not depend on
    // this machine's session: a bus that does not exist makes it report "unavailable" at once, as on
    // a desktop without gnome-keyring. The rig's key has no passphrase, so nothing else changes.
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', `unix:path=${join(dir, 'no-bus')}`);
    electron = new ElectronDouble({ version: 'test' });
    launch(electron);
  }, 180_000);

  afterAll(async () => {
    if (electron && electron.app.exitCode === undefined && electron.app.isReady()) {
      electron.app.quit();
      await electron.until(() => electron.app.exitCode, 'the app to quit');
    }
    await box?.dispose();
    vi.unstubAllEnvs();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the single-instance lock at once; on ready opens one window on the built files, never before its handlers', async () => {
    expect(electron.app.hasSingleInstanceLock()).toBe(true);
    expect(electron.windows).toHaveLength(0);
    expect(electron.trays).toHaveLength(0);
    // The user starts Jumpgate again while the first is still starting: Electron tells the first
    // ('second-instance', after its ready) while it may still be building the service.
    const early = new ElectronDouble({ version: 'test' });
    launch(early);
    expect(early.app.exitCode).toBe(0);
    const handlersAtWindow: number[] = [];
    electron.app.on('browser-window-created', () => handlersAtWindow.push(electron.ipcMain.handlers.size));

    electron.ready();
    window = await electron.until(() => electron.windows[0], 'the main window');
    contents = window.webContents;
    // A window before the contract's handlers would answer its page's first calls "No handler registered".
    expect(handlersAtWindow).toEqual([REQUEST_CHANNELS.length]);
    await electron.until(() => electron.trays[0], 'the tray');
    expect(electron.windows).toHaveLength(1);
    expect(window.getTitle()).toBe('Jumpgate');
    expect(window.isVisible()).toBe(true);

    // As the shell asked for them, not Electron's defaults: DESIGN.md wants them explicit.
    const preferences = window.options.webPreferences ?? {};
    expect(preferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(preferences.nodeIntegrationInSubFrames).not.toBe(true);
    expect(preferences.webviewTag).not.toBe(true);
    // The files it uses are the ones the build wrote.
    expect(preferences.preload).toBe(join(dist, 'preload', 'preload.cjs'));
    expect(statSync(preferences.preload as string).isFile()).toBe(true);
    expect(contents.loadedFiles).toEqual([indexHtml()]);
    expect(statSync(indexHtml()).isFile()).toBe(true);
    expect(contents.getURL()).toBe(pathToFileURL(indexHtml()).href);

    // No navigation, no new windows, no webviews, no permissions.
    expect(contents.pageOpensWindow('https://example.com/')).toBe('deny');
    expect(contents.pageNavigates('https://example.com/')).toBe(false);
    expect(contents.getURL()).toBe(pathToFileURL(indexHtml()).href);
    expect(contents.pageAttachesWebview()).toBe(false);
    const granted = await new Promise<boolean>((done) => electron.permissionHandlers.request?.(contents, 'media', done));
    expect(granted).toBe(false);
    expect(electron.permissionHandlers.check?.(contents, 'clipboard-read')).toBe(false);
  });

  it('registers a handler for every contract channel and nothing else', () => {
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('opens autoConnect profiles at start, and the tray shows it', async () => {
    tray = await electron.until(() => electron.trays[0], 'the tray');
    await trayReads('Jumpgate: 1 of 1 tunnels open');
    expect(iconName()).toBe('tray-open');
    expect(tray.image.isEmpty()).toBe(false);
    expect(await roundTrip(autoPort, 'auto')).toBe('auto');
    // Nothing asked for it: no page has invoked anything yet.
    expect(listeningPorts().has(rigPort)).toBe(false);

    const menu = tray.menu?.describe() ?? [];
    expect(menu.find((item) => item.label.startsWith('Auto box'))).toEqual({
      label: 'Auto box (open)',
      type: 'submenu',
      enabled: true,
      submenu: [
        { label: 'Disconnect all', type: 'normal', enabled: true },
        { label: '', type: 'separator', enabled: true },
        { label: `Disconnect Echo: 127.0.0.1:${autoPort} (open)`, type: 'normal', enabled: true },
      ],
    });
    expect(menu.slice(-3).map((item) => item.label)).toEqual(['', 'Open Jumpgate', 'Quit (closes all tunnels)']);
  });

  it("exposes only the contract through the preload: every contract channel reaches main's guard, nothing else reaches ipcRenderer", async () => {
    // An iframe of the window: main's guard refuses it, so the calls below reach no handler.
    const iframe = electron.renderer(contents, new FrameDouble(pathToFileURL(indexHtml()).href, contents.mainFrame));
    const bridge = loadPreload(iframe);
    expect(Object.keys(iframe.mainWorld)).toEqual(['jumpgate']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'onStatus']);
    expect(Object.values(bridge).every((value) => typeof value === 'function')).toBe(true);

    const invoke = bridge.invoke as (channel: unknown, request: unknown) => Promise<unknown>;
    for (const channel of REQUEST_CHANNELS) expect(await invoke(channel, {})).toEqual(REFUSED);
    expect(iframe.ipcRenderer.invoked).toEqual([...REQUEST_CHANNELS]);

    for (const channel of ['ipc:raw', 'profiles:list ', '__proto__', 'constructor', 'tunnels:state', 42, undefined]) {
      expect(await invoke(channel, {})).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown channel.' } });
    }
    expect(iframe.ipcRenderer.invoked).toHaveLength(REQUEST_CHANNELS.length);

    const on = bridge.on as (channel: unknown, listener: unknown) => () => void;
    for (const channel of EVENT_CHANNELS) {
      const unsubscribe = on(channel, () => undefined);
      expect(iframe.ipcRenderer.listenerCount(channel)).toBe(1);
      unsubscribe();
      expect(iframe.ipcRenderer.listenerCount(channel)).toBe(0);
    }
    for (const channel of ['profiles:list', 'ipc:raw', 'newListener']) {
      expect(() => on(channel, () => undefined)).toThrow('Unknown event channel.');
      expect(iframe.ipcRenderer.listenerCount(channel)).toBe(0);
    }
  });

  it('round-trips an invoke from the window through the real service; refuses one from an iframe, another file or another window', async () => {
    const main = electron.renderer(contents);
    page = loadPreload(main);
    page.on('tunnels:state', (event) => arrivals.push({ at: Date.now(), event }));

    const listed = await page.invoke('profiles:list', undefined);
    expect(listed.ok && listed.value.profiles.map((profile) => profile.name)).toEqual(expect.arrayContaining(['Auto box', 'Rig box']));
    const invalid = await page.invoke('tunnels:start', { profileId: 5 } as never);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^Invalid request for tunnels:start/) } });

    const start = { profileId: 'rig', targetId: 'echo' };
    const iframe = loadPreload(electron.renderer(contents, new FrameDouble(pathToFileURL(indexHtml()).href, contents.mainFrame)));
    expect(await iframe.invoke('tunnels:start', start)).toEqual(REFUSED);
    // The window's own top frame, showing some other file than the app's index.html.
    const otherFile = loadPreload(electron.renderer(contents, new FrameDouble(pathToFileURL(join(dist, 'renderer', 'styles.css')).href)));
    expect(await otherFile.invoke('tunnels:start', start)).toEqual(REFUSED);
    // A window Jumpgate did not create, even one showing Jumpgate's own page.
    const stranger = new electron.BrowserWindow({ show: false, webPreferences: { preload: join(dist, 'preload', 'preload.cjs') } });
    await stranger.loadFile(indexHtml());
    expect(await loadPreload(electron.renderer(stranger.webContents)).invoke('tunnels:start', start)).toEqual(REFUSED);
    stranger.destroy();
    expect(listeningPorts().has(rigPort)).toBe(false);
    expect(stateEvents('rig/echo')).toEqual([]);
  });

  it('sends events to the window; the tray follows a tunnel opening from its menu', async () => {
    const before = arrivals.length;
    tray.menu?.item(/^Rig box/, `Connect Echo: 127.0.0.1:${rigPort} (idle)`).click();
    await trayReads('Jumpgate: 2 of 2 tunnels open');
    expect(iconName()).toBe('tray-open');
    expect(tray.menu?.item(/^Rig box/, `Disconnect Echo: 127.0.0.1:${rigPort} (open)`)).toBeDefined();
    expect(await roundTrip(rigPort, 'through the tray')).toBe('through the tray');

    const sent = stateEvents('rig/echo');
    expect(sent.map((event) => event.state.status).slice(0, 2)).toEqual(['connecting', 'open']);
    // What webContents.send was given is what the page's listener got, in order.
    expect(arrivals.slice(before).map((arrival) => arrival.event).filter((event) => event.tunnelId === 'rig/echo')).toEqual(sent);
  });

  it('hides the window on close: the app stays, the tunnels pass data, the tray opens it again', async () => {
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(electron.app.exitCode).toBeUndefined();
    expect(await roundTrip(rigPort, 'closed')).toBe('closed');
    expect(await roundTrip(autoPort, 'closed too')).toBe('closed too');
    expect(tray.tooltip).toBe('Jumpgate: 2 of 2 tunnels open');

    tray.menu?.item('Open Jumpgate').click();
    expect(window.isVisible()).toBe(true);
    window.close();
    tray.emit('click');
    expect(window.isVisible()).toBe(true);
    // macOS: a click on the Dock icon of a running app.
    window.close();
    electron.app.emit('activate', {}, false);
    await electron.until(() => (window.isVisible() ? true : undefined), 'the window shown on activate');
    expect(electron.windows).toHaveLength(2); // the main window and the stranger above, destroyed
    expect(electron.openWindows()).toEqual([window]);
  });

  it('follows a reconnect in the tray after the rig kills the sshd session', async () => {
    const images = tray.images.length;
    const notices = electron.notifications.length;
    box.sshd.killSessions();
    const dropped = await notified('rig/echo dropped', notices);
    expect(dropped.body).toMatch(new RegExp(`Reconnecting; 127\\.0\\.0\\.1:${rigPort} stays reserved\\.$`));
    await notified('rig/echo is back', notices);
    await notified('auto/echo is back', notices);
    await trayReads('Jumpgate: 2 of 2 tunnels open');
    const shown = tray.images.slice(images).map((image) => basename(image.path, '.png'));
    expect(shown).toContain('tray-reconnecting');
    expect(shown.indexOf('tray-reconnecting')).toBeLessThan(shown.lastIndexOf('tray-open'));
    expect(iconName()).toBe('tray-open');
    expect(await roundTrip(rigPort, 'back')).toBe('back');
  });

  it('skips the reconnect backoff on powerMonitor "resume": the next attempt starts at once', async () => {
    await box.sshd.stop();
    // Wait out the short first delays until the next attempt is at least a second away.
    const waiting = await electron.until(() => {
      const latest = arrivals.at(-1);
      return latest && latest.event.tunnelId === 'rig/echo' && latest.event.state.status === 'reconnecting' && latest.event.state.nextRetryAt - latest.at >= 1000
        ? (latest.event.state as Extract<TunnelState, { status: 'reconnecting' }>)
        : undefined;
    }, 'a reconnect attempt a second or more away');
    const resumed = arrivals.length;
    electron.powerMonitor.emit('resume');
    const next = await electron.until(
      () => arrivals.slice(resumed).find((arrival) => arrival.event.tunnelId === 'rig/echo' && arrival.event.state.status === 'reconnecting' && arrival.event.state.attempt > waiting.attempt),
      'the next attempt',
    );
    expect(next.at).toBeLessThan(waiting.nextRetryAt);

    // The jump box is back, but the next attempt is seconds away: resume brings the tunnels up now.
    const again = next.event.state as Extract<TunnelState, { status: 'reconnecting' }>;
    await box.sshd.restart();
    const reopened = arrivals.length;
    electron.powerMonitor.emit('resume');
    const open = await electron.until(
      () => arrivals.slice(reopened).find((arrival) => arrival.event.tunnelId === 'rig/echo' && arrival.event.state.status === 'open'),
      'the tunnel open again',
    );
    expect(open.at).toBeLessThan(again.nextRetryAt);
    await trayReads('Jumpgate: 2 of 2 tunnels open');
    expect(await roundTrip(rigPort, 'resumed')).toBe('resumed');
  });

  it('follows a tunnel failing in the tray, and says why in a notification', async () => {
    const notices = electron.notifications.length;
    const authorizedKeys = join(box.sshd.dir, 'authorized_keys');
    // The jump box stops accepting the user's key; the reconnect after the drop is refused for good.
    writeFileSync(authorizedKeys, '\n');
    try {
      box.sshd.killSessions();
      await trayReads(/^Jumpgate: 0 of 2 tunnels open; (?=.*rig\/echo failed)(?=.*auto\/echo failed)/);
    } finally {
      writeFileSync(authorizedKeys, `${box.userKey.publicKey}\n`);
    }
    expect(iconName()).toBe('tray-failed');
    expect(tray.tooltip).toContain('rig/echo failed');
    const failed = lastState('rig/echo');
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' } });
    const error = (failed as Extract<TunnelState, { status: 'failed' }>).error;
    expect(error.hint).toBeTruthy();
    expect((await notified('rig/echo failed', notices)).body).toBe(`${error.message} ${error.hint}`);
    expect(tray.menu?.item('Rig box (failed)', `Connect Echo: 127.0.0.1:${rigPort} (failed)`)).toBeDefined();
    expect(listeningPorts().has(rigPort)).toBe(false);
  });

  it("raises a notification with the error's hint when a tray action fails", async () => {
    const holder: Server = createServer();
    await new Promise<void>((done, fail) => holder.once('error', fail).listen(rigPort, '127.0.0.1', done));
    try {
      const notices = electron.notifications.length;
      tray.menu?.item(/^Rig box/, `Connect Echo: 127.0.0.1:${rigPort} (failed)`).click();
      const notice = await notified('Jumpgate: that did not work', notices);
      const failed = await electron.until(() => {
        const state = lastState('rig/echo');
        return state?.status === 'failed' && state.error.code === 'PORT_IN_USE' ? state : undefined;
      }, 'the start refused');
      expect(failed.error.hint).toMatch(/choose another local port/);
      expect(notice.body).toBe(`${failed.error.message} ${failed.error.hint}`);
    } finally {
      await new Promise<void>((done) => holder.close(() => done()));
    }

    // Both back up for what follows.
    tray.menu?.item(/^Rig box/, `Connect Echo: 127.0.0.1:${rigPort} (failed)`).click();
    tray.menu?.item(/^Auto box/, 'Connect all').click();
    await trayReads('Jumpgate: 2 of 2 tunnels open');
  });

  it('refuses a second instance the lock: it quits at once, and the first brings its window back', async () => {
    window.close();
    expect(window.isVisible()).toBe(false);
    const second = new ElectronDouble({ version: 'test' });
    launch(second);
    expect(second.app.exitCode).toBe(0);
    expect(second.app.hasSingleInstanceLock()).toBe(false);
    expect(second.windows).toHaveLength(0);
    expect(second.trays).toHaveLength(0);
    expect(second.ipcMain.handlers.size).toBe(0);

    await electron.until(() => (window.isVisible() ? true : undefined), 'the first window shown again');
    expect(electron.app.hasSingleInstanceLock()).toBe(true);
    expect(electron.openWindows()).toEqual([window]);
  });

  it('quits from the tray: every tunnel closed and every port free before the app exits', async () => {
    expect(listeningPorts().has(rigPort) && listeningPorts().has(autoPort)).toBe(true);
    expect(establishedRemotePorts()).toContain(box.sshd.port);
    let atExit: { listening: number[]; toSshd: number; trayDestroyed: boolean; windowDestroyed: boolean } | undefined;
    // 'quit' is the last thing an Electron app hears before its process ends.
    electron.app.on('quit', () => {
      const listening = listeningPorts();
      atExit = {
        listening: [rigPort, autoPort].filter((port) => listening.has(port)),
        toSshd: establishedRemotePorts().filter((port) => port === box.sshd.port).length,
        trayDestroyed: tray.isDestroyed(),
        windowDestroyed: window.isDestroyed(),
      };
    });
    // Clicked twice (or Quit, then Cmd+Q while tunnels close): the second must wait for the same disposal.
    const quit = tray.menu?.item('Quit (closes all tunnels)');
    quit?.click();
    quit?.click();
    expect(await electron.until(() => electron.app.exitCode, 'the app to exit')).toBe(0);
    expect(atExit).toEqual({ listening: [], toSshd: 0, trayDestroyed: true, windowDestroyed: true });
    // The window heard every tunnel stop before it closed.
    expect(lastState('rig/echo')?.status).toBe('stopped');
    expect(lastState('auto/echo')?.status).toBe('stopped');
    expect(electron.app.hasSingleInstanceLock()).toBe(false);
  });

  it('says why and quits when it cannot start, instead of lingering with no window', async () => {
    // Its data folder is a file: the service cannot open its profiles.
    const notAFolder = join(dir, 'not-a-folder');
    writeFileSync(notAFolder, '');
    vi.stubEnv('JUMPGATE_DATA_DIR', notAFolder);
    const broken = new ElectronDouble({ version: 'test' });
    launch(broken);
    expect(broken.app.hasSingleInstanceLock()).toBe(true);
    broken.ready();
    expect(await broken.until(() => broken.app.exitCode, 'the app to quit')).toBe(0);
    expect(broken.dialogs).toEqual([
      { kind: 'error', options: { title: 'Jumpgate could not start', content: expect.stringContaining(`${notAFolder}/profiles.json`) } },
    ]);
    expect(broken.windows).toHaveLength(0);
    expect(broken.app.hasSingleInstanceLock()).toBe(false);
  });
});
