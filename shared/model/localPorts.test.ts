import { describe, expect, it } from 'vitest';
import { localPortForCopy, proposeLocalPort, takenLocalPorts } from './localPorts';
import { ProfileSchema, type DbEngine, type Profile } from './profile';

function profileWithPorts(id: string, ports: Array<[DbEngine, number]>): Profile {
  return ProfileSchema.parse({
    id,
    name: id,
    jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' }, via: [] },
    targets: ports.map(([engine, localPort], index) => ({
      id: `t${index}`,
      name: `t${index}`,
      engine,
      remote: { kind: 'host', host: 'db.example.com', port: 3306 },
      localPort,
      secret: { kind: 'none' },
    })),
  });
}

describe('the local-port convention', () => {
  it('starts at the database port plus 10000 and counts up past taken ports', () => {
    expect(proposeLocalPort('mysql', new Set())).toBe(13306);
    expect(proposeLocalPort('mariadb', new Set([13306]))).toBe(13307);
    expect(proposeLocalPort('postgres', new Set())).toBe(15432);
    expect(proposeLocalPort('aurora-postgresql', new Set([15432, 15433]))).toBe(15434);
    // A taken port of the other family does not move the proposal.
    expect(proposeLocalPort('aurora-mysql', new Set([15432]))).toBe(13306);
  });

  it('collects every local port of every profile', () => {
    const prod = profileWithPorts('prod', [['mysql', 13306], ['postgres', 15432]]);
    const staging = profileWithPorts('staging', [['mysql', 13406]]);
    expect([...takenLocalPorts([prod, staging])].sort()).toEqual([13306, 13406, 15432]);
    expect(takenLocalPorts([]).size).toBe(0);
  });

  it('gives a copy the first free port above the original, or the convention when there is no room above', () => {
    expect(localPortForCopy('mysql', 23306, new Set([23306]))).toBe(23307);
    expect(localPortForCopy('postgres', 15432, new Set([15432, 15433, 15434]))).toBe(15435);
    expect(localPortForCopy('postgres', 65535, new Set([65535, 15432]))).toBe(15433);
  });
});
