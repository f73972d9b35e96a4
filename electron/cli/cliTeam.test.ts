import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForLine, type CliResult } from '../../e2e/rig/cliProcess';
import { startMariaDb, type DatabasePeer } from '../../e2e/rig/databases';
import { pickPort } from '../../e2e/rig/daemon';
import { trustSshd } from '../../e2e/rig/engine';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import { runCliOnTerminal } from '../../e2e/rig/terminal';
import { createAwsClients } from '../core/aws/awsClients';
import { ProfileStore } from '../core/profiles/profileStore';
import { hostKeyFromBlob, KnownHostsStore, sshFingerprint } from '../core/ssh/knownHosts';

const SOURCE = 'ssm:/jumpgate/acme';

/**
 * Issue #16's proof, through the real CLI against moto (SSM and S3), the rig's sshd and MariaDB:
 * two data directories stand for an administrator and a new starter, each with their own SSH key.
 */
describe.skipIf(!peersAvailable('moto_server', 'sshd', 'mariadbd'))('jumpgate team: an administrator publishes, a new starter follows', () => {
  let dir: string;
  let moto: MotoPeer;
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let adminEnv: NodeJS.ProcessEnv;
  let starterEnv: NodeJS.ProcessEnv;
  let starterKey: string;
  let teamPort: number;
  let ownPort: number;

  const envFor = (dataDir: string): NodeJS.ProcessEnv => ({
    JUMPGATE_DATA_DIR: dataDir,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    AWS_REGION: 'eu-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    SSH_AUTH_SOCK: '',
  });

  /** The profiles a data directory holds, read as the app would. */
  async function profilesOf(env: NodeJS.ProcessEnv): Promise<ProfileStore> {
    const store = new ProfileStore({ path: join(env.JUMPGATE_DATA_DIR as string, 'profiles.json') });
    await store.load();
    return store;
  }

  /** `jumpgate connect` until its target is ready, a query through the local port, then Ctrl-C. */
  async function queryThrough(env: NodeJS.ProcessEnv, profile: string, localPort: number): Promise<{ stderr: string; rows: unknown }> {
    const child = spawnCli(['connect', profile], env);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const ready = await waitForLine(child, /^ready orders /);
      expect(ready).toContain(`127.0.0.1:${localPort} ->`);
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: localPort, user: maria.user, password: maria.password, database: maria.database });
      const [rows] = await connection.query('SELECT 1 AS one');
      await connection.end();
      return { stderr, rows };
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }

  function expectOk(result: CliResult): void {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-team-'));
    const adminKey = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    const starter = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    starterKey = starter.privatePath;
    [moto, sshd, maria] = await Promise.all([startMoto(), SshdPeer.start({ authorizedKeys: [adminKey.publicKey, starter.publicKey] }), startMariaDb()]);
    adminEnv = envFor(join(dir, 'admin'));
    starterEnv = envFor(join(dir, 'starter'));
    teamPort = await pickPort();
    ownPort = await pickPort();

    // The administrator's own profile, with their key, and the jump box's host key pinned the day they set it up.
    const admin = await profilesOf(adminEnv);
    await admin.upsert({
      id: 'prod',
      name: 'Production',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: adminKey.privatePath } },
      aws: { region: 'eu-west-2', securityGroupId: 'sg-0123abcd' },
      targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: teamPort, database: maria.database }],
    });
    await trustSshd(new KnownHostsStore(join(adminEnv.JUMPGATE_DATA_DIR as string, 'known_hosts')), sshd);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([moto?.dispose(), sshd?.dispose(), maria?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the administrator sees what a publish adds, and a script without --yes publishes nothing', async () => {
    const unconfirmed = await runCli(['team', 'publish', 'prod', '--to', SOURCE], adminEnv);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain('Publishing to ssm:/jumpgate/acme (eu-west-2), where nothing is published yet:');
    expect(unconfirmed.stdout).toMatch(/adds {5}prod "Production" \(1 target, jump host .+@127\.0\.0\.1:\d+\)/);
    for (const key of sshd.hostKeys) expect(unconfirmed.stdout).toContain(`pins     host key 127.0.0.1:${sshd.port} ${key.publicKey.split(' ')[0]} ${key.fingerprint}`);
    expect(unconfirmed.stderr).toContain('error BAD_REQUEST: Nothing was published');

    const published = await runCli(['team', 'publish', 'prod', '--to', SOURCE, '--yes'], adminEnv);
    expectOk(published);
    expect(published.stdout).toContain('Published ssm:/jumpgate/acme, version 1.');
  });

  // The CLI's side of the app's Team page: nothing to type when the team is published in the account.
  it('another new starter lists the team and follows it with no source and no --key: the key in ~/.ssh is proposed', async () => {
    const home = join(dir, 'home-two');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    copyFileSync(starterKey, join(home, '.ssh', 'id_ed25519'));
    const env = { ...envFor(join(dir, 'starter-two')), HOME: home };

    const listed = await runCli(['team', 'discover'], env);
    expectOk(listed);
    expect(listed.stdout).toMatch(/^ssm:\/jumpgate\/acme {2}version 1/m);
    const json = JSON.parse((await runCli(['team', 'discover', '--json'], env)).stdout) as { region: string; sources: Array<{ source: string; revision: string }> };
    expect(json).toMatchObject({ region: 'eu-west-2', sources: [{ source: SOURCE, revision: '1' }] });

    const followed = await runCli(['team', 'follow', '--yes'], env);
    expectOk(followed);
    expect(followed.stdout).toContain(`The one team source published in eu-west-2: ${SOURCE}`);
    expect(followed.stdout).toContain(`Logging in with ${join(home, '.ssh', 'id_ed25519')} (found in ~/.ssh; --key to choose another).`);
    expect((await profilesOf(env)).get('prod').jumpHost.auth).toEqual({ kind: 'key', keyPath: join(home, '.ssh', 'id_ed25519') });

    // Another region has nothing published: the source must be given, and nothing is followed.
    const nothing = await runCli(['team', 'follow', '--yes', '--region', 'eu-west-1'], { ...envFor(join(dir, 'starter-three')), HOME: home });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('error BAD_REQUEST: No team source is published under /jumpgate in eu-west-1, and none was given.');
    expect(nothing.stderr).toContain('hint: jumpgate team follow <source>');
  });

  it('the new starter follows and connects with no host-key question, and a query goes through the tunnel', async () => {
    const followed = await runCli(['team', 'follow', SOURCE, '--key', starterKey, '--yes'], starterEnv);
    expectOk(followed);
    expect(followed.stdout).toContain('adds     prod "Production"');
    expect(followed.stdout).not.toContain('removes');
    expect(followed.stdout).toContain('Following ssm:/jumpgate/acme at version 1: prod.');
    for (const key of sshd.hostKeys) expect(followed.stdout).toContain(`Pinned the published host key of 127.0.0.1:${sshd.port} (${key.publicKey.split(' ')[0]} ${key.fingerprint}).`);

    const profile = (await profilesOf(starterEnv)).get('prod');
    expect(profile.jumpHost.auth).toEqual({ kind: 'key', keyPath: starterKey });
    expect(profile.aws.securityGroupId).toBe('sg-0123abcd');
    // No --trust-host-key and no terminal: an unknown key would fail with HOST_KEY_UNKNOWN here.
    const { stderr, rows } = await queryThrough(starterEnv, 'prod', teamPort);
    expect(rows).toEqual([{ one: 1 }]);
    expect(stderr).not.toMatch(/HOST_KEY/);
  });

  it('the administrator changes a target; the follower sees the difference on a terminal and gets it, keeping their own local port', async () => {
    // The new starter moves Orders to a port of their own (as the app's editor saves it).
    const starter = await profilesOf(starterEnv);
    await starter.update('prod', starter.revisionOf('prod'), (profile) => ({ ...profile, targets: profile.targets.map((target) => ({ ...target, localPort: ownPort })) }));
    // The administrator points Orders at the database by another name (as a replaced endpoint would be).
    const admin = await profilesOf(adminEnv);
    await admin.update('prod', admin.revisionOf('prod'), (profile) => ({
      ...profile,
      targets: profile.targets.map((target) => ({ ...target, remote: { kind: 'host' as const, host: 'localhost', port: maria.port } })),
    }));
    const republished = await runCli(['team', 'publish', 'prod', '--to', SOURCE, '--yes'], adminEnv);
    expectOk(republished);
    expect(republished.stdout).toContain('now at version 1');
    expect(republished.stdout).toContain(`~ orders: 127.0.0.1:${maria.port} -> localhost:${maria.port}`);
    expect(republished.stdout).toContain('Published ssm:/jumpgate/acme, version 2.');

    const terminal = runCliOnTerminal(['team', 'refresh'], starterEnv);
    const shown = await terminal.waitFor(/Apply these changes from ssm:\/jumpgate\/acme\? \[y\/N\]/);
    expect(shown).toContain('ssm:/jumpgate/acme (eu-west-2), version 2:');
    expect(shown).toContain('changes  prod "Production": targets');
    // The difference the follower sees is the team's; their own port is not part of it.
    expect(shown).toContain(`~ orders: 127.0.0.1:${maria.port} -> localhost:${maria.port}`);
    expect(shown).not.toContain('local port');
    terminal.type('y\r');
    await terminal.waitFor(/Following ssm:\/jumpgate\/acme at version 2: prod\./);
    expect((await terminal.exit).exitCode).toBe(0);

    const target = (await profilesOf(starterEnv)).get('prod').targets[0];
    expect(target).toMatchObject({ remote: { kind: 'host', host: 'localhost', port: maria.port }, localPort: ownPort });
    expect((await queryThrough(starterEnv, 'prod', ownPort)).rows).toEqual([{ one: 1 }]);
  });

  it('a publish over a version the administrator did not see is refused, and the newer one stays', async () => {
    const admin = await profilesOf(adminEnv);
    await admin.update('prod', admin.revisionOf('prod'), (profile) => ({ ...profile, name: 'Production (EU)' }));
    // One terminal shows the plan against version 2 and waits for an answer...
    const terminal = runCliOnTerminal(['team', 'publish', 'prod', '--to', SOURCE], adminEnv);
    await terminal.waitFor(/now at version 2:[\s\S]*Publish to ssm:\/jumpgate\/acme\? \[y\/N\]/);
    // ...while a colleague (or another window) publishes version 3.
    expectOk(await runCli(['team', 'publish', 'prod', '--to', SOURCE, '--yes'], adminEnv));
    terminal.type('y\r');
    const refused = await terminal.waitFor(/error TEAM_SOURCE_CONFLICT: .*/);
    expect(refused).toMatch(/you read version 2, it is at version 3 now\); nothing was overwritten/);
    expect((await terminal.exit).exitCode).toBe(1);
    const head = await createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials }).ssm().send(new GetParameterCommand({ Name: '/jumpgate/acme' }));
    expect(head.Parameter?.Version).toBe(3);
  });

  it('a follower whose credentials may not read the parameter keeps the last copy and is told why', async () => {
    const keys = await createIamUser(moto, 'starter-without-ssm', ['sts:GetCallerIdentity']);
    const deniedEnv = { ...starterEnv, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    await enforceIam(moto, true);
    let refresh: CliResult;
    try {
      refresh = await runCli(['team', 'refresh', '--yes'], deniedEnv);
    } finally {
      await enforceIam(moto, false);
    }
    expect(refresh.code).toBe(1);
    expect(refresh.stderr).toMatch(/^error AWS_ACCESS_DENIED: ssm:\/jumpgate\/acme: Your AWS credentials may not call ssm:GetParameter on \/jumpgate\/acme \(region eu-west-2\)\. Still using the copy fetched (less than a minute|\d+ minutes?) ago \(version 2\)\.$/m);
    expect(refresh.stderr).toContain('  hint: Ask your AWS administrator to allow ssm:GetParameter on /jumpgate/acme for your role');

    const status = await runCli(['team', 'status'], starterEnv);
    expect(status.stdout).toContain('ssm:/jumpgate/acme (eu-west-2): followed, version 2 applied');
    expect(status.stdout).toMatch(/last refresh failed (less than a minute|\d+ minutes?) ago: AWS_ACCESS_DENIED: /);
    // The copy in use still works.
    expect((await profilesOf(starterEnv)).get('prod').targets[0]?.localPort).toBe(ownPort);
    expect((await queryThrough(starterEnv, 'prod', ownPort)).rows).toEqual([{ one: 1 }]);
  });

  it('from S3: a published host key the jump box does not have refuses the connection', async () => {
    const clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await clients.s3().send(new CreateBucketCommand({ Bucket: 'acme-ops', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
    // An administrator whose pinned key for the jump box is not the one it has (a typo'd pin, or an interceptor's key).
    const wrongEnv = envFor(join(dir, 'wrong-admin'));
    const wrongAdmin = await profilesOf(wrongEnv);
    await wrongAdmin.upsert({ ...(await profilesOf(adminEnv)).get('prod'), id: 'staging', name: 'Staging' });
    const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), der.subarray(der.length - 32)]);
    await new KnownHostsStore(join(wrongEnv.JUMPGATE_DATA_DIR as string, 'known_hosts')).pin(sshd.host, sshd.port, hostKeyFromBlob(blob));
    const published = await runCli(['team', 'publish', 'staging', '--to', 's3://acme-ops/jumpgate/team.json', '--yes'], wrongEnv);
    expectOk(published);
    expect(published.stdout).toMatch(/Published s3:\/\/acme-ops\/jumpgate\/team\.json, version "[0-9a-f]{32}"\./);

    const freshEnv = envFor(join(dir, 'fresh-starter'));
    const followed = await runCli(['team', 'follow', 's3://acme-ops/jumpgate/team.json', '--key', starterKey, '--yes'], freshEnv);
    expectOk(followed);
    expect(followed.stdout).toContain(`Pinned the published host key of 127.0.0.1:${sshd.port} (ssh-ed25519 ${sshFingerprint(blob)}).`);
    const refused = await runCli(['connect', 'staging'], freshEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error HOST_KEY_MISMATCH: /);
    expect(refused.stderr).toContain(sshFingerprint(blob));
    expect(refused.stdout).not.toMatch(/^ready /m);
  });
});
