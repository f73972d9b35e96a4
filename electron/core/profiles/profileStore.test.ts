import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROFILES_SCHEMA_VERSION } from '../../../shared/model/profile';
import type { JumpgateError } from '../../../shared/model/errors';
import { exampleProfile } from './exampleProfile';
import { ProfileStore } from './profileStore';

describe('ProfileStore', () => {
  let dir: string;
  let path: string;
  const fixedNow = () => new Date('2026-11-25T10:00:00.000Z');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-profiles-'));
    path = join(dir, 'profiles.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a new user with the example profile (eu-west-2, MySQL 13306, PostgreSQL 15432)', async () => {
    const store = new ProfileStore({ path });
    const { profiles, problem } = await store.load();
    expect(problem).toBeUndefined();
    expect(profiles).toHaveLength(1);
    const [example] = profiles;
    expect(example?.aws.region).toBe('eu-west-2');
    expect(example?.targets.map((target) => [target.engine, target.localPort])).toEqual([
      ['mysql', 13306],
      ['postgres', 15432],
    ]);
    expect(JSON.parse(readFileSync(path, 'utf8')).schemaVersion).toBe(PROFILES_SCHEMA_VERSION);
  });

  it('round-trips profiles through the file', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const example = exampleProfile();
    await store.upsert({ ...example, id: 'staging', name: 'Staging', aws: { profile: 'staging', region: 'eu-west-1' } });
    await store.duplicate('staging', 'Staging copy');
    await store.remove('example-production', store.revisionOf('example-production'));

    const reopened = new ProfileStore({ path });
    const { profiles } = await reopened.load();
    expect(profiles.map((profile) => profile.id)).toEqual(['staging', 'staging-copy']);
    expect(profiles[0]).toEqual(store.get('staging'));
    expect(profiles[1]?.aws).toEqual({ profile: 'staging', region: 'eu-west-1' });
    // The previous good file (before the last save, the removal) is kept as the backup.
    const backupIds = JSON.parse(readFileSync(store.backupPath, 'utf8')).profiles.map((p: { id: string }) => p.id);
    expect(backupIds).toEqual(['example-production', 'staging', 'staging-copy']);
  });

  it('gives a duplicate its own local ports, the next free ones above the original\'s, so both can be connected', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const { profile: copy } = await store.duplicate('example-production', 'Production read-only');
    expect(copy.targets.map((target) => [target.id, target.localPort])).toEqual([
      ['mysql', 13307],
      ['postgres', 15433],
    ]);
    const { profile: second } = await store.duplicate('example-production', 'Production again');
    expect(second.targets.map((target) => target.localPort)).toEqual([13308, 15434]);
    // Everything else is copied as it was.
    const original = store.get('example-production');
    expect(copy.targets.map(({ localPort: _port, ...rest }) => rest)).toEqual(original.targets.map(({ localPort: _port, ...rest }) => rest));
    expect(original.targets.map((target) => target.localPort)).toEqual([13306, 15432]);
  });

  it('rejects an invalid profile with PROFILE_INVALID and keeps the file as it was', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const before = readFileSync(path, 'utf8');
    const example = exampleProfile();
    const broken = { ...example, targets: [example.targets[0], { ...example.targets[1], localPort: 13306 }] };
    const error = (await store.upsert(broken).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('PROFILE_INVALID');
    expect(error.message).toMatch(/local port 13306 is used twice/);
    expect(readFileSync(path, 'utf8')).toBe(before);
    await expect(store.upsert({ ...example, aws: { region: 'mars-1' } })).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
  });

  it('migrates a version 1 file forward and keeps the original as the backup', async () => {
    const v1 = {
      schemaVersion: 1,
      profiles: [
        {
          name: 'Prod EU',
          host: 'bastion.prod.internal',
          user: 'ec2-user',
          keyPath: '~/.ssh/prod.ppk',
          awsProfile: 'prod',
          region: 'eu-west-2',
          tunnels: [
            { name: 'Orders MySQL', localPort: 13306, remoteHost: 'orders.rds.amazonaws.com', remotePort: 3306 },
            { name: 'Reports PG', localPort: 15432, remoteHost: 'reports.rds.amazonaws.com', remotePort: 5432 },
          ],
        },
        { name: 'Prod EU', host: 'bastion2', user: 'admin', tunnels: [] },
      ],
    };
    const original = JSON.stringify(v1);
    writeFileSync(path, original);
    const store = new ProfileStore({ path });
    const { profiles, migratedFrom, problem } = await store.load();
    expect(problem).toBeUndefined();
    expect(migratedFrom).toBe(1);
    expect(profiles.map((profile) => profile.id)).toEqual(['prod-eu', 'prod-eu-2']);
    expect(profiles[0]?.jumpHost).toEqual({
      host: 'bastion.prod.internal',
      port: 22,
      user: 'ec2-user',
      auth: { kind: 'key', keyPath: '~/.ssh/prod.ppk' },
      via: [],
    });
    expect(profiles[0]?.aws).toEqual({ profile: 'prod', region: 'eu-west-2' });
    expect(profiles[0]?.targets.map((target) => [target.id, target.engine, target.localPort])).toEqual([
      ['orders-mysql', 'mysql', 13306],
      ['reports-pg', 'postgres', 15432],
    ]);
    expect(profiles[1]?.jumpHost.auth).toEqual({ kind: 'agent' });
    expect(JSON.parse(readFileSync(path, 'utf8')).schemaVersion).toBe(2);
    expect(readFileSync(store.backupPath, 'utf8')).toBe(original);
  });

  it('keeps a corrupt file aside, restores the last good backup and reports PROFILES_CORRUPT', async () => {
    const first = new ProfileStore({ path });
    await first.load();
    await first.upsert({ ...exampleProfile(), id: 'second', name: 'Second' });
    const damaged = '{"schemaVersion": 2, "profiles": [ {"id": "trunc';
    writeFileSync(path, damaged);

    const store = new ProfileStore({ path, now: fixedNow });
    const { profiles, problem } = await store.load();
    expect(problem?.code).toBe('PROFILES_CORRUPT');
    const keptAt = `${path}.corrupt-2026-11-25T10-00-00-000Z`;
    expect(problem?.message).toContain(keptAt);
    expect(problem?.hint).toMatch(/restored from the last good backup/);
    expect(readFileSync(keptAt, 'utf8')).toBe(damaged);
    expect(profiles.map((profile) => profile.id)).toEqual(['example-production']);
    expect(JSON.parse(readFileSync(path, 'utf8')).profiles).toHaveLength(1);
  });

  // Issue #17: a version-1 file with wrong types made the migration throw outside the
  // guard, so every command printed INTERNAL and the app started with no window.
  it.each([
    ['a null profile', '{"schemaVersion":1,"profiles":[null]}'],
    ['profiles that are a string', '{"schemaVersion":1,"profiles":"abc"}'],
    ['a name that is a number', '{"schemaVersion":1,"profiles":[{"name":42,"host":"h","user":"u"}]}'],
    ['tunnels that are not a list', '{"schemaVersion":1,"profiles":[{"name":"p","host":"h","user":"u","tunnels":{"a":1}}]}'],
  ])('treats a version 1 file with %s as damaged: kept aside, backup restored, PROFILES_CORRUPT', async (_what, damaged) => {
    const first = new ProfileStore({ path });
    await first.load();
    await first.upsert({ ...exampleProfile(), id: 'second', name: 'Second' });
    writeFileSync(path, damaged);

    const store = new ProfileStore({ path, now: fixedNow });
    const { profiles, problem } = await store.load();
    expect(problem?.code).toBe('PROFILES_CORRUPT');
    expect(problem?.message).toMatch(/could not be migrated from schema version 1/);
    expect(problem?.hint).toMatch(/restored from the last good backup/);
    expect(readFileSync(`${path}.corrupt-2026-11-25T10-00-00-000Z`, 'utf8')).toBe(damaged);
    expect(profiles.map((profile) => profile.id)).toEqual(['example-production']);
    expect(JSON.parse(readFileSync(path, 'utf8')).profiles).toHaveLength(1);
    // The store works on afterwards.
    await store.upsert({ ...exampleProfile(), id: 'third', name: 'Third' });
    expect(store.list().map((profile) => profile.id)).toEqual(['example-production', 'third']);
  });

  it('never overwrites a file from a newer Jumpgate', async () => {
    const future = JSON.stringify({ schemaVersion: 99, profiles: [{ anything: true }] });
    writeFileSync(path, future);
    const store = new ProfileStore({ path, now: fixedNow });
    const { profiles, problem } = await store.load();
    expect(problem?.code).toBe('PROFILES_CORRUPT');
    expect(problem?.message).toMatch(/newer Jumpgate \(schema version 99\)/);
    expect(problem?.hint).toMatch(/No good backup/);
    expect(profiles).toEqual([]);
    expect(readFileSync(`${path}.corrupt-2026-11-25T10-00-00-000Z`, 'utf8')).toBe(future);
  });

  it('survives kill -9 during a save loop with a good file every time', async () => {
    const seed = new ProfileStore({ path });
    await seed.load();
    const script = resolve('e2e/rig/profileSaveLoop.ts');
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
      const killAfter = 1 + Math.floor(Math.random() * 40);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      await new Promise<void>((done, fail) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if ((output.match(/saved/g) ?? []).length >= killAfter) {
            child.kill('SIGKILL');
          }
        });
        child.once('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`exit ${code}: ${stderr}`))));
      });
      const store = new ProfileStore({ path });
      const { profiles, problem } = await store.load();
      expect(problem).toBeUndefined();
      expect(profiles).toHaveLength(1);
      expect(profiles[0]?.name).toMatch(/^round \d+/);
    }
    // Killed writers leave temp files; loading cleans them up.
    expect(readdirSync(dir).filter((entry) => entry.includes('.tmp-'))).toEqual([]);
    expect(existsSync(`${path}.bak`)).toBe(true);
  }, 120_000);
});

/**
 * Two writers of one profile: two windows of the app (one store), or the app and
 * the CLI (two stores, two processes' worth of memory, one file). The second,
 * stale write is refused and nothing the first one saved is lost.
 */
describe('ProfileStore revisions', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-revisions-'));
    path = join(dir, 'profiles.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ID = 'example-production';

  it('refuses a write based on an older revision, names what changed, and keeps the first write', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const seen = store.revisionOf(ID);
    const first = await store.update(ID, seen, (profile) => ({ ...profile, name: 'Production (window A)' }));
    expect(first.revision).toBeGreaterThan(seen);

    const stale = (await store.update(ID, seen, (profile) => ({ ...profile, options: { ...profile.options, autoConnect: true } })).catch((error: unknown) => error)) as JumpgateError;
    expect(stale.code).toBe('PROFILES_CONFLICT');
    expect(stale.message).toContain('changed: name');
    expect(stale.hint).toMatch(/Reload/);
    expect(stale.details).toMatchObject({ profileId: ID, seenRevision: seen, currentRevision: first.revision, changed: 'name' });

    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk.profiles[0].name).toBe('Production (window A)');
    expect(onDisk.profiles[0].options.autoConnect).toBe(false);
    expect(onDisk.revisions[ID]).toBe(first.revision);
  });

  it('sees a change the CLI made in another store, refuses the app\'s stale write and announces the new set', async () => {
    const app = new ProfileStore({ path, onChange: () => announced.push(app.list().map((profile) => profile.name)) });
    const announced: string[][] = [];
    await app.load();
    const cli = new ProfileStore({ path });
    await cli.load();
    const seenByApp = app.revisionOf(ID);

    await cli.update(ID, cli.revisionOf(ID), (profile) => ({ ...profile, targets: profile.targets.slice(0, 1) }));
    const error = (await app.update(ID, seenByApp, (profile) => ({ ...profile, name: 'Renamed in the app' })).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('PROFILES_CONFLICT');
    expect(error.message).toContain('changed: targets');
    // The app adopted the CLI's write and told its windows, although its own change was refused.
    expect(app.get(ID).targets).toHaveLength(1);
    const exampleName = exampleProfile().name;
    expect(announced).toEqual([[exampleName]]);
    const reopened = (await new ProfileStore({ path }).load()).profiles[0];
    expect(reopened).toMatchObject({ name: exampleName });
    expect(reopened?.targets).toHaveLength(1);

    // With the revision it now knows, the app's change goes through on top of the CLI's.
    const saved = await app.update(ID, app.revisionOf(ID), (profile) => ({ ...profile, name: 'Renamed in the app' }));
    expect(saved.profile).toMatchObject({ name: 'Renamed in the app' });
    expect(saved.profile.targets).toHaveLength(1);
  });

  it('lets exactly one of two racing writers with the same revision through, across two stores on one file', async () => {
    const [a, b] = [new ProfileStore({ path }), new ProfileStore({ path })];
    await a.load();
    await b.load();
    const seen = a.revisionOf(ID);
    expect(b.revisionOf(ID)).toBe(seen);
    const outcomes = await Promise.allSettled([
      a.update(ID, seen, (profile) => ({ ...profile, name: 'A' })),
      b.update(ID, seen, (profile) => ({ ...profile, name: 'B' })),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((outcome) => (outcome.reason as JumpgateError).code)).toEqual(['PROFILES_CONFLICT']);
    const winner = (won[0] as PromiseFulfilledResult<{ profile: { name: string } }>).value.profile.name;
    expect(JSON.parse(readFileSync(path, 'utf8')).profiles[0].name).toBe(winner);
  });

  it('refuses to create a profile whose id someone created meanwhile, and a stale delete', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const created = await store.save({ ...exampleProfile(), id: 'staging', name: 'Staging' }, undefined);
    await expect(store.save({ ...exampleProfile(), id: 'staging', name: 'Staging (second window)' }, undefined)).rejects.toMatchObject({ code: 'PROFILES_CONFLICT' });
    await store.update('staging', created.revision, (profile) => ({ ...profile, name: 'Staging 2' }));
    await expect(store.remove('staging', created.revision)).rejects.toMatchObject({ code: 'PROFILES_CONFLICT' });
    expect(store.get('staging').name).toBe('Staging 2');
    await expect(store.save({ ...exampleProfile(), id: 'gone', name: 'Gone' }, 3)).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
  });

  it('refuses an import planned against an older set', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    const planned = store.storeRevision;
    await store.update(ID, store.revisionOf(ID), (profile) => ({ ...profile, name: 'Changed after the plan' }));
    await expect(store.replaceAll(planned, () => [])).rejects.toMatchObject({ code: 'PROFILES_CONFLICT' });
    expect(store.list()).toHaveLength(1);
  });

  it('keeps each untouched profile\'s revision when another profile changes', async () => {
    const store = new ProfileStore({ path });
    await store.load();
    await store.save({ ...exampleProfile(), id: 'staging', name: 'Staging', targets: [] }, undefined);
    const stagingRevision = store.revisionOf('staging');
    await store.update(ID, store.revisionOf(ID), (profile) => ({ ...profile, name: 'Only this one' }));
    expect(store.revisionOf('staging')).toBe(stagingRevision);
    await expect(store.update('staging', stagingRevision, (profile) => ({ ...profile, name: 'Staging 2' }))).resolves.toMatchObject({ profile: { name: 'Staging 2' } });
  });
});
