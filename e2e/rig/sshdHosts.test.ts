import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey, type RigKey } from './keys';
import { peersAvailable } from './peers';
import { privateHostsAvailable, SshdPeer } from './sshd';
import { startEchoServer, type TcpPeer } from './tcpPeers';

/** What moto names an RDS instance's endpoint: resolvable only inside the VPC, i.e. by the jump box. */
const RDS_NAME = 'orders-mysql.aaaaaaaaaa.eu-west-2.rds.amazonaws.com';

/** Forward one connection through the jump box to name:port and return what comes back for `text`. */
function echoThrough(sshd: SshdPeer, key: RigKey, name: string, port: number, text: string): Promise<string> {
  const client = new Client();
  return new Promise<string>((resolve, reject) => {
    client.once('error', reject);
    client.once('ready', () => {
      client.forwardOut('127.0.0.1', 0, name, port, (error, stream) => {
        if (error) return reject(error);
        let received = '';
        stream.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (received.length >= text.length) {
            stream.end();
            resolve(received);
          }
        });
        stream.write(text);
      });
    });
    // The rig's own sshd: its host key is the rig's, not the product's business here.
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: readFileSync(key.privatePath), hostVerifier: () => true });
  }).finally(() => client.end());
}

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen') || !privateHostsAvailable())('sshd with its own /etc/hosts (the jump box resolves RDS names)', () => {
  let dir: string;
  let key: RigKey;
  let sshd: SshdPeer;
  let echo: TcpPeer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-sshd-hosts-'));
    key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey], hosts: { [RDS_NAME]: '127.0.0.1' } }), startEchoServer()]);
  });

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards to a name only the jump box can resolve', async () => {
    expect(await echoThrough(sshd, key, RDS_NAME, echo.port, 'through the VPC')).toBe('through the VPC');
    expect(echo.connections).toBe(1);
  });

  it('learns a name added while it runs (an endpoint made during a test), and refuses what is not a hosts entry', async () => {
    const restored = 'orders-rollback.cluster-bbbbbbbbbb.eu-west-2.rds.amazonaws.com';
    await expect(echoThrough(sshd, key, restored, echo.port, 'not yet')).rejects.toThrow();
    sshd.addHosts({ [restored]: '127.0.0.1' });
    expect(await echoThrough(sshd, key, restored, echo.port, 'now it resolves')).toBe('now it resolves');
    expect(() => sshd.addHosts({ 'evil\n1.2.3.4 other': '127.0.0.1' })).toThrow(/not a hosts entry/);
  });

  it("keeps the names out of the rest of the machine's /etc/hosts", () => {
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain(RDS_NAME);
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain('orders-rollback');
  });

  it('keeps sshd itself as the daemon process, so stop, freeze and session counts still work', async () => {
    expect(readFileSync(`/proc/${sshd.pid}/comm`, 'utf8').trim()).toBe('sshd');
    const port = sshd.port;
    await sshd.restart();
    expect(sshd.port).toBe(port);
    expect(readFileSync(`/proc/${sshd.pid}/comm`, 'utf8').trim()).toBe('sshd');
    expect(await echoThrough(sshd, key, RDS_NAME, echo.port, 'after a restart')).toBe('after a restart');
  });
});
