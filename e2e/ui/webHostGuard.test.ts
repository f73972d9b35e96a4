import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_PATH, WS_TOKEN_PROTOCOL_PREFIX } from '../../shared/wsProtocol';
import { peersAvailable } from '../rig/peers';
import { startServedUi, type ServedUi } from './uiRig';

/** What the probe script saw: whether the socket opened, whether profiles:list came back ok, how it closed. */
interface ProbeOutcome {
  opened: boolean;
  replied: boolean;
  closeCode: number | null;
  done: boolean;
}

/**
 * The script a hostile page would run: open the web host's socket with the
 * right token and ask for the profile list. Plain JavaScript in a string so the
 * very same source runs inline in the foreign page and, as the control, through
 * page.evaluate on the web host's own origin. It records into window.probe.
 */
function probeScript(socketUrl: string, token: string): string {
  const args = JSON.stringify([socketUrl, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`]);
  return `(function (url, protocol) {
  var outcome = { opened: false, replied: false, closeCode: null, done: false };
  window.probe = outcome;
  var socket = new WebSocket(url, [protocol]);
  socket.onopen = function () {
    outcome.opened = true;
    socket.send(JSON.stringify({ type: 'request', id: 1, channel: 'profiles:list', payload: {} }));
  };
  socket.onmessage = function (event) {
    var message = JSON.parse(event.data);
    if (message.type !== 'reply' || message.id !== 1) return;
    outcome.replied = message.reply.ok === true;
    outcome.done = true;
    socket.close();
  };
  socket.onclose = function (event) {
    outcome.closeCode = event.code;
    outcome.done = true;
  };
}).apply(null, ${args});`;
}

/** Wait until the probe has an outcome (a reply or a close), then read it. */
async function probeOutcome(page: Page): Promise<ProbeOutcome> {
  const handle = await page.waitForFunction(() => {
    const probe = (globalThis as { probe?: ProbeOutcome }).probe;
    return probe?.done ? probe : undefined;
  });
  return (await handle.jsonValue()) as ProbeOutcome;
}

/** Another site: a different port on 127.0.0.1 is a different origin. Serves one page and nothing else. */
async function serveForeignPage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!peersAvailable('chromium'))('the web host guards its socket (browser level)', () => {
  let served: ServedUi;
  let origin: string;
  let socketUrl: string;
  /** A fresh tab, and the profile list as the user finds it. */
  const newTab = async () => {
    const page = await served.browser.newPage();
    return { page, nav: page.getByRole('navigation', { name: 'Profiles' }) };
  };

  beforeAll(async () => {
    served = await startServedUi();
    origin = `http://127.0.0.1:${served.host.port}`;
    socketUrl = `ws://127.0.0.1:${served.host.port}${WS_PATH}`;
    // A profile only a page the host answered can list.
    await served.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'guarded',
        name: 'Guarded box',
        jumpHost: { host: '127.0.0.1', port: 22, user: 'ops', auth: { kind: 'key', keyPath: '/nonexistent/key' } },
        targets: [{ id: 'db', name: 'DB', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: 3306 }, localPort: 13306 }],
      },
    });
  });

  afterAll(async () => {
    await served?.dispose();
  });

  it('shows the profiles at the URL it printed (control)', async () => {
    const { page, nav } = await newTab();
    await page.goto(served.host.url);
    await nav.getByRole('button', { name: 'Guarded box' }).waitFor();
    await page.close();
  });

  it('takes the token out of the address bar once read, and still works after a reload in the same tab', async () => {
    const { page, nav } = await newTab();
    await page.goto(served.host.url);
    await nav.getByRole('button', { name: 'Guarded box' }).waitFor();
    expect(page.url()).toBe(`${origin}/`);
    expect(page.url()).not.toContain(served.host.token);
    await page.reload();
    await nav.getByRole('button', { name: 'Guarded box' }).waitFor();
    expect(page.url()).not.toContain(served.host.token);
    await page.close();
  });

  it('tells the user to use the printed URL when the token is missing, and asks the host for nothing', async () => {
    const { page, nav } = await newTab();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${origin}/`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Open Jumpgate from the URL that `jumpgate serve` printed (it carries the access token).');
    // The app never rendered: no profile list, and not even an attempt at the socket.
    expect(await nav.count()).toBe(0);
    expect(sockets).toEqual([]);
    await page.close();
  });

  it('tells the user the host refused the page when the token is wrong, and lists nothing', async () => {
    const { page, nav } = await newTab();
    await page.goto(`${origin}/#token=${served.host.token.slice(0, -1)}x`);
    const alert = page.getByRole('alert').filter({ hasText: 'The Jumpgate host refused this page.' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Open Jumpgate from the exact URL that `jumpgate serve` printed');
    // The socket was refused before the alert showed, so no reply can still bring the list.
    expect(await nav.getByRole('button', { name: 'Guarded box' }).count()).toBe(0);
    await page.close();
  });

  it('refuses a page from another origin even when it presents the right token', async () => {
    const foreign = await serveForeignPage(`<!doctype html><title>Elsewhere</title><script>${probeScript(socketUrl, served.host.token)}</script>`);
    try {
      const page = await served.browser.newPage();
      await page.goto(foreign.url);
      // 1006: the handshake was refused before any WebSocket frame (the host answers 403).
      expect(await probeOutcome(page)).toEqual({ opened: false, replied: false, closeCode: 1006, done: true });
      await page.close();
    } finally {
      await foreign.close();
    }
  });

  it('answers the same script on its own origin with the token (control)', async () => {
    const page = await served.browser.newPage();
    // The served page without a token opens no socket of its own (see above).
    await page.goto(`${origin}/`);
    await page.evaluate(probeScript(socketUrl, served.host.token));
    expect(await probeOutcome(page)).toMatchObject({ opened: true, replied: true, done: true });
    await page.close();
  });
});
