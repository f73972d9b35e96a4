import { join } from 'node:path';
import { app } from 'electron';
import { createEngine, type Engine } from './engine';
import { createMainWindow } from './window';

/**
 * Composition root of the desktop app. Main owns every long-lived resource
 * (SSH connections, listeners) and disposes them before the process exits.
 */
let engine: Engine | undefined;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  // A second instance would fight the first for the same local ports.
  app.quit();
} else {
  void app.whenReady().then(() => {
    engine = createEngine(app.getPath('userData'), () => undefined);
    createMainWindow(join(__dirname, '..'));
  });

  app.on('before-quit', (event) => {
    if (quitting || !engine) return;
    event.preventDefault();
    quitting = true;
    void engine.dispose().finally(() => app.quit());
  });
}
