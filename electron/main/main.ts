import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, net, Notification, powerMonitor, type BrowserWindow } from 'electron';
import { createDispatcher } from '../core/dispatcher';
import { defaultDataDir } from '../core/paths';
import { startHeapRelease } from '../core/platform/heapRelease';
import { createOsKeychain } from '../core/secrets/keychain';
import { createJumpgate, type Jumpgate } from '../core/service';
import { forwardEvents, registerContract, type IpcMainLike } from './ipc';
import { isTrustedSender } from './ipcGuard';
import { JumpgateTray } from './tray';
import { createMainWindow } from './window';

/**
 * Composition root of the desktop app. Main owns every long-lived resource
 * (SSH connections, listeners, the profile store) through the service, and
 * disposes it before the process exits. Closing the window keeps the tunnels
 * running in the tray; Quit closes them.
 */
// The same folder the CLI and the web host use (JUMPGATE_DATA_DIR overrides it).
app.setPath('userData', defaultDataDir());
const distDir = join(__dirname, '..');
const indexHtmlPath = join(distDir, 'renderer', 'index.html');
const iconDir = app.isPackaged ? join(process.resourcesPath, 'app.asar', 'build', 'tray') : join(distDir, '..', 'build', 'tray');

let jumpgate: Jumpgate | undefined;
let window: BrowserWindow | undefined;
let tray: JumpgateTray | undefined;
let quitting = false;

function showWindow(): void {
  // On the way out (tunnels closing) no window opens.
  if (quitting) return;
  if (!window || window.isDestroyed()) {
    window = createMainWindow(distDir);
    trustedContents.add(window.webContents.id);
    window.on('close', (event) => {
      // Closing the window is not quitting: tunnels stay up in the tray.
      if (!quitting) {
        event.preventDefault();
        window?.hide();
      }
    });
  }
  window.show();
  window.focus();
}

const trustedContents = new Set<number>();

async function start(): Promise<void> {
  const service = await createJumpgate({
    dataDir: app.getPath('userData'),
    version: app.getVersion(),
    keychain: createOsKeychain(),
    clipboard: { readText: () => clipboard.readText(), writeText: (text) => clipboard.writeText(text) },
    pickKeyFile: async (startIn) => {
      // OpenSSH keys have no extension (id_ed25519), so "All files" comes first; PuTTY and PEM keys have their own filters.
      const options = {
        title: 'Choose your SSH private key',
        defaultPath: startIn ?? join(homedir(), '.ssh'),
        properties: ['openFile', 'showHiddenFiles'] as Array<'openFile' | 'showHiddenFiles'>,
        filters: [
          { name: 'All files', extensions: ['*'] },
          { name: 'PuTTY keys (.ppk)', extensions: ['ppk'] },
          { name: 'PEM keys (.pem, .key)', extensions: ['pem', 'key'] },
        ],
      };
      const result = window && !window.isDestroyed() ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
  });
  jumpgate = service;
  // The team sources followed are fetched at start and every quarter hour; what changed waits for the person (issue #16).
  service.watchTeamSources();
  // The tray keeps tunnels for hours: what V8 grew for a large transfer goes back once they are quiet.
  startHeapRelease();
  // Only the error's message is logged: never request payloads or option objects.
  const dispatch = createDispatcher(service.handlers, (channel, error) =>
    console.error(`jumpgate: unexpected error in ${channel}: ${error instanceof Error ? error.message : 'unknown'}`),
  );
  registerContract(ipcMain as unknown as IpcMainLike, dispatch, (sender) =>
    isTrustedSender(sender, { indexHtmlPath, webContentsIds: trustedContents }),
  );
  forwardEvents(service, (channel, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
  });

  // Tray actions have no window to show errors in: a failed one says why in a notification.
  const run = (channel: Parameters<typeof dispatch>[0], payload: unknown, success?: string): void =>
    void dispatch(channel, payload).then((reply) => {
      const body = reply.ok ? success : `${reply.error.message}${reply.error.hint ? ` ${reply.error.hint}` : ''}`;
      if (body && Notification.isSupported()) new Notification({ title: reply.ok ? 'Jumpgate' : 'Jumpgate: that did not work', body, silent: true }).show();
    });
  tray = new JumpgateTray(iconDir, {
    connect: (profileId, targetId) => run('tunnels:start', { profileId, targetId }),
    disconnect: (profileId, targetId) => run('tunnels:stop', { profileId, targetId }),
    connectProfile: (profileId) => run('tunnels:startProfile', { profileId }),
    disconnectProfile: (profileId) => run('tunnels:stopProfile', { profileId }),
    copyPassword: (profileId, targetId) =>
      run('secrets:copyPassword', { profileId, targetId }, 'Password copied. The clipboard is cleared in 30 s if it still holds it.'),
    openWindow: showWindow,
    quit: () => app.quit(),
  });
  // Subscribe first, then take the snapshots: events carry whole entries, so the tray never refetches.
  service.on('profiles:changed', (event) => tray?.setProfiles(event.profiles));
  service.on('tunnels:state', (event) => tray?.onTunnelState({ id: event.tunnelId, endpoint: event.endpoint, state: event.state }));
  const listed = await service.handlers['profiles:list'](undefined);
  tray.setProfiles(listed.profiles);
  tray.setTunnels((await service.handlers['tunnels:snapshot'](undefined)).tunnels);

  // A laptop that wakes up, or a network that comes back, should not wait out the backoff.
  powerMonitor.on('resume', () => service.retryNow());
  let online = net.isOnline();
  setInterval(() => {
    const now = net.isOnline();
    if (now && !online) service.retryNow();
    online = now;
  }, 2000).unref();

  for (const profile of listed.profiles.filter((entry) => entry.options.autoConnect)) {
    run('tunnels:startProfile', { profileId: profile.id });
  }
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  // A second instance would fight the first for the same local ports.
  app.quit();
} else {
  // Nothing starts once a quit has begun (a quit can come before ready).
  const started = app.whenReady().then(() => (quitting ? undefined : start()));
  started.catch((error: unknown) => {
    // Without the service there is nothing to show: say why and quit, rather than linger with no
    // window, no tray and the single-instance lock held. Only the error's message: no option objects.
    const reason = error instanceof Error ? error.message : 'unknown error';
    dialog.showErrorBox('Jumpgate could not start', `${reason}\n\nIts files are in ${app.getPath('userData')}.`);
    app.quit();
  });
  // Both can arrive while start() is still building the service: a window opened then would
  // call main before the contract's handlers exist. Each waits for the start.
  const showWhenStarted = (): void => void started.then(showWindow, () => undefined);
  app.on('second-instance', showWhenStarted);
  // macOS: a click on the Dock icon while the window is hidden in the tray.
  app.on('activate', showWhenStarted);
  app.on('window-all-closed', () => {
    // Stay in the tray.
  });
  // Every quit (the tray's Quit, Cmd+Q, the OS, a second click while tunnels close) waits for the
  // one disposal: tunnels closed, ports free, the audit log flushed. Only then does a quit go through.
  let disposed = false;
  let disposing: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    quitting = true;
    if (disposed) return;
    event.preventDefault();
    disposing ??= (app.isReady() ? started.catch(() => undefined) : Promise.resolve())
      .then(() => jumpgate?.dispose())
      .finally(() => {
        disposed = true;
        tray?.destroy();
        app.quit();
      });
  });
}
