import { join } from 'node:path';
import { BrowserWindow, session } from 'electron';

/**
 * The one window, locked down per Electron's security checklist: isolated,
 * sandboxed, no Node in the page, no navigation, no new windows, no permissions.
 */
export function createMainWindow(distDir: string): BrowserWindow {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    title: 'Jumpgate',
    show: false,
    webPreferences: {
      preload: join(distDir, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadFile(join(distDir, 'renderer', 'index.html'));
  return window;
}
