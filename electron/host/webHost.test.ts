import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_TOKEN_PROTOCOL_PREFIX, type WsMessage } from '../../shared/wsProtocol';
import { createDispatcher } from '../core/dispatcher';
import { createJumpgate, type Jumpgate } from '../core/service';
import { startWebHost, type WebHost } from './webHost';

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open a socket; resolves with it once open, or with the HTTP status the upgrade was refused with. */
function openSocket(host: WebHost, options: { token?: string; origin?: string; hostHeader?: string }): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const protocols = options.token === undefined ? [] : [`${WS_TOKEN_PROTOCOL_PREFIX}${options.token}`];
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, protocols, {
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.hostHeader ? { headers: { Host: options.hostHeader } } : {}),
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0));
    ws.once('error', (error) => (String(error).includes('Unexpected server response') ? undefined : reject(error)));
  });
}

function nextMessage(ws: WebSocket, match: (message: WsMessage) => boolean): Promise<WsMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as WsMessage;
      if (match(message)) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('web host (jumpgate serve)', () => {
  let dir: string;
  let jumpgate: Jumpgate;
  let host: WebHost;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-host-'));
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Jumpgate</title>');
    writeFileSync(join(staticDir, 'main.js'), 'console.log(1)');
    // A file beside the served folder that must never be reachable.
    writeFileSync(join(dir, 'outside-secret.txt'), 'nope');
    jumpgate = await createJumpgate({ dataDir: join(dir, 'data'), version: 'test' });
    host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir });
    origin = `http://127.0.0.1:${host.port}`;
  });
  afterAll(async () => {
    await host?.close();
    await jumpgate?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with a long random token in the fragment', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/#token=[A-Za-z0-9_-]{43}$`));
  });

  it('serves the renderer with a strict CSP, and nothing outside it', async () => {
    const index = await get(host.port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Jumpgate</title>');
    expect(String(index.headers['content-security-policy'])).toContain("default-src 'none'");
    expect((await get(host.port, '/main.js')).status).toBe(200);
    for (const path of ['/../outside-secret.txt', '/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt', '/%E0%A4%A']) {
      const response = await get(host.port, path);
      expect([400, 404]).toContain(response.status);
      expect(response.body).not.toContain('nope');
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(host.port, '/', `evil.example:${host.port}`)).status).toBe(421);
    expect(await openSocket(host, { token: host.token, origin, hostHeader: `evil.example:${host.port}` })).toBe(421);
  });

  it('refuses the socket without the token, with a wrong one, or from another origin', async () => {
    expect(await openSocket(host, { origin })).toBe(401);
    expect(await openSocket(host, { token: `${host.token.slice(0, -1)}x`, origin })).toBe(401);
    expect(await openSocket(host, { token: host.token, origin: 'https://evil.example' })).toBe(403);
    expect(await openSocket(host, { token: host.token })).toBe(403);
  });

  it('speaks the contract: replies by id, events pushed, garbage answered with BAD_REQUEST', async () => {
    const ws = (await openSocket(host, { token: host.token, origin })) as WebSocket;
    expect(ws).toBeInstanceOf(WebSocket);
    const listReply = nextMessage(ws, (message) => message.type === 'reply' && message.id === 1);
    ws.send(JSON.stringify({ type: 'request', id: 1, channel: 'profiles:list', payload: {} }));
    const list = (await listReply) as Extract<WsMessage, { type: 'reply' }>;
    expect(list.reply.ok).toBe(true);

    const changed = nextMessage(ws, (message) => message.type === 'event' && message.channel === 'profiles:changed');
    const duplicated = nextMessage(ws, (message) => message.type === 'reply' && message.id === 2);
    ws.send(JSON.stringify({ type: 'request', id: 2, channel: 'profiles:duplicate', payload: { id: 'example-production', name: 'Copy' } }));
    expect(await changed).toMatchObject({ type: 'event', channel: 'profiles:changed' });
    // Its reply too, so the garbage below is never matched with it.
    expect(await duplicated).toMatchObject({ type: 'reply', id: 2, reply: { ok: true } });

    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constant('{"type":"request","id":9,"channel":"nope"}')), async (garbage) => {
        const reply = nextMessage(ws, (message) => message.type === 'reply');
        ws.send(garbage);
        const message = (await reply) as Extract<WsMessage, { type: 'reply' }>;
        expect(message.reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      }),
      { numRuns: 60 },
    );
    ws.close();
  });
});
