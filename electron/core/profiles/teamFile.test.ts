import { describe, expect, it } from 'vitest';
import type { JumpgateError } from '../../../shared/model/errors';
import { exampleProfile } from './exampleProfile';
import { applyImport, exportTeamFile, planImport } from './teamFile';

describe('team profile files', () => {
  const example = exampleProfile();
  const staging = { ...example, id: 'staging', name: 'Staging', aws: { region: 'eu-west-1' } };

  it('exports without anything secret and plans an import as add / change / unchanged', () => {
    const text = exportTeamFile([example, staging], new Date('2026-11-25T00:00:00Z'));
    expect(text).not.toMatch(/password|passphrase/i);
    const changed = { ...example, jumpHost: { ...example.jumpHost, host: 'bastion2.example.com' } };
    const mine = [changed];
    const plan = planImport(mine, text);
    expect(plan.add.map((profile) => profile.id)).toEqual(['staging']);
    expect(plan.change).toHaveLength(1);
    expect(plan.change[0]?.fields).toEqual(['jumpHost']);
    expect(plan.change[0]?.before.jumpHost.host).toBe('bastion2.example.com');
    expect(plan.change[0]?.after.jumpHost.host).toBe('bastion.example.com');

    const result = applyImport(mine, plan);
    expect(result.map((profile) => [profile.id, profile.jumpHost.host])).toEqual([
      ['example-production', 'bastion.example.com'],
      ['staging', 'bastion.example.com'],
    ]);
    expect(planImport(result, text)).toEqual({ add: [], change: [], unchanged: ['example-production', 'staging'] });
  });

  it.each([
    ['not JSON', 'PK\u0003\u0004 zip bytes', /not JSON/],
    ['another format', JSON.stringify({ format: 'something-else', profiles: [] }), /format/],
    [
      'an invalid profile',
      JSON.stringify({ format: 'jumpgate-team-profiles', version: 1, exportedAt: 'x', profiles: [{ id: 'BAD ID' }] }),
      /profiles\.0/,
    ],
  ])('refuses %s with IMPORT_INVALID', (_name, text, pattern) => {
    let error: JumpgateError | undefined;
    try {
      planImport([], text);
    } catch (caught) {
      error = caught as JumpgateError;
    }
    expect(error?.code).toBe('IMPORT_INVALID');
    expect(error?.message).toMatch(pattern);
    expect(error?.hint).toBeTruthy();
  });

  it('refuses a team file whose key path is a device (#17: /dev/zero imported)', () => {
    const devZero = { ...example, jumpHost: { ...example.jumpHost, auth: { kind: 'key', keyPath: '/dev/zero' } } };
    const text = exportTeamFile([devZero as typeof example]);
    expect(() => planImport([], text)).toThrow(expect.objectContaining({ code: 'IMPORT_INVALID', message: expect.stringMatching(/keyPath: a key file, not a device/) }));
  });
});
