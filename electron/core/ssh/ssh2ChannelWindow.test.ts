import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { patternDigest, startPatternServer, type PatternPeer } from '../../../e2e/rig/tcpPeers';
import { canOwnWindows, forwardOutOwningWindow, SSH2_STOCK_WINDOW, type ChannelCredit } from './ssh2ChannelWindow';

/**
 * The guard on ssh2's internals that ssh2ChannelWindow.ts relies on (issue #14). If an ssh2
 * update moves any of them, these fail by name: look at lib/Channel.js (MAX_WINDOW,
 * WINDOW_THRESHOLD, windowAdjust), lib/client.js (openChannel, CHANNEL_OPEN_CONFIRMATION,
 * CHANNEL_DATA) and lib/protocol/Protocol.js (directTcpip, channelWindowAdjust), then adapt the
 * takeover or the upstream option (docs/upstream/ssh2-channel-window.md) before raising the pin.
 */
const require = createRequire(import.meta.url);
const ssh2Root = join(require.resolve('ssh2'), '..', '..');

describe('ssh2 internals the receive-window takeover relies on', () => {
  it('is the ssh2 version the takeover was written against, pinned in package-lock', () => {
    const installed = JSON.parse(readFileSync(join(ssh2Root, 'package.json'), 'utf8')) as { version: string };
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version: string }> };
    expect(installed.version).toBe('1.17.0');
    expect(lock.packages['node_modules/ssh2']?.version).toBe('1.17.0');
  });

  it('has the fixed window and the half-way refill threshold the offset keeps out of reach', () => {
    const channelModule = require(join(ssh2Root, 'lib', 'Channel.js')) as { MAX_WINDOW: number; WINDOW_THRESHOLD: number; windowAdjust: unknown };
    expect(channelModule.MAX_WINDOW).toBe(SSH2_STOCK_WINDOW);
    expect(channelModule.WINDOW_THRESHOLD).toBe(SSH2_STOCK_WINDOW / 2);
    expect(typeof channelModule.windowAdjust).toBe('function');
  });

  it('opens direct-tcpip through Protocol#directTcpip with its window, and confirms with MAX_WINDOW', () => {
    const client = readFileSync(join(ssh2Root, 'lib', 'client.js'), 'utf8');
    expect(client).toContain('self._protocol.directTcpip(localChan, initWindow, maxPacket, opts);');
    // The count the takeover overwrites in the confirmation callback, and the two checks it outruns.
    expect(client).toMatch(/incoming: \{\s+id: info\.recipient,\s+window: MAX_WINDOW,/);
    expect(client).toMatch(/if \(channel\.incoming\.window === 0\)\s+return;\s+channel\.incoming\.window -= data\.length;/);
    expect(client).toMatch(/if \(channel\.incoming\.window <= WINDOW_THRESHOLD\)\s+windowAdjust\(channel\);/);
    const protocol = require(join(ssh2Root, 'lib', 'protocol', 'Protocol.js')) as { prototype: Record<string, (...args: unknown[]) => unknown> };
    expect(protocol.prototype.directTcpip?.length).toBe(4);
    expect(protocol.prototype.channelWindowAdjust?.length).toBe(2);
  });
});

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('a channel whose window we own, against OpenSSH', () => {
  let keyDir: string;
  let sshd: SshdPeer;
  let source: PatternPeer;
  let client: Client;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    const key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    [sshd, source] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startPatternServer()]);
    client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: readFileSync(key.privatePath), hostVerifier: () => true });
    });
  });

  afterAll(async () => {
    client?.end();
    await Promise.all([sshd?.dispose(), source?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('gets only the window we offer and grant: ssh2 neither offers its own nor refills, and every byte arrives', async () => {
    expect(canOwnWindows(client)).toBe(true);
    // Every WINDOW_ADJUST ssh2 sends on this connection passes here; ours are the ones made while `granting`.
    const protocol = (client as unknown as { _protocol: { channelWindowAdjust(channel: number, amount: number): void } })._protocol;
    const send = protocol.channelWindowAdjust.bind(protocol);
    let granting = false;
    const strayAdjusts: number[] = [];
    protocol.channelWindowAdjust = (channel, amount) => {
      if (!granting) strayAdjusts.push(amount);
      send(channel, amount);
    };

    const initial = 64 * 1024;
    const total = 8 * 1024 * 1024;
    const { channel, credit } = await new Promise<{ channel: ClientChannel; credit: ChannelCredit | undefined }>((resolve, reject) => {
      forwardOutOwningWindow(client, initial, { host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: source.port }, (error, opened) =>
        error || !opened ? reject(error) : resolve(opened));
    });
    expect(credit).toBeDefined();
    expect(credit?.outstanding).toBe(initial);

    let received = 0;
    let granted = 0;
    let mostAhead = 0;
    let miscounted = 0;
    const hash = createHash('sha256');
    channel.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      // The server may never be further ahead than what was offered and granted.
      mostAhead = Math.max(mostAhead, received - (initial + granted));
      if (credit?.outstanding !== initial + granted - received) miscounted += 1;
      // A slow refill, a packet at a time: ssh2's own would have topped the window up to 2 MiB.
      granting = true;
      credit?.grant(chunk.length);
      granting = false;
      granted += chunk.length;
    });
    const ended = new Promise<void>((resolve) => channel.once('end', resolve));
    channel.end(`${total} 0\n`);
    await ended;

    expect(received).toBe(total);
    expect(hash.digest('hex')).toBe(patternDigest(total));
    expect(mostAhead).toBeLessThanOrEqual(0);
    expect(miscounted).toBe(0);
    expect(strayAdjusts).toEqual([]);
  });
});
