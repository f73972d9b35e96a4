import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../shared/model/errors';
import { ProfileSchema, type Profile } from '../shared/model/profile';
import { checklistItems, keyPassphraseAsked, unmappedFailure } from './checklistItems';
import type { KeyCheck } from './stores/checklist';
import type { DoctorCheck, DoctorRun } from './stores/doctor';

const profile: Profile = ProfileSchema.parse({
  id: 'prod',
  name: 'Prod',
  jumpHost: { host: 'bastion.example.com', user: 'ec2-user', auth: { kind: 'key', keyPath: '/keys/prod' } },
  aws: { securityGroupId: 'sg-0abc' },
  targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: 'db.internal', port: 3306 }, localPort: 13306 }],
});

const IDS = ['key', 'aws-credentials', 'region', 'ip-allowed', 'tcp', 'host-key', 'auth', 'forward', 'db-greeting', 'db-login'] as const;

/** A doctor run that passed every step before `failAt`, failed there, and skipped the rest as waiting for it. */
function runFailingAt(failAt: DoctorCheck['id'] | undefined, overrides: Partial<Record<DoctorCheck['id'], Partial<DoctorCheck>>> = {}): DoctorRun {
  const at = failAt ? IDS.indexOf(failAt) : IDS.length;
  const checks = IDS.map((id, index): DoctorCheck => {
    const base: DoctorCheck =
      index < at
        ? { id, title: id, status: 'pass', detail: `${id} fine` }
        : index === at
          ? { id, title: id, status: 'fail', detail: `${id} broke`, error: { code: 'INTERNAL', message: `${id} broke`, hint: `fix ${id}` } }
          : { id, title: id, status: 'skip', detail: `not reached: it needs "${failAt}", which failed`, ...(failAt ? { waitsFor: failAt } : {}) };
    return { ...base, ...overrides[id] };
  });
  return { profileId: 'prod', at: 1, report: { checks, ...(failAt ? { firstFailure: failAt } : {}) } };
}

const keyOk: KeyCheck = { ok: true, value: { format: 'openssh', type: 'ed25519', comment: 'me', publicKey: 'ssh-ed25519 AAAA me', fingerprint: 'SHA256:abc', encrypted: false }, at: 1 };

describe('the new starter checklist items', () => {
  it('are all "not checked yet" before the first check, and the tick is the user\'s', () => {
    const items = checklistItems(profile, undefined, undefined, undefined);
    expect(items.map((item) => [item.id, item.state])).toEqual([
      ['key', 'unchecked'],
      ['sent', 'unchecked'],
      ['aws', 'unchecked'],
      ['ip', 'unchecked'],
      ['host-key', 'unchecked'],
      ['db', 'unchecked'],
    ]);
    expect(checklistItems(profile, undefined, undefined, '2026-01-02T03:04:05.000Z').find((item) => item.id === 'sent')?.state).toBe('passed');
  });

  it('fail the IP item with its hint and leave the later ones unchecked; the key item comes from the key file', () => {
    const items = checklistItems(profile, runFailingAt('ip-allowed'), keyOk, undefined);
    const byId = Object.fromEntries(items.map((item) => [item.id, item]));
    expect(byId.aws?.state).toBe('passed');
    expect(byId.key).toMatchObject({ state: 'passed', detail: 'ed25519 key SHA256:abc (openssh).' });
    expect(byId.ip).toMatchObject({ state: 'failed', error: { hint: 'fix ip-allowed' } });
    // The wait names the item the user reads on the page, not the doctor's step.
    expect(byId['host-key']).toMatchObject({ state: 'unchecked', detail: 'Waits for "IP allowed on the jump box", which failed.' });
    expect(byId.db?.state).toBe('unchecked');
    expect(unmappedFailure(runFailingAt('ip-allowed'), items)).toBeUndefined();
  });

  it('count skipped AWS steps as not needed, and name a failure no item stands for', () => {
    const run = runFailingAt('auth', {
      'aws-credentials': { status: 'skip', detail: 'this profile does not use AWS' },
      'ip-allowed': { status: 'skip', detail: "no security group or instance id in the profile's AWS settings" },
    });
    const items = checklistItems(profile, run, keyOk, undefined);
    expect(items.find((item) => item.id === 'aws')).toMatchObject({ state: 'not-needed', detail: 'This profile does not use AWS.' });
    expect(items.find((item) => item.id === 'ip')?.state).toBe('not-needed');
    expect(items.find((item) => item.id === 'host-key')?.state).toBe('passed');
    expect(unmappedFailure(run, items)?.id).toBe('auth');
  });

  it('treat a key that only lacks its passphrase as created, and a missing key as failed', () => {
    const locked: KeyCheck = { ok: false, error: { code: 'PASSPHRASE_REQUIRED', message: 'prod is protected by a passphrase.' }, at: 1 };
    const missing: KeyCheck = { ok: false, error: { code: 'KEY_NOT_FOUND', message: 'No key at /keys/prod.', hint: 'Generate one.' }, at: 1 };
    expect(checklistItems(profile, undefined, locked, undefined).find((item) => item.id === 'key')?.state).toBe('passed');
    const items = checklistItems(profile, runFailingAt('key'), missing, undefined);
    // On this page a missing key is one not made yet: the hint says where to make it.
    expect(items.find((item) => item.id === 'key')).toMatchObject({
      state: 'failed',
      error: { code: 'KEY_NOT_FOUND', hint: 'Create it in Keys and use it in this profile, or put the path of the key you already have in Edit profile.' },
    });
    // The key item already shows that failure.
    expect(unmappedFailure(runFailingAt('key'), items)).toBeUndefined();
  });

  it('pass every live item after a clean run', () => {
    const items = checklistItems(profile, runFailingAt(undefined), keyOk, '2026-01-02T03:04:05.000Z');
    expect(items.every((item) => item.state === 'passed')).toBe(true);
  });

  describe('in the order of the routine (issue #13): the key first, and waiting for nothing', () => {
    const starter: Profile = ProfileSchema.parse({
      id: 'starter',
      name: 'Starter',
      jumpHost: { host: 'bastion.example.com', user: 'ec2-user', auth: { kind: 'key', keyPath: '~/.ssh/jumpgate_ed25519' } },
      targets: [{ id: 'mysql', name: 'MySQL', engine: 'mysql', remote: { kind: 'host', host: 'db.internal', port: 3306 }, localPort: 13306, secret: { kind: 'rds-managed' } }],
    });
    const noKey = { code: 'KEY_NOT_FOUND', message: 'No key file at ~/.ssh/jumpgate_ed25519.', hint: 'Check the key path in the jump host settings.' } as const;
    const noAws = { code: 'AWS_CREDENTIALS_MISSING', message: 'No AWS credentials were found.', hint: 'Run: aws configure sso' } as const;
    const titles: Record<DoctorCheck['id'], string> = {
      key: 'SSH key readable',
      'aws-credentials': 'AWS credentials',
      region: 'AWS region',
      'ip-allowed': 'Your IP allowed on the jump box',
      tcp: 'Jump box reachable (TCP)',
      'host-key': 'Jump box host key',
      auth: 'SSH login',
      forward: 'Jump box reaches the database',
      'db-greeting': 'Database answers',
      'db-login': 'Database accepts the password',
    };
    const step = (id: DoctorCheck['id'], rest: Omit<DoctorCheck, 'id' | 'title'>): DoctorCheck => ({ id, title: titles[id], ...rest });
    const waits = (id: DoctorCheck['id'], on: DoctorCheck['id']): DoctorCheck => step(id, { status: 'skip', detail: `not reached: it needs "${titles[on]}", which failed`, waitsFor: on });

    it('with no AWS credentials and no key (the doctor run a failed connect started): the key item comes first, failed with what to do', () => {
      const run: DoctorRun = {
        profileId: 'starter',
        at: 1,
        report: {
          firstFailure: 'key',
          checks: [
            step('key', { status: 'fail', detail: noKey.message, error: noKey }),
            step('aws-credentials', { status: 'fail', detail: noAws.message, error: noAws }),
            waits('region', 'aws-credentials'),
            step('ip-allowed', { status: 'skip', detail: "not needed: no security group or instance id in the profile's AWS settings" }),
            step('tcp', { status: 'pass', detail: 'bastion.example.com:22 accepts connections' }),
            waits('host-key', 'key'),
            waits('auth', 'key'),
            waits('forward', 'key'),
            waits('db-greeting', 'key'),
            waits('db-login', 'key'),
          ],
        },
      };
      // No key inspection yet: the checklist was opened after the connect, before "Check now".
      const items = checklistItems(starter, run, undefined, undefined);
      expect(items.map((item) => item.id)).toEqual(['key', 'sent', 'aws', 'ip', 'host-key', 'db']);
      expect(items[0]).toMatchObject({
        id: 'key',
        state: 'failed',
        detail: noKey.message,
        error: { hint: 'Create it in Keys and use it in this profile, or put the path of the key you already have in Edit profile.' },
      });
      expect(items[1]).toMatchObject({ id: 'sent', state: 'unchecked', detail: 'Waits for "SSH key created": make the key first, then send its public line.' });
      expect(items[2]).toMatchObject({ id: 'aws', state: 'failed', error: { code: 'AWS_CREDENTIALS_MISSING' } });
      expect(items[3]?.state).toBe('not-needed');
      expect(items[4]).toMatchObject({ id: 'host-key', state: 'unchecked', detail: 'Waits for "SSH key created", which failed.' });
      // The key failure has its item: no separate note for it.
      expect(unmappedFailure(run, items)).toBeUndefined();
    });

    it('a key that only wants its passphrase: what logs in waits for the passphrase, asked on the key item, with no separate note', () => {
      const locked = { code: 'PASSPHRASE_REQUIRED', message: '/keys/new is protected by a passphrase.' } as const;
      const run = (error: ErrorInfo): DoctorRun => ({
        profileId: 'starter',
        at: 1,
        report: {
          firstFailure: 'key',
          checks: [
            step('key', { status: 'fail', detail: error.message, error }),
            step('aws-credentials', { status: 'pass', detail: 'arn:aws:iam::123456789012:user/new-starter' }),
            step('region', { status: 'pass', detail: 'eu-west-2' }),
            step('ip-allowed', { status: 'pass', detail: '81.2.3.4 is allowed in sg-1' }),
            step('tcp', { status: 'pass', detail: 'bastion:22 accepts connections' }),
            waits('host-key', 'key'),
            waits('auth', 'key'),
            waits('forward', 'key'),
            waits('db-greeting', 'key'),
            waits('db-login', 'key'),
          ],
        },
      });
      const publicHalf: KeyCheck = { ...keyOk, value: { ...keyOk.value, encrypted: true } };
      const items = checklistItems(starter, run(locked), publicHalf, undefined);
      expect(keyPassphraseAsked(run(locked))).toBe('required');
      expect(items.find((item) => item.id === 'key')?.state).toBe('passed');
      expect(items.find((item) => item.id === 'host-key')).toMatchObject({
        state: 'unchecked',
        detail: 'Waits for your key\'s passphrase: press "Enter the passphrase" under "SSH key created".',
      });
      expect(unmappedFailure(run(locked), items)).toBeUndefined();

      const wrong = run({ code: 'BAD_PASSPHRASE', message: 'That passphrase does not unlock /keys/new.' });
      expect(keyPassphraseAsked(wrong)).toBe('wrong');
      expect(checklistItems(starter, wrong, publicHalf, undefined).find((item) => item.id === 'db')?.detail).toBe(
        'Waits for your key\'s passphrase (the last one typed did not unlock it): press "Enter the passphrase" under "SSH key created".',
      );
      expect(keyPassphraseAsked(runFailingAt(undefined))).toBeUndefined();
    });

    it('never shows the key item as waiting for AWS, even from a run that held the key step up behind it', () => {
      const run: DoctorRun = {
        profileId: 'starter',
        at: 1,
        report: {
          firstFailure: 'aws-credentials',
          checks: [step('aws-credentials', { status: 'fail', detail: noAws.message, error: noAws }), waits('key', 'aws-credentials'), waits('host-key', 'aws-credentials')],
        },
      };
      const key = checklistItems(starter, run, undefined, undefined).find((item) => item.id === 'key');
      expect(key).toMatchObject({ state: 'unchecked', detail: 'Check now reads the key file itself.' });
    });
  });
});
