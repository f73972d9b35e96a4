import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createIamUser, enforceIam } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import { JumpgateError } from '../../../shared/model/errors';
import { parseTeamSource, type TeamSource } from '../../../shared/model/teamSource';
import { createAwsClients } from '../aws/awsClients';
import { SSM_PART_BYTES, splitUtf8 } from './ssmTeamSource';
import { teamSourceStore } from './teamSourceStore';

const REGION = 'eu-west-2';

function source(text: string): TeamSource {
  const parsed = parseTeamSource(text);
  if (!parsed) throw new Error(`not a source: ${text}`);
  return parsed;
}

async function refusal(promise: Promise<unknown>): Promise<JumpgateError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof JumpgateError)) throw new Error(`expected a JumpgateError, got ${String(error)}`);
  return error;
}

describe('team source text', () => {
  it('reads ssm: paths and s3:// objects and refuses what AWS would (reserved prefixes, bad buckets)', () => {
    expect(parseTeamSource('ssm:/jumpgate/acme')).toEqual({ kind: 'ssm', path: '/jumpgate/acme' });
    expect(parseTeamSource(' s3://team-bucket/jumpgate/acme.json ')).toEqual({ kind: 's3', bucket: 'team-bucket', key: 'jumpgate/acme.json' });
    for (const bad of ['ssm:jumpgate', 'ssm:/aws/x', 'ssm:/a/../b', 'ssm:/a b', 's3://Upper/key', 's3://ab/key', 's3://bucket/', 'https://bucket/key', 'ssm:/a\n/b']) {
      expect(parseTeamSource(bad), bad).toBeUndefined();
    }
  });

  it('cuts text into parts of at most 4096 UTF-8 bytes without splitting a character', () => {
    const text = 'é'.repeat(3000) + '€'.repeat(2000) + 'x';
    const parts = splitUtf8(text, SSM_PART_BYTES);
    expect(parts.join('')).toBe(text);
    expect(parts.every((part) => Buffer.byteLength(part) <= SSM_PART_BYTES)).toBe(true);
    expect(parts.length).toBe(Math.ceil(Buffer.byteLength(text) / SSM_PART_BYTES));
    expect(splitUtf8('', SSM_PART_BYTES)).toEqual(['']);
  });
});

describe('process weight', () => {
  // Issue #17: a tunnel must never carry the SDKs it does not use. The service is started, asked for the
  // team status (which reads only the local state), and the modules Node loaded are listed.
  it('a service that has not called AWS loads none of its SDKs (Parameter Store, S3, EC2, RDS, Secrets Manager, STS, credentials)', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "import { mkdtempSync } from 'node:fs';",
      "import { tmpdir } from 'node:os';",
      "import { join } from 'node:path';",
      `const { createJumpgate } = await import(${JSON.stringify(resolve('electron/core/service.ts'))});`,
      "const jumpgate = await createJumpgate({ dataDir: mkdtempSync(join(tmpdir(), 'jumpgate-weight-')), version: 'test' });",
      "await jumpgate.handlers['team:status']({});",
      'await jumpgate.dispose();',
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      "console.log(JSON.stringify({ sdk: loaded.filter((path) => /(client-(ssm|s3|ec2|rds|secrets-manager|sts)|credential-providers)[\\/]/.test(path)), ssh2: loaded.some((path) => /ssh2[\\/]lib[\\/]client\\.js$/.test(path)) }));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const { sdk, ssh2 } = JSON.parse(run.stdout) as { sdk: string[]; ssh2: boolean };
    // The listing works (ssh2, which the service always loads, is in it), and holds no AWS SDK.
    expect(ssh2).toBe(true);
    expect(sdk).toEqual([]);
  });
});

describe.skipIf(!peersAvailable('moto_server'))('team sources against moto', () => {
  const moto = motoForSuite();
  const clients = () => createAwsClients({ region: REGION }, { endpoint: moto().endpoint, credentials: moto().credentials });

  it('Parameter Store: a big team is split under the path, read back whole, and versioned by the head', async () => {
    const store = teamSourceStore(source('ssm:/jumpgate/acme'), clients());
    expect(await store.read()).toBeUndefined();
    const big = JSON.stringify({ filler: 'x'.repeat(10_000), note: 'ü'.repeat(2_000) });
    const first = await store.write(big, undefined);
    expect(first.revision).toBe('1');
    const head = await clients().ssm().send(new GetParameterCommand({ Name: '/jumpgate/acme' }));
    const parts = (JSON.parse(head.Parameter?.Value ?? '{}') as { parts: number }).parts;
    expect(parts).toBe(4);
    expect(await store.read()).toMatchObject({ text: big, revision: '1' });

    const second = await store.write('{"small":true}', '1');
    expect(second.revision).toBe('2');
    expect(await store.read()).toMatchObject({ text: '{"small":true}', revision: '2' });
    // The first version's parts are gone once the head no longer names them.
    const firstSha = (JSON.parse(head.Parameter?.Value ?? '{}') as { sha256: string }).sha256;
    const gone = await clients().ssm().send(new GetParameterCommand({ Name: `/jumpgate/acme/part/${firstSha.slice(0, 16)}-0` })).then(
      () => 'still there',
      (error: Error) => error.name,
    );
    expect(gone).toBe('ParameterNotFound');
  });

  it('Parameter Store: a publish over a version it did not read is refused, nothing written', async () => {
    const store = teamSourceStore(source('ssm:/jumpgate/stale'), clients());
    await store.write('{"v":1}', undefined);
    await store.write('{"v":2}', '1');
    const stale = await refusal(store.write('{"v":"stale"}', '1'));
    expect(stale.code).toBe('TEAM_SOURCE_CONFLICT');
    expect(stale.details).toEqual({ source: 'ssm:/jumpgate/stale', seenRevision: '1', currentRevision: '2' });
    const created = await refusal(store.write('{"v":"first"}', undefined));
    expect(created.code).toBe('TEAM_SOURCE_CONFLICT');
    expect(await store.read()).toMatchObject({ text: '{"v":2}', revision: '2' });
  });

  it('S3: the ETag is the revision and the write is conditional on it', async () => {
    await clients().s3().send(new CreateBucketCommand({ Bucket: 'team-bucket', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    const store = teamSourceStore(source('s3://team-bucket/jumpgate/acme.json'), clients());
    expect(await store.read()).toBeUndefined();
    const first = await store.write('{"v":1}', undefined);
    expect(first.revision).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await store.read()).toMatchObject({ text: '{"v":1}', revision: first.revision });
    const second = await store.write('{"v":2}', first.revision);
    expect(second.revision).not.toBe(first.revision);
    const stale = await refusal(store.write('{"v":"stale"}', first.revision));
    expect(stale.code).toBe('TEAM_SOURCE_CONFLICT');
    expect(stale.toInfo()).toMatchObject({ code: 'TEAM_SOURCE_CONFLICT', details: { currentRevision: second.revision } });
    expect((await refusal(store.write('{"v":"again"}', undefined))).code).toBe('TEAM_SOURCE_CONFLICT');
    expect((await store.read())?.text).toBe('{"v":2}');
  });

  it('a reader who may not call ssm:GetParameter is told the action and the path', async () => {
    await teamSourceStore(source('ssm:/jumpgate/closed'), clients()).write('{"v":1}', undefined);
    const keys = await createIamUser(moto(), 'no-ssm', ['sts:GetCallerIdentity']);
    await enforceIam(moto(), true);
    try {
      const denied = await refusal(teamSourceStore(source('ssm:/jumpgate/closed'), createAwsClients({ region: REGION }, { endpoint: moto().endpoint, credentials: keys })).read());
      expect(denied.code, denied.message).toBe('AWS_ACCESS_DENIED');
      expect(denied.message).toContain('ssm:GetParameter');
      expect(denied.message).toContain('/jumpgate/closed');
      expect(denied.hint).toContain('ssm:GetParameter on /jumpgate/closed');
    } finally {
      await enforceIam(moto(), false);
    }
  });
});
