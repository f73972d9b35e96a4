import { chromium, type Browser } from 'playwright-core';
import { peerPath } from './peers';

/**
 * Debian's Chromium driven by Playwright (its own browser builds cannot be
 * downloaded here). As root it needs --no-sandbox; the quiet-network flags keep
 * it from calling out to Google's services on start.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: peerPath('chromium'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
