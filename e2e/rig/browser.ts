import { chromium, type Browser, type BrowserServer, type LaunchOptions } from 'playwright-core';
import { peerPath } from './peers';
import { askRig, rigBrokerUrl } from './sharedRig';

/**
 * Debian's Chromium driven by Playwright (its own browser builds cannot be
 * downloaded here). As root it needs --no-sandbox; the quiet-network flags keep
 * it from calling out to Google's services on start.
 */
function chromiumOptions(): LaunchOptions {
  return {
    executablePath: peerPath('chromium'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumOptions());
}

/** The run's one Chromium, for the shared rig: test files connect to it (connectChromium). */
export function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer(chromiumOptions());
}

/**
 * A Chromium for this test file. In a vitest run: a connection to the run's one
 * Chromium, so no file pays for a browser start. Isolation is Playwright's:
 * every page or context a file opens is its own BrowserContext (cookies,
 * storage, permissions), and closing the returned Browser closes them all and
 * leaves the others' alone. Elsewhere: a private Chromium, as before.
 */
export async function connectChromium(): Promise<Browser> {
  if (!rigBrokerUrl()) return launchChromium();
  const { wsEndpoint } = await askRig<{ wsEndpoint: string }>('chromium');
  return chromium.connect(wsEndpoint);
}
