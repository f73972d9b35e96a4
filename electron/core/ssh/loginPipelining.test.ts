import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey, type RigKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { canPipelineLogin, pipelineLogin } from './loginPipelining';

/**
 * The guard on the ssh2 internals loginPipelining.ts relies on (issue #14), and what it changes on
 * the wire against OpenSSH. If an ssh2 update moves them, the first test fails by name: look at
 * lib/client.js (onHandshakeComplete's service request, the SERVICE_ACCEPT and EXT_INFO message
 * handlers) before raising the pin.
 */
const require = createRequire(import.meta.url);
const ssh2Root = join(require.resolve('ssh2'), '..', '..');

describe('ssh2 internals the login pipelining relies on', () => {
  it('asks for the user-auth service on handshake, starts the login on SERVICE_ACCEPT, and reads server-sig-algs from EXT_INFO', () => {
    const client = readFileSync(join(ssh2Root, 'lib', 'client.js'), 'utf8');
    expect(client).toMatch(/onHandshakeComplete: \(negotiated\) => \{[^}]*proto\.service\('ssh-userauth'\);/);
    expect(client).toMatch(/SERVICE_ACCEPT: \(p, name\) => \{\s+if \(name === 'ssh-userauth'\)\s+tryNextAuth\(\);\s+\}/);
    expect(client).toMatch(/EXT_INFO: \(p, exts\) => \{\s+if \(serverSigAlgs === undefined\)/);
    const protocol = readFileSync(join(ssh2Root, 'lib', 'protocol', 'Protocol.js'), 'utf8');
    expect(protocol).toContain('this._handlers = messageHandlers;');
  });
});

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('the login sent behind the service request, against OpenSSH', () => {
  let keyDir: string;
  let key: RigKey;
  let sshd: SshdPeer;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    sshd = await SshdPeer.start({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
  });
  afterAll(async () => {
    await sshd?.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  });

  /** Log in with ssh2's own debug lines kept: what it sent and received, in order. */
  function logIn(pipelined: boolean): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const lines: string[] = [];
      const client = new Client();
      client.once('ready', () => {
        client.end();
        resolve(lines);
      });
      client.once('error', reject);
      client.connect({
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        privateKey: readFileSync(key.privatePath),
        hostVerifier: () => true,
        debug: (line: string) => lines.push(line),
      });
      expect(canPipelineLogin(client)).toBe(true);
      if (pipelined) pipelineLogin(client);
    });
  }
  const position = (lines: string[], pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));

  it('sends the first login request before the service is accepted, logs in, and acts on the acceptance once', async () => {
    const lines = await logIn(true);
    const firstLogin = position(lines, /Outbound: Sending USERAUTH_REQUEST/);
    const accepted = position(lines, /Inbound: Received SERVICE_ACCEPT \(ssh-userauth\)/);
    expect(position(lines, /Inbound: Received EXT_INFO/)).toBeGreaterThanOrEqual(0);
    expect(firstLogin).toBeGreaterThanOrEqual(0);
    expect(accepted).toBeGreaterThan(firstLogin);
    // The acceptance started nothing more: ssh2's first attempt (its `none` here) went out once.
    expect(lines.filter((line) => /Outbound: Sending USERAUTH_REQUEST \(none\)/.test(line))).toHaveLength(1);
  });

  it('without it, ssh2 waits for the acceptance (the round trip it saves)', async () => {
    const lines = await logIn(false);
    expect(position(lines, /Inbound: Received SERVICE_ACCEPT/)).toBeLessThan(position(lines, /Outbound: Sending USERAUTH_REQUEST/));
  });
});
