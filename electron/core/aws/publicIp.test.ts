import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { failure } from '../../../e2e/rig/failure';
import { lookupPublicIp, parseIpv4 } from './publicIp';

/** A checkip stand-in on 127.0.0.1: the real HTTP path, no mocked fetch. */
interface LocalServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

const servers: LocalServer[] = [];

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    local.requests += 1;
    handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const local: LocalServer = {
    url: `http://127.0.0.1:${port}/`,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        // The hanging handlers never end their responses: cut those sockets.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

function answering(body: string, status = 200) {
  return serve((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(body);
  });
}


afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('parseIpv4', () => {
  it('accepts dotted quads and gives their 32-bit value', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('81.2.3.4')).toBe(81 * 2 ** 24 + 2 * 2 ** 16 + 3 * 256 + 4);
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
  });

  it('refuses anything else, including leading zeros', () => {
    for (const text of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', '1.2.3.4 ', 'a.b.c.d', '::1', '1.2.3.4/32']) {
      expect(parseIpv4(text), text).toBeUndefined();
    }
  });
});

describe('lookupPublicIp against a local HTTP server', () => {
  it('returns the trimmed IPv4 address the service answers', async () => {
    const server = await answering('81.2.3.4\n');
    await expect(lookupPublicIp({ url: server.url })).resolves.toBe('81.2.3.4');
    expect(server.requests).toBe(1);
  });

  it('uses the injected fetch', async () => {
    const server = await answering('  203.0.113.9 \r\n');
    const seen: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    await expect(lookupPublicIp({ url: server.url, fetch: recordingFetch })).resolves.toBe('203.0.113.9');
    expect(seen).toEqual([server.url]);
  });

  it('refuses garbage with PUBLIC_IP_UNKNOWN and a hint', async () => {
    const server = await answering('<html><body>Rate limited</body></html>');
    const error = await failure(lookupPublicIp({ url: server.url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('not one IPv4 address');
    expect(error.hint).toMatch(/public-IP URL/);
  });

  it('refuses two addresses, an IPv6 address, and a private address', async () => {
    const two = await answering('81.2.3.4\n81.2.3.5\n');
    expect((await failure(lookupPublicIp({ url: two.url }))).code).toBe('PUBLIC_IP_UNKNOWN');

    const v6 = await answering('2001:db8::1\n');
    const v6Error = await failure(lookupPublicIp({ url: v6.url }));
    expect(v6Error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(v6Error.message).toContain('IPv6');

    const lan = await answering('192.168.1.20\n');
    const lanError = await failure(lookupPublicIp({ url: lan.url }));
    expect(lanError.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(lanError.message).toContain('private address');
  });

  it('refuses an error status', async () => {
    const server = await answering('81.2.3.4\n', 503);
    const error = await failure(lookupPublicIp({ url: server.url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('HTTP 503');
  });

  it('refuses a long page without reading all of it', async () => {
    const server = await answering('8'.repeat(100_000));
    const error = await failure(lookupPublicIp({ url: server.url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('long page');
  });

  it('times out on a server that never answers', async () => {
    const server = await serve(() => {
      // Accept the request and never respond.
    });
    const error = await failure(lookupPublicIp({ url: server.url, timeoutMs: 300 }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('did not answer within 0.3 s');
    expect(error.hint).toBeTruthy();
    expect(server.requests).toBe(1);
  });

  it('times out on a server that sends headers and then stalls the body', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '9' });
      response.write('81.2');
    });
    const error = await failure(lookupPublicIp({ url: server.url, timeoutMs: 300 }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('did not answer within');
  });

  it('reports a refused connection', async () => {
    const server = await answering('81.2.3.4\n');
    const { url } = server;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const error = await failure(lookupPublicIp({ url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toContain('could not be reached (ECONNREFUSED)');
  });

  it("gives up with the caller's reason when the caller aborts", async () => {
    const server = await serve(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = lookupPublicIp({ url: server.url, signal: controller.signal, timeoutMs: 60_000 });
    const reason = new Error('app is quitting');
    // Abort once the request has reached the server, not on a timer.
    await expect.poll(() => server.requests).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('refuses a URL that is not http(s)', async () => {
    const error = await failure(lookupPublicIp({ url: 'file:///etc/passwd' }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.hint).toContain('Settings');
  });
});
