import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import { createJumpBoxGroup, startPublicIpServer, type PublicIpServer } from '../../../e2e/ui/toolsRig';
import type { ResponseOf } from '../../../shared/contract';
import { exampleProfile } from '../profiles/exampleProfile';
import { createJumpgate, type Jumpgate } from '../service';
import { createPageantAccess } from '../ssh/pageant';

type Report = ResponseOf<'diagnostics:run'>;

function check(report: Report, id: Report['checks'][number]['id']): Report['checks'][number] {
  const found = report.checks.find((entry) => entry.id === id);
  if (!found) throw new Error(`no ${id} step in the report`);
  return found;
}

/**
 * Issue #13, first item: a new starter connecting the example profile met KEY_NOT_FOUND, and the
 * doctor said "stops at step 1 of 10: AWS credentials". The doctor follows the routine instead
 * (the key first), runs the AWS steps only where the profile needs AWS, and an AWS failure never
 * hides a failure elsewhere. Real sshd and moto; the AWS credentials are ~/.aws files of the test's own.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'moto_server'))("the doctor's order: what failed first, AWS only where needed", () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let moto: MotoPeer;
  let checkIp: PublicIpServer;
  let jumpgate: Jumpgate;
  let missingKey: string;
  let lockedKey: string;
  const passphrase = 'a phrase to unlock';
  const metadataBefore = process.env.AWS_EC2_METADATA_DISABLED;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-doctor-order-'));
    // Keep the SDK's credential chain off the instance metadata service: a laptop has none.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const locked = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase });
    lockedKey = locked.privatePath;
    [sshd, echo, moto, checkIp] = await Promise.all([SshdPeer.start({ authorizedKeys: [locked.publicKey] }), startEchoServer(), startMoto(), startPublicIpServer('81.2.3.4')]);
    // One AWS profile with keys (moto's), and nothing for any other name.
    const configFile = join(dir, 'aws-config');
    const credentialsFile = join(dir, 'aws-credentials');
    writeFileSync(configFile, '[profile team]\nregion = eu-west-2\n');
    writeFileSync(credentialsFile, `[team]\naws_access_key_id = ${moto.credentials.accessKeyId}\naws_secret_access_key = ${moto.credentials.secretAccessKey}\n`);
    jumpgate = await createJumpgate({ dataDir: join(dir, 'data'), version: 'test', aws: { endpoint: moto.endpoint, configFile, credentialsFile }, publicIpUrl: checkIp.url });
    missingKey = join(dir, 'not-made-yet_ed25519');
  }, 120_000);

  afterAll(async () => {
    await jumpgate?.dispose();
    await Promise.all([sshd?.dispose(), echo?.close(), moto?.dispose(), checkIp?.close()]);
    if (metadataBefore === undefined) delete process.env.AWS_EC2_METADATA_DISABLED;
    else process.env.AWS_EC2_METADATA_DISABLED = metadataBefore;
    rmSync(dir, { recursive: true, force: true });
  });

  const jumpHost = () => ({ host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key' as const, keyPath: missingKey }, via: [] });
  const run = (profileId: string) => jumpgate.handlers['diagnostics:run']({ profileId });

  it('no key and nothing in AWS: the key is step 1 and the first failure, with its hint; no AWS step runs', async () => {
    await jumpgate.handlers['profiles:save']({
      profile: {
        id: 'plain',
        name: 'Plain box',
        jumpHost: jumpHost(),
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: 23306 }],
      },
    });
    const report = await run('plain');
    expect(report.checks[0]?.id).toBe('key');
    expect(report.firstFailure).toBe('key');
    expect(check(report, 'key')).toMatchObject({
      status: 'fail',
      error: { code: 'KEY_NOT_FOUND', message: `No key file at ${missingKey}.`, hint: expect.stringMatching(/key path/) },
    });
    for (const id of ['aws-credentials', 'region', 'ip-allowed'] as const) {
      expect(check(report, id).status).toBe('skip');
      expect(check(report, id).detail).toMatch(/^not needed/);
    }
    // What does not need the key still ran; what needs it says so.
    expect(check(report, 'tcp').status).toBe('pass');
    expect(check(report, 'auth')).toMatchObject({ status: 'skip', waitsFor: 'key' });
  });

  it('an agent profile: the key step names the agent; Pageant not running (Windows) fails it with how to start it', async () => {
    // A stand-in for ssh2's Pageant helper answering as it does when no Pageant runs (status 11).
    const helper = join(dir, 'pagent-no-pageant');
    writeFileSync(helper, '#!/bin/sh\nexit 11\n');
    chmodSync(helper, 0o755);
    const windows = await createJumpgate({
      dataDir: join(dir, 'data-windows'),
      version: 'test',
      pool: { agents: { platform: 'win32', env: () => ({}), pageant: createPageantAccess({ helperPath: helper }) } },
    });
    try {
      const agentHop = (agent: 'pageant' | 'openssh') => ({ ...jumpHost(), auth: { kind: 'agent' as const, agent } });
      const target = { id: 'echo', name: 'Echo', engine: 'mysql' as const, remote: { kind: 'host' as const, host: '127.0.0.1', port: echo.port }, localPort: 23306 };
      await windows.handlers['profiles:save']({ profile: { id: 'putty', name: 'PuTTY user', jumpHost: agentHop('pageant'), targets: [target] } });
      await windows.handlers['profiles:save']({ profile: { id: 'openssh', name: 'OpenSSH user', jumpHost: agentHop('openssh'), targets: [{ ...target, localPort: 23307 }] } });
      const putty = await windows.handlers['diagnostics:run']({ profileId: 'putty' });
      expect(putty.firstFailure).toBe('key');
      expect(check(putty, 'key')).toMatchObject({
        status: 'fail',
        error: { code: 'AGENT_UNAVAILABLE', message: 'This profile uses Pageant, but Jumpgate could not use it: Pageant is not running.', hint: expect.stringMatching(/\.ppk/) },
      });
      expect(check(putty, 'auth')).toMatchObject({ status: 'skip', waitsFor: 'key' });
      const openssh = await windows.handlers['diagnostics:run']({ profileId: 'openssh' });
      expect(check(openssh, 'key')).toMatchObject({ status: 'pass', detail: 'the key comes from the Windows OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent)' });
    } finally {
      await windows.dispose();
    }
  });

  it('the example profile with no AWS credentials and no key: the key first, the AWS credentials failing beside it, the jump box still checked', async () => {
    // The example profile as a new starter has it: the RDS-managed secrets need AWS, the key is not made yet.
    const example = exampleProfile();
    await jumpgate.handlers['profiles:save']({ profile: { ...example, id: 'starter', name: 'Starter', jumpHost: jumpHost(), aws: { ...example.aws, profile: 'not-configured' } } });
    const report = await run('starter');
    expect(report.checks.slice(0, 2).map((entry) => entry.id)).toEqual(['key', 'aws-credentials']);
    expect(report.firstFailure).toBe('key');
    expect(check(report, 'key').error?.code).toBe('KEY_NOT_FOUND');
    // The AWS step ran (the secrets need it) and failed on its own account...
    expect(check(report, 'aws-credentials')).toMatchObject({ status: 'fail', error: { code: 'AWS_CREDENTIALS_MISSING' } });
    expect(check(report, 'region')).toMatchObject({ status: 'skip', waitsFor: 'aws-credentials' });
    // ...and hid nothing that does not need AWS.
    expect(check(report, 'tcp').status).toBe('pass');
    expect(check(report, 'host-key')).toMatchObject({ status: 'skip', waitsFor: 'key' });
  });

  it('a profile whose IP check needs AWS: the AWS steps run and find the IP not allowed, and the missing key is still reported first', async () => {
    const groupId = await createJumpBoxGroup(moto, 'bastion-order');
    await jumpgate.handlers['profiles:save']({
      profile: { id: 'guarded', name: 'Guarded box', jumpHost: jumpHost(), aws: { profile: 'team', region: 'eu-west-2', securityGroupId: groupId } },
    });
    const report = await run('guarded');
    expect(report.firstFailure).toBe('key');
    expect(check(report, 'aws-credentials')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^arn:aws:/) });
    expect(check(report, 'region').status).toBe('pass');
    expect(check(report, 'ip-allowed')).toMatchObject({ status: 'fail', error: { code: 'IP_NOT_ALLOWED' } });
    // Packets from an IP the group does not allow are dropped: the TCP step waits for that rule.
    expect(check(report, 'tcp')).toMatchObject({ status: 'skip', waitsFor: 'ip-allowed' });
  });

  it("takes the key's passphrase as Connect does: a wrong one fails the key step and is not kept, the right one opens the key and is kept for the session", async () => {
    await jumpgate.handlers['profiles:save']({
      profile: {
        id: 'locked',
        name: 'Locked key',
        jumpHost: { ...jumpHost(), auth: { kind: 'key', keyPath: lockedKey } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: 23307 }],
      },
    });
    const asked = await run('locked');
    expect(asked.firstFailure).toBe('key');
    expect(check(asked, 'key').error?.code).toBe('PASSPHRASE_REQUIRED');

    const wrong = await jumpgate.handlers['diagnostics:run']({ profileId: 'locked', unlock: { passphrase: 'not it', remember: false } });
    expect(check(wrong, 'key')).toMatchObject({ status: 'fail', error: { code: 'BAD_PASSPHRASE' } });
    expect(check(wrong, 'auth')).toMatchObject({ status: 'skip', waitsFor: 'key' });
    // The wrong one was not kept: the next run asks again.
    expect(check(await run('locked'), 'key').error?.code).toBe('PASSPHRASE_REQUIRED');

    const right = await jumpgate.handlers['diagnostics:run']({ profileId: 'locked', unlock: { passphrase, remember: false } });
    expect(check(right, 'key')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^ssh-ed25519 key SHA256:/) });
    // Past the key, the jump box is met for the first time: the question Connect asks next.
    expect(right.firstFailure).toBe('host-key');
    expect(check(right, 'host-key').error?.code).toBe('HOST_KEY_UNKNOWN');
    expect(right.notRemembered).toBeUndefined();
    // Kept for the session, as after a connect: the next run opens the key without being told.
    expect(check(await run('locked'), 'key').status).toBe('pass');
  });
});
