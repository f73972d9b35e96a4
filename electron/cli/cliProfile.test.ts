import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../../e2e/rig/cliProcess';
import { makeOpenSshKey, type RigKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { runCliOnTerminal } from '../../e2e/rig/terminal';
import type { Profile } from '../../shared/model/profile';
import { ProfileStore } from '../core/profiles/profileStore';

/**
 * `jumpgate profile ...` as a user runs it, in a child process on a temporary data folder: each
 * subcommand's success, and its refusals (a coded error, exit 2, and profiles.json byte for byte
 * as it was). The set-up against the real jump box, database and AWS is in cliSetup.test.ts.
 */

interface ProfilesOnDisk {
  revision: number;
  profiles: Profile[];
}

describe.skipIf(!peersAvailable('ssh-keygen'))('jumpgate profile', () => {
  let dir: string;
  let key: RigKey;
  let folders = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-profile-'));
    key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A data folder of its own for one test: nothing in it yet. */
  function freshEnv(): NodeJS.ProcessEnv {
    folders += 1;
    return { JUMPGATE_DATA_DIR: join(dir, `data-${folders}`), SSH_AUTH_SOCK: '' };
  }
  const profilesPath = (env: NodeJS.ProcessEnv): string => join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json');
  const profilesText = (env: NodeJS.ProcessEnv): string => readFileSync(profilesPath(env), 'utf8');
  const onDisk = (env: NodeJS.ProcessEnv): ProfilesOnDisk => JSON.parse(profilesText(env)) as ProfilesOnDisk;
  const saved = (env: NodeJS.ProcessEnv, id: string): Profile | undefined => onDisk(env).profiles.find((profile) => profile.id === id);

  /** A refusal as the CLI prints it: `error CODE: message`, a hint, the exit code, and the profiles file untouched. */
  async function expectRefused(env: NodeJS.ProcessEnv, args: string[], code: string, message: RegExp): Promise<CliResult> {
    const before = profilesText(env);
    const result = await runCli(args, env);
    expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^error ${code}: `));
    expect(result.stderr, args.join(' ')).toMatch(message);
    expect(result.stderr, args.join(' ')).toMatch(/\n {2}hint: \S/);
    expect(result.code, args.join(' ')).toBe(2);
    expect(profilesText(env), args.join(' ')).toBe(before);
    return result;
  }

  /** A profile "Prod" logging in with the rig's key: what most tests start from. */
  async function withProd(env: NodeJS.ProcessEnv): Promise<void> {
    const added = await runCli(['profile', 'add', 'Prod', '--jump', 'ec2-user@bastion.example.com', '--key', key.privatePath], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
  }

  it('adds a profile from an empty data folder: the jump host parsed, the key checked, the region by default, the id from the name', async () => {
    const env = freshEnv();
    const added = await runCli(['profile', 'add', 'Prod EU', '--jump', 'ec2-user@bastion.example.com:2222', '--key', key.privatePath], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added profile prod-eu "Prod EU": ec2-user@bastion.example.com:2222 with key ${key.privatePath} (ssh-ed25519 SHA256:`);
    expect(saved(env, 'prod-eu')).toEqual({
      id: 'prod-eu',
      name: 'Prod EU',
      jumpHost: { host: 'bastion.example.com', port: 2222, user: 'ec2-user', auth: { kind: 'key', keyPath: key.privatePath }, via: [] },
      aws: { region: 'eu-west-2' },
      targets: [],
      options: { keepaliveIntervalSeconds: 10, keepaliveCountMax: 3, reconnectCapSeconds: 15, autoConnect: false, idleAutoCloseMinutes: 0, allowSshRsaSha1: false },
    });

    // An IPv6 jump box in brackets, the SSH agent, a region and an id of its own.
    const v6 = await runCli(['profile', 'add', 'Lab', '--jump', 'ops@[2001:db8::7]', '--agent', '--region', 'us-east-1', '--id', 'lab6', '--security-group', 'sg-0abc'], env);
    expect(v6.code).toBe(0);
    expect(saved(env, 'lab6')).toMatchObject({ jumpHost: { host: '2001:db8::7', port: 22, user: 'ops', auth: { kind: 'agent' } }, aws: { region: 'us-east-1', securityGroupId: 'sg-0abc' } });
    expect(v6.stdout).toContain('ops@[2001:db8::7]:22 with your SSH agent, AWS region us-east-1');
  });

  it('refuses bad input to profile add with a coded error and a hint, and writes nothing', async () => {
    const env = freshEnv();
    await withProd(env);
    const add = (...args: string[]) => ['profile', 'add', 'Staging', ...args];
    await expectRefused(env, add('--jump', 'bastion.example.com', '--key', key.privatePath), 'BAD_REQUEST', /names no user to log in as[\s\S]*hint: Put the login name before @/);
    await expectRefused(env, add('--jump', 'me@bastion:70000', '--key', key.privatePath), 'PROFILE_INVALID', /--jump port: Too big: expected number to be <=65535/);
    await expectRefused(env, add('--jump', 'me@2001:db8::1', '--agent'), 'BAD_REQUEST', /is not user@host\[:port\][\s\S]*IPv6 address goes in brackets/);
    await expectRefused(env, add('--jump', 'me@bastion', '--key', join(dir, 'no-such-key')), 'KEY_NOT_FOUND', /No key file at .*no-such-key[\s\S]*hint: Check the --key path/);
    // A file that is not a key is refused by the core's own key reader.
    writeFileSync(join(dir, 'notes.txt'), 'not a key\n');
    await expectRefused(env, add('--jump', 'me@bastion', '--key', join(dir, 'notes.txt')), 'KEY_UNREADABLE', /./);
    await expectRefused(env, add('--jump', 'me@bastion', '--key', key.privatePath, '--agent'), 'BAD_REQUEST', /--key or --agent, not both/);
    await expectRefused(env, add('--jump', 'me@bastion'), 'BAD_REQUEST', /--key <path> or --agent/);
    await expectRefused(env, add('--jump', 'me@bastion', '--agent', '--region', 'mars-north-1'), 'PROFILE_INVALID', /--region: an AWS region such as eu-west-2/);
    await expectRefused(env, add('--jump', 'me@bastion', '--agent', '--id', 'Bad Id'), 'PROFILE_INVALID', /--id: lower-case letters, digits and dashes/);
    await expectRefused(env, ['profile', 'add', 'prod', '--jump', 'me@bastion', '--agent'], 'PROFILE_INVALID', /A profile named "Prod" exists already \(id prod\)[\s\S]*jumpgate profile rename prod/);
    await expectRefused(env, add('--jump', 'me@bastion', '--agent', '--id', 'prod'), 'PROFILE_INVALID', /A profile with the id "prod" exists already[\s\S]*jumpgate profile rm prod/);
  });

  it('shows a profile as text and as stable JSON with its revision; an unknown one names the close ones', async () => {
    const env = freshEnv();
    await withProd(env);
    const text = await runCli(['profile', 'show', 'prod'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^prod {2}Prod\n {2}jump host {3}ec2-user@bastion\.example\.com:22 with key /);
    expect(text.stdout).toContain('targets     none yet');
    const json = await runCli(['profile', 'show', 'Prod', '--json'], env);
    const shown = JSON.parse(json.stdout) as { revision: number; profile: Profile };
    expect(shown.profile).toEqual(saved(env, 'prod'));
    expect(shown.revision).toBe(onDisk(env).revision);

    const unknown = await runCli(['profile', 'show', 'prdo'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error PROFILE_NOT_FOUND: There is no profile "prdo"[\s\S]*Did you mean: prod/);
  });

  it('renames (the id stays) and removes a profile; a taken name and an unknown profile are refused', async () => {
    const env = freshEnv();
    await withProd(env);
    const renamed = await runCli(['profile', 'rename', 'prod', 'Production'], env);
    expect(renamed.stdout).toBe('Renamed prod: "Prod" -> "Production" (its id stays prod).\n');
    expect(saved(env, 'prod')?.name).toBe('Production');
    await expectRefused(env, ['profile', 'rename', 'prod', 'Example: production (edit me)'], 'PROFILE_INVALID', /A profile named "Example: production \(edit me\)" exists already/);
    await expectRefused(env, ['profile', 'rm', 'nope'], 'PROFILE_NOT_FOUND', /There is no profile "nope"/);

    const removed = await runCli(['profile', 'rm', 'Production'], env);
    expect(removed.stdout).toBe('Deleted profile prod "Production" (0 targets).\n');
    expect(saved(env, 'prod')).toBeUndefined();
    // With none left, the hint says how to make one from the terminal.
    expect((await runCli(['profile', 'rm', 'example-production'], env)).code).toBe(0);
    const none = await runCli(['connect', 'prod'], env);
    expect(none.stderr).toContain('hint: There are no profiles yet: create one with jumpgate profile add');
  });

  it('adds targets on the conventional local ports (13306, 15432, the next free), by endpoint or RDS identifier, with their secret source', async () => {
    const env = freshEnv();
    await withProd(env);
    const add = (...args: string[]) => runCli(['profile', 'target', 'add', 'prod', ...args], env);
    // The first run's example profile holds 13306 and 15432, so the next free ones, and the way to free them.
    const orders = await add('Orders', '--engine', 'mysql', '--host', 'orders.abc.eu-west-2.rds.amazonaws.com', '--secret', 'prod/orders', '--database', 'shop', '--user', 'app');
    expect(orders.code).toBe(0);
    expect(orders.stdout).toContain('127.0.0.1:13307  -> orders.abc.eu-west-2.rds.amazonaws.com:3306 (mysql, user app, database shop, password from Secrets Manager prod/orders)');
    expect(orders.stdout).toContain('13306 is held by the example profile; jumpgate profile rm example-production frees it');
    expect((await runCli(['profile', 'rm', 'example-production'], env)).code).toBe(0);
    const ledger = await add('Ledger', '--engine', 'aurora-postgresql', '--rds', 'ledger', '--rds-endpoint', 'cluster-reader', '--rds-secret');
    const v6 = await add('Reports', '--engine', 'postgres', '--host', '[2001:db8::5]:6432', '--port', '25432', '--id', 'rep');
    const maria = await add('Legacy', '--engine', 'mariadb', '--host', '10.0.0.9');
    expect([ledger.code, v6.code, maria.code]).toEqual([0, 0, 0]);
    expect(saved(env, 'prod')?.targets).toEqual([
      { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'host', host: 'orders.abc.eu-west-2.rds.amazonaws.com', port: 3306 }, localPort: 13307, database: 'shop', username: 'app', secret: { kind: 'secrets-manager', secretId: 'prod/orders' } },
      { id: 'ledger', name: 'Ledger', engine: 'aurora-postgresql', remote: { kind: 'rds', identifier: 'ledger', endpoint: 'cluster-reader' }, localPort: 15432, secret: { kind: 'rds-managed' } },
      { id: 'rep', name: 'Reports', engine: 'postgres', remote: { kind: 'host', host: '2001:db8::5', port: 6432 }, localPort: 25432, secret: { kind: 'none' } },
      { id: 'legacy', name: 'Legacy', engine: 'mariadb', remote: { kind: 'host', host: '10.0.0.9', port: 3306 }, localPort: 13306, secret: { kind: 'none' } },
    ]);
    expect(maria.stdout).not.toContain('held by the example profile');

    const removed = await runCli(['profile', 'target', 'rm', 'prod', 'Ledger'], env);
    expect(removed.stdout).toBe('Removed target ledger from prod (127.0.0.1:15432 is free again).\n');
    expect(saved(env, 'prod')?.targets.map((target) => target.id)).toEqual(['orders', 'rep', 'legacy']);
  });

  it('refuses bad input to target add and rm with a coded error and a hint, and writes nothing', async () => {
    const env = freshEnv();
    await withProd(env);
    const add = (...args: string[]) => ['profile', 'target', 'add', 'prod', ...args];
    expect((await runCli(add('Orders', '--engine', 'mysql', '--host', 'db.internal'), env)).code).toBe(0);
    await expectRefused(env, add('X', '--engine', 'oracle', '--host', 'db'), 'BAD_REQUEST', /--engine oracle is not an engine[\s\S]*mysql, mariadb, postgres, aurora-mysql, aurora-postgresql/);
    await expectRefused(env, add('X', '--engine', 'mysql'), 'BAD_REQUEST', /--host <endpoint\[:port\]> or --rds <identifier>/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db', '--rds', 'db'), 'BAD_REQUEST', /--host <endpoint\[:port\]> or --rds <identifier>/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'admin@db:3306'), 'BAD_REQUEST', /--host admin@db:3306 is not endpoint\[:port\]/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db:99999'), 'PROFILE_INVALID', /--host port: Too big/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db', '--port', '80'), 'PROFILE_INVALID', /--port: Too small: expected number to be >=1024/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db', '--port', 'next'), 'BAD_REQUEST', /--port next is not a port number/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--rds', 'db', '--rds-endpoint', 'primary'), 'BAD_REQUEST', /--rds-endpoint primary is not one of instance, cluster-writer, cluster-reader/);
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db', '--secret', 's', '--rds-secret'), 'BAD_REQUEST', /--secret or --rds-secret, not both/);
    // The core's own rule: a local port another profile listens on.
    await expectRefused(env, add('X', '--engine', 'mysql', '--host', 'db', '--port', '13306'), 'PROFILE_INVALID', /Local port 13306 is already used by profile Example: production/);
    await expectRefused(env, add('orders', '--engine', 'mysql', '--host', 'db'), 'BAD_REQUEST', /has a target named "Orders" already \(id orders\)/);
    await expectRefused(env, ['profile', 'target', 'rm', 'prod', 'ordrs'], 'TARGET_NOT_FOUND', /has no target "ordrs"[\s\S]*closest: orders/);
    await expectRefused(env, ['profile', 'target', 'add', 'nope', 'X', '--engine', 'mysql', '--host', 'db'], 'PROFILE_NOT_FOUND', /There is no profile "nope"/);
  });

  it('imports the good hosts of an SSH config and says why each other one was skipped', async () => {
    const env = freshEnv();
    await withProd(env);
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host *',
        '  User deploy',
        'Host bastion-prod',
        '  HostName 10.0.0.5',
        '  Port 2222',
        `  IdentityFile ${key.privatePath}`,
        'Host web',
        '  HostName web.example.com',
        '  ProxyJump bastion-prod',
        'Host spaced',
        '  HostName "bad host name"',
        'Host farport',
        '  HostName far.example.com',
        '  Port 70000',
        'Host prod',
        '  HostName other.example.com',
        'Host *.internal',
        '  User nobody',
        '',
      ].join('\n'),
    );
    const first = await runCli(['profile', 'import', 'ssh-config', config], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${config}: 2 imported, 3 skipped.`);
    expect(first.stdout).toContain('imported  bastion-prod -> profile bastion-prod (deploy@10.0.0.5:2222)');
    expect(first.stdout).toContain('imported  web -> profile web (deploy@web.example.com:22)');
    expect(first.stdout).toContain('skipped   spaced: host: a host name or IP address');
    expect(first.stdout).toContain('skipped   farport: port: Too big: expected number to be <=65535');
    expect(first.stdout).toContain('skipped   prod: a profile named "Prod" exists already (id prod)');
    expect(saved(env, 'bastion-prod')?.jumpHost).toEqual({ host: '10.0.0.5', port: 2222, user: 'deploy', auth: { kind: 'key', keyPath: key.privatePath }, via: [] });
    expect(saved(env, 'web')?.jumpHost.via).toEqual([{ host: '10.0.0.5', port: 2222, user: 'deploy', auth: { kind: 'key', keyPath: key.privatePath } }]);
    expect(saved(env, 'web')?.aws.region).toBe('eu-west-2');

    // Again, one host asked for by name, one that is not in the file: nothing is made twice.
    const again = await runCli(['profile', 'import', 'ssh-config', config, '--host', 'web', '--host', 'db9', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({
      path: config,
      imported: [],
      skipped: [
        { alias: 'db9', why: `no Host db9 in ${config}` },
        { alias: 'web', why: 'a profile named "web" exists already (id web)' },
      ],
    });
    await expectRefused(env, ['profile', 'import', 'ssh-config', join(dir, 'no-config')], 'BAD_REQUEST', /No SSH config file at .*no-config/);
    writeFileSync(join(dir, 'unterminated'), 'Host a\n  HostName "a.example.com\n');
    const broken = await runCli(['profile', 'import', 'ssh-config', join(dir, 'unterminated')], env);
    expect(broken.stderr).toMatch(/^error IMPORT_INVALID: .*unterminated could not be read/);
  });

  it('exports a team file and imports it: the plan first, --dry-run --json, refused without --yes off a terminal, applied with --yes', async () => {
    const env = freshEnv();
    await withProd(env);
    expect((await runCli(['profile', 'target', 'add', 'prod', 'Orders', '--engine', 'mysql', '--host', 'db.internal'], env)).code).toBe(0);
    const team = join(dir, 'team.json');
    const exported = await runCli(['profile', 'export', 'Prod', '--out', team], env);
    expect(exported.stderr).toBe(`Wrote 1 profile(s) to ${team}.\n`);
    expect(JSON.parse(readFileSync(team, 'utf8'))).toMatchObject({ format: 'jumpgate-team-profiles', profiles: [{ id: 'prod', targets: [{ id: 'orders' }] }] });
    expect((await runCli(['profile', 'export'], env)).stdout).toContain('"example-production"');

    const other = freshEnv();
    expect((await runCli(['ls'], other)).code).toBe(0);
    const refused = await expectRefused(other, ['profile', 'import', team], 'BAD_REQUEST', /Not imported: 1 profile\(s\) would be added[\s\S]*Run it again with --yes/);
    expect(refused.stdout).toBe(`Importing ${team}:\n  adds     prod "Prod" (1 target)\n`);
    const dry = await runCli(['profile', 'import', team, '--dry-run', '--json'], other);
    expect(JSON.parse(dry.stdout)).toEqual({ revision: onDisk(other).revision, add: [{ id: 'prod', name: 'Prod', targets: 1 }], change: [], unchanged: [], imported: false });
    await expectRefused(other, ['profile', 'import', team, '--json'], 'BAD_REQUEST', /Not imported/);

    const applied = await runCli(['profile', 'import', team, '--yes'], other);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Imported: 1 added, 0 changed.');
    expect(saved(other, 'prod')).toEqual(saved(env, 'prod'));
    const again = await runCli(['profile', 'import', team], other);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('Nothing to import') });

    writeFileSync(join(dir, 'not-team.json'), '{"profiles": []}');
    await expectRefused(other, ['profile', 'import', join(dir, 'not-team.json'), '--yes'], 'IMPORT_INVALID', /cannot be imported/);
    await expectRefused(other, ['profile', 'import', join(dir, 'missing.json')], 'BAD_REQUEST', /No team file at/);
  });

  it('asks on a terminal before importing, and a change saved elsewhere meanwhile is refused as the conflict it is', async () => {
    const env = freshEnv();
    await withProd(env);
    const team = join(dir, 'race-team.json');
    expect((await runCli(['profile', 'export', 'prod', '--out', team], env)).code).toBe(0);
    expect((await runCli(['profile', 'rm', 'prod'], env)).code).toBe(0);

    // The command on a pseudo-terminal, as a user types it: the question appears, and it waits.
    const term = runCliOnTerminal(['profile', 'import', team], env);
    await term.waitFor(/Import 1 profile\(s\)\? \[y\/N\]/);

    // Meanwhile another Jumpgate (the app) saves a profile: the plan's revision is stale now.
    const store = new ProfileStore({ path: profilesPath(env) });
    await store.load();
    await store.upsert({ id: 'meanwhile', name: 'Meanwhile', jumpHost: { host: 'other.example.com', user: 'me', auth: { kind: 'agent' } } });
    const afterOther = profilesText(env);
    term.type('y\r');

    const { exitCode: code } = await term.exit;
    const stdout = term.output();
    expect(stdout).toMatch(/error PROFILES_CONFLICT: The profiles were changed elsewhere since this was prepared\./);
    expect(stdout).toMatch(/hint: Another Jumpgate \(the app, a browser tab or another jumpgate command\) saved first, and nothing of this command was written/);
    expect(code).toBe(1);
    // The other change stands, and nothing of the import was written.
    expect(profilesText(env)).toBe(afterOther);
    expect(saved(env, 'prod')).toBeUndefined();
    expect(existsSync(`${profilesPath(env)}.lock`)).toBe(false);
  });
});
