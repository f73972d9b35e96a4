import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectChromium } from '../rig/browser';
import { pickPort } from '../rig/daemon';
import { peersAvailable } from '../rig/peers';
import { askRig, rigBrokerUrl } from '../rig/sharedRig';
import { buildApp } from './uiRig';

/** The start script's output so far, and its URL once printed. */
function watch(child: ChildProcessWithoutNullStreams): { out: () => string; err: () => string; url: Promise<string>; exited: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out)?.[0];
      if (found) resolve(found);
    });
    child.once('exit', () => reject(new Error(`start ended before printing a URL:\n${out}\n${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, url, exited };
}

/**
 * Issue #15, the first start: on a machine without Electron's binary (this one: it cannot be
 * downloaded), `npm start` says in one line why and how to get it, and serves the same UI in
 * the browser mode instead, whose URL loads in Chromium.
 */
describe.skipIf(!peersAvailable('chromium'))('npm start without the Electron binary', () => {
  let dist: string;
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-start-'));
    // The run's one build (main, CLI, renderer) when the shared rig is there; a private one otherwise.
    if (rigBrokerUrl()) dist = dirname(await askRig<string>('renderer'));
    else {
      dist = buildApp(join(dir, 'dist'));
      // As the rig's build has it (e2e/rig/rendererBuild.ts): node_modules beside dist/, for what the built CLI keeps external.
      symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
    }
    browser = await connectChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(extraEnv: NodeJS.ProcessEnv): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      JUMPGATE_DATA_DIR: join(dir, `data-${Date.now()}`),
      JUMPGATE_NO_BROWSER: '1',
      ...extraEnv,
    };
    delete env.ELECTRON_OVERRIDE_DIST_PATH;
    for (const [name, value] of Object.entries(extraEnv)) if (value === undefined) delete env[name];
    const child = spawn(process.execPath, ['scripts/start.mjs', '--dist', dist], { env });
    const started = watch(child);
    try {
      const url = await started.url;
      const lines = started.out().trim().split('\n');
      const why = lines.filter((line) => line.startsWith("Jumpgate: Electron's binary is not available here"));
      expect(why).toHaveLength(1);
      expect(why[0]).toContain('ELECTRON_MIRROR');
      expect(started.err()).not.toMatch(/^\s+at /m);

      const page = await browser.newPage();
      await page.goto(url);
      // The profiles arrive over the socket after the sidebar renders: wait for them, then count.
      await page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: /Example: production/ }).waitFor();
      expect(await page.getByRole('button', { name: /Example: production/ }).count()).toBe(1);
      await page.close();
    } finally {
      child.kill('SIGTERM');
    }
    // Stopped as Ctrl-C stops it: the service closes and the process ends cleanly.
    expect(await started.exited).toBe(0);
  }

  it('says the download was skipped and serves the UI in the browser', async () => {
    await start({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
  }, 60_000);

  it('tries the download once, says in one line why it failed, and serves the UI in the browser', async () => {
    // A mirror nothing listens on, on this machine: the download fails at once, as offline.
    await start({ ELECTRON_SKIP_BINARY_DOWNLOAD: undefined, ELECTRON_MIRROR: `http://127.0.0.1:${await pickPort()}/` });
  }, 60_000);
});
