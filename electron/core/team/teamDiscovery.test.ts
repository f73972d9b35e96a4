import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser, enforceIam } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import type { JumpgateBridge } from '../../../shared/bridge';
import type { Reply } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/model/errors';
import { createAwsClients, type AwsEnvironment } from '../aws/awsClients';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

function failure(reply: Reply<unknown>): ErrorInfo {
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error;
}

/** An ed25519 host key as the SSH wire blob, base64: what a publish pins for the jump box. */
function hostKey(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const type = Buffer.from('ssh-ed25519');
  const length = (size: number) => Buffer.from([0, 0, 0, size]);
  return Buffer.concat([length(type.length), type, length(raw.length), raw]).toString('base64');
}

describe.skipIf(!peersAvailable('moto_server'))('team sources found under /jumpgate in Parameter Store (issue #16)', () => {
  const moto = motoForSuite();
  let dir: string;
  const opened: Jumpgate[] = [];

  async function open(name: string, aws?: AwsEnvironment): Promise<JumpgateBridge['invoke']> {
    const jumpgate = await createJumpgate({ dataDir: join(dir, name), version: 'test', aws: aws ?? { endpoint: moto().endpoint, credentials: moto().credentials } });
    opened.push(jumpgate);
    return invokerFor(createDispatcher(jumpgate.handlers));
  }

  /** An administrator's Jumpgate publishing one profile to `source`. */
  async function publish(admin: JumpgateBridge['invoke'], source: string, id: string): Promise<void> {
    value(
      await admin('profiles:save', {
        profile: {
          id,
          name: id,
          jumpHost: { host: `${id}.bastion.example.com`, port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
          aws: { region: 'eu-west-2' },
          targets: [{ id: 'db', name: 'DB', engine: 'mysql', remote: { kind: 'rds', identifier: `${id}-db` }, localPort: 13306 + opened.length, secret: { kind: 'rds-managed' } }],
        },
      }),
    );
    value(await admin('hostKeys:trust', { host: `${id}.bastion.example.com`, port: 22, publicKey: hostKey() }));
    value(await admin('team:publish', { source, profileIds: [id] }));
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-team-discovery-'));
  });
  afterAll(async () => {
    for (const jumpgate of opened) await jumpgate.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing where nothing is published, even beside parameters of other tools', async () => {
    const ssm = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto().endpoint, credentials: moto().credentials }).ssm();
    await ssm.send(new PutParameterCommand({ Name: '/jumpgate/notes', Value: '{"not":"a team"}', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/elsewhere/acme', Value: 'x', Type: 'String' }));
    const starter = await open('empty');
    expect(value(await starter('team:discover', {}))).toEqual({ region: 'eu-west-2', sources: [] });
  });

  it('finds each team published (its head, not its parts), in the region asked', async () => {
    const admin = await open('admin');
    await publish(admin, 'ssm:/jumpgate/payments', 'payments');
    await publish(admin, 'ssm:/jumpgate/acme/prod', 'acme');
    const starter = await open('starter');
    const found = value(await starter('team:discover', {}));
    expect(found.sources.map((entry) => [entry.source, entry.revision])).toEqual([
      ['ssm:/jumpgate/acme/prod', '1'],
      ['ssm:/jumpgate/payments', '1'],
    ]);
    expect(found.sources.every((entry) => typeof entry.publishedAt === 'number')).toBe(true);
    // Another region holds none of them.
    expect(value(await starter('team:discover', { region: 'us-east-1' })).sources).toEqual([]);
    // What is found can be fetched as it is named.
    expect(value(await starter('team:fetch', { source: found.sources[1]?.source ?? '' })).plan.add.map((profile) => profile.id)).toEqual(['payments']);
  });

  it('says which permission is missing: to list the teams, or to read the one found', async () => {
    const admin = await open('admin-denied');
    await publish(admin, 'ssm:/jumpgate/acme', 'acme');
    const none = await createIamUser(moto(), 'starter-no-ssm', ['sts:GetCallerIdentity']);
    const listOnly = await createIamUser(moto(), 'starter-list-only', ['sts:GetCallerIdentity', 'ssm:GetParametersByPath']);
    const noList = await open('no-list', { endpoint: moto().endpoint, credentials: none });
    const cannotRead = await open('list-only', { endpoint: moto().endpoint, credentials: listOnly });
    await enforceIam(moto(), true);
    try {
      const refused = failure(await noList('team:discover', {}));
      expect(refused).toMatchObject({ code: 'AWS_ACCESS_DENIED', details: { action: 'ssm:GetParametersByPath', region: 'eu-west-2' } });
      expect(refused.message).toMatch(/ssm:GetParametersByPath on \/jumpgate\/\*/);
      expect(refused.hint).toMatch(/Type the team source/);

      // Listed, but the team itself may not be read: a coded refusal naming ssm:GetParameter and the path, nothing kept.
      const found = value(await cannotRead('team:discover', {}));
      expect(found.sources.map((entry) => entry.source)).toEqual(['ssm:/jumpgate/acme']);
      const unread = failure(await cannotRead('team:fetch', { source: 'ssm:/jumpgate/acme' }));
      expect(unread.code).toBe('AWS_ACCESS_DENIED');
      expect(unread.message).toMatch(/ssm:GetParameter on \/jumpgate\/acme /);
    } finally {
      await enforceIam(moto(), false);
    }
    expect(value(await cannotRead('team:status', {})).sources).toEqual([]);
  });
  it('two windows previewing the one team found: the first Follow applies it, the second is refused by the revision it saw', async () => {
    const admin = await open('admin-two-windows');
    await publish(admin, 'ssm:/jumpgate/acme', 'acme');
    // One service, two windows: each lists the teams and previews the only one, as the Team page does on opening.
    const service = await open('two-windows');
    const [first, second] = await Promise.all([service('team:discover', {}), service('team:discover', {})]);
    expect(value(first).sources.map((entry) => entry.source)).toEqual(['ssm:/jumpgate/acme']);
    expect(value(second).sources.map((entry) => entry.source)).toEqual(['ssm:/jumpgate/acme']);
    const [inA, inB] = [value(await service('team:fetch', { source: 'ssm:/jumpgate/acme', keyPath: '/home/new/.ssh/jumpgate_ed25519' })), value(await service('team:fetch', { source: 'ssm:/jumpgate/acme' }))];
    expect(inA.revision).toBe(inB.revision);

    value(await service('team:follow', { source: inA.source, teamRevision: inA.teamRevision, revision: inA.revision, keyPath: '/home/new/.ssh/jumpgate_ed25519' }));
    const late = failure(await service('team:follow', { source: inB.source, teamRevision: inB.teamRevision, revision: inB.revision }));
    expect(late.code).toBe('PROFILES_CONFLICT');
    // Followed once, with the first window's key.
    const profiles = value(await service('profiles:list', {})).profiles.filter((profile) => profile.id === 'acme');
    expect(profiles.map((profile) => profile.jumpHost.auth)).toEqual([{ kind: 'key', keyPath: '/home/new/.ssh/jumpgate_ed25519' }]);
  });
});
