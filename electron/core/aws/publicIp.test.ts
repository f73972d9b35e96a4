import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { failure } from '../../../e2e/rig/failure';
import { NOT_PUBLIC_IPV4, publicIpv4Problem } from '../../../shared/model/publicIpv4';
import { lookupPublicIp, parseIpv4, requireGivenPublicIp } from './publicIp';

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
    const server = await answering('  81.2.3.9 \r\n');
    const seen: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    await expect(lookupPublicIp({ url: server.url, fetch: recordingFetch })).resolves.toBe('81.2.3.9');
    expect(seen).toEqual([server.url]);
  });

  it('refuses garbage with PUBLIC_IP_UNKNOWN and a hint', async () => {
    const server = await answering('<html><body>Rate limited</body></html>');
    const error = await failure(lookupPublicIp({ url: server.url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toBe(`The public-IP service at ${server.url} answered with something that is not one IPv4 address.`);
    expect(error.details).toEqual({ url: server.url });
    // Issue #13: the hint points at what exists (the Access tab's field, the CLI's --ip), not at a Settings screen.
    expect(error.hint).toContain('"Your public IP address" field');
    expect(error.hint).toContain('jumpgate allow-ip <profile> --ip <address>');
    expect(error.hint).not.toContain('Settings');
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

    const documentation = await answering('203.0.113.9\n');
    expect((await failure(lookupPublicIp({ url: documentation.url }))).message).toContain('203.0.113.9, a reserved address');
  });

  it('refuses an error status', async () => {
    const server = await answering('81.2.3.4\n', 503);
    const error = await failure(lookupPublicIp({ url: server.url }));
    expect(error.code).toBe('PUBLIC_IP_UNKNOWN');
    expect(error.message).toBe(`The public-IP service at ${server.url} answered HTTP 503.`);
    expect(error.details).toEqual({ url: server.url });
  });

  it('names the URL without its user and password', async () => {
    const server = await answering('81.2.3.4\n');
    const url = server.url.replace('http://', 'http://proxyuser:s3cret-pw@');
    // (Node's fetch refuses such a URL outright; whatever the failure, the password is not repeated.)
    const error = await failure(lookupPublicIp({ url }));
    expect(error.message).toMatch(new RegExp(`^The public-IP service at ${server.url.replace(/[.]/g, '\\.')} `));
    expect(error.details).toEqual({ url: server.url });
    expect(JSON.stringify(error.toInfo())).not.toContain('s3cret-pw');
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
    expect(error.message).toBe(`The public-IP service at ${server.url} did not answer within 0.3 s.`);
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
    expect(error.message).toBe(`The public-IP service at ${url} could not be reached (ECONNREFUSED).`);
    expect(error.details).toEqual({ url });
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
    expect(error.message).toBe('The public-IP URL "file:///etc/passwd" is not an http(s) URL.');
    expect(error.details).toEqual({ url: 'file:///etc/passwd' });
    expect(error.hint).toContain('JUMPGATE_CHECKIP_URL');
    expect(error.hint).toContain('--ip <address>');
    expect(error.hint).not.toContain('Settings');
  });
});

/** Addresses a user could give, and what each must be called (issue #13). */
const PUBLIC = ['81.2.3.4', '1.1.1.1', '8.8.8.8', '52.95.110.1', '223.255.255.255', '1.0.0.0', '11.0.0.0', '9.255.255.255', '100.63.255.255', '100.128.0.0'];
const NOT_PUBLIC: Array<[string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.20', 'private'],
  ['100.64.0.1', 'carrier-grade-nat'],
  ['127.0.0.1', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
];
const NOT_IPV4 = ['', ' ', '81.2.3', '81.2.3.4.5', '81.2.3.4/32', '81.2.3.4:22', '081.2.3.4', '81.2.3.256', '-1.2.3.4', '::1', '2001:db8::1', '::ffff:81.2.3.4', 'a.b.c.d', 'localhost', '81.2.3.4\n81.2.3.5', '٨١.٢.٣.٤', '0x51.2.3.4', '81.2.3.4%eth0'];

describe('requireGivenPublicIp (the address the user typed)', () => {
  it('accepts public IPv4 addresses, trimmed', () => {
    for (const ip of PUBLIC) expect(requireGivenPublicIp(ip), ip).toBe(ip);
    expect(requireGivenPublicIp('  81.2.3.4\t')).toBe('81.2.3.4');
  });

  it('refuses private, loopback, link-local, multicast and reserved addresses with PUBLIC_IP_INVALID, saying which', () => {
    for (const [ip, kind] of NOT_PUBLIC) {
      let caught: unknown;
      try {
        requireGivenPublicIp(ip);
      } catch (error) {
        caught = error;
      }
      expect(caught, ip).toMatchObject({ code: 'PUBLIC_IP_INVALID', details: { given: ip, kind } });
    }
    expect(() => requireGivenPublicIp('10.0.0.5')).toThrow('10.0.0.5 is a private address, not the one AWS sees: type your public IPv4 address.');
    expect(() => requireGivenPublicIp('127.0.0.1')).toThrow('127.0.0.1 is a loopback address');
    expect(() => requireGivenPublicIp('169.254.169.254')).toThrow('169.254.169.254 is a link-local address');
    expect(() => requireGivenPublicIp('224.0.0.1')).toThrow('224.0.0.1 is a multicast address');
  });

  it('refuses anything but a plain dotted quad, with a hint', () => {
    for (const text of NOT_IPV4) {
      let caught: unknown;
      try {
        requireGivenPublicIp(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(text)).toMatchObject({ code: 'PUBLIC_IP_INVALID', details: { kind: 'not-ipv4' } });
    }
    let info;
    try {
      requireGivenPublicIp('81.2.3.4/32');
    } catch (error) {
      info = (error as { toInfo(): unknown }).toInfo();
    }
    expect(info).toEqual({
      code: 'PUBLIC_IP_INVALID',
      message: '"81.2.3.4/32" is not an IPv4 address: type four numbers from 0 to 255 separated by dots, such as 81.2.3.4.',
      hint: 'Give the public IPv4 address AWS sees for you, such as 81.2.3.4. Opening https://checkip.amazonaws.com in a browser on this computer shows it; or ask your network administrator.',
      details: { given: '81.2.3.4/32', kind: 'not-ipv4' },
    });
  });

  it('keeps at most 60 characters of what was given', () => {
    let caught: unknown;
    try {
      requireGivenPublicIp('9'.repeat(100));
    } catch (error) {
      caught = error;
    }
    expect((caught as { details: { given: string } }).details.given).toHaveLength(60);
  });
});

/** A 32-bit IPv4 value in dotted form. */
function dotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

describe("the page's check (shared) agrees with the service's (Node's isIPv4 and BlockList)", () => {
  const serviceKind = (text: string): string | undefined => {
    try {
      requireGivenPublicIp(text);
      return undefined;
    } catch (error) {
      return (error as { details: { kind: string } }).details.kind;
    }
  };

  it('on every example above', () => {
    for (const text of [...PUBLIC, ...NOT_PUBLIC.map(([ip]) => ip), ...NOT_IPV4].map((item) => item.trim())) {
      expect(publicIpv4Problem(text)?.kind, JSON.stringify(text)).toBe(serviceKind(text));
    }
  });

  it('on the first and last address of every range and their neighbours outside', () => {
    for (const range of NOT_PUBLIC_IPV4) {
      for (const cidr of range.cidrs) {
        const [network = '', prefix = ''] = cidr.split('/');
        const first = parseIpv4(network) ?? -1;
        const last = first + 2 ** (32 - Number(prefix)) - 1;
        for (const value of [first - 1, first, first + 1, last - 1, last, last + 1].filter((item) => item >= 0 && item < 2 ** 32)) {
          const ip = dotted(value);
          expect(publicIpv4Problem(ip)?.kind, ip).toBe(serviceKind(ip));
        }
        expect(serviceKind(dotted(first)), cidr).toBe(range.kind);
        expect(serviceKind(dotted(last)), cidr).toBe(range.kind);
      }
    }
  });

  it('on a spread of addresses across the whole space', () => {
    // A fixed pseudo-random walk (Numerical Recipes' LCG, exact in doubles): reproducible, and it visits every /8.
    const seen = new Set<number>();
    for (let value = 12_345, step = 0; step < 5000; step += 1, value = (value * 1_664_525 + 1_013_904_223) % 2 ** 32) {
      seen.add(Math.floor(value / 2 ** 24));
      const ip = dotted(value);
      expect(publicIpv4Problem(ip)?.kind, ip).toBe(serviceKind(ip));
    }
    expect(seen.size).toBe(256);
  });
});
