import { describe, expect, it } from 'vitest';
import { newTargetDraft, toDraft, toProfile, withEngine } from './profileDraft';

const base = {
  name: 'Production',
  host: 'bastion.example.com',
  port: '22',
  user: 'ec2-user',
  authKind: 'key' as const,
  keyPath: '/keys/prod.ppk',
  agentChoice: '' as const,
  agentSocket: '',
  via: '',
  awsProfile: '',
  region: 'eu-west-2',
  securityGroupId: '',
  instanceId: '',
  keepalive: '10',
  autoConnect: false,
  idleMinutes: '0',
  allowSshRsaSha1: false,
  targets: [],
};

describe('the profile editor draft', () => {
  it('proposes local ports by convention for a new target, skipping taken ones', () => {
    const target = newTargetDraft('mariadb', new Set([13306]));
    expect([target.localPort, target.port]).toEqual(['13307', '3306']);
  });

  it('moves default ports with the engine, but never a port the user typed', () => {
    const target = newTargetDraft('mysql', new Set());
    expect(withEngine(target, 'postgres', new Set())).toMatchObject({ port: '5432', localPort: '15432' });
    const typed = { ...target, localPort: '23306', localPortTouched: true, port: '3307' };
    expect(withEngine(typed, 'postgres', new Set())).toMatchObject({ port: '3307', localPort: '23306' });
  });

  it('turns a valid draft into a profile with ids from names and ProxyJump hops', () => {
    const mysql = { ...newTargetDraft('mysql', new Set()), name: 'Orders', host: 'orders.rds', secretKind: 'secrets-manager' as const, secretId: 'prod/orders' };
    const again = { ...newTargetDraft('mysql', new Set([13306])), name: 'Orders' };
    const { profile, errors } = toProfile({ ...base, via: 'ops@outer.example.com:2222, inner', targets: [mysql, { ...again, host: 'replica.rds' }] }, undefined, new Set(['production']));
    expect(errors).toEqual({});
    expect(profile?.id).toBe('production-2');
    expect(profile?.targets.map((target) => target.id)).toEqual(['orders', 'orders-2']);
    expect(profile?.jumpHost.via).toEqual([
      { user: 'ops', host: 'outer.example.com', port: 2222, auth: { kind: 'key', keyPath: '/keys/prod.ppk' } },
      { user: 'ec2-user', host: 'inner', port: 22, auth: { kind: 'key', keyPath: '/keys/prod.ppk' } },
    ]);
    expect(profile?.targets[0]?.secret).toEqual({ kind: 'secrets-manager', secretId: 'prod/orders' });
  });

  it('keeps the ssh-rsa (SHA-1) opt-in off unless ticked, and round-trips it', () => {
    expect(toProfile(base, 'prod', new Set()).profile?.options.allowSshRsaSha1).toBe(false);
    const { profile } = toProfile({ ...base, allowSshRsaSha1: true }, 'prod', new Set());
    expect(profile?.options.allowSshRsaSha1).toBe(true);
    expect(toDraft(profile!).allowSshRsaSha1).toBe(true);
  });

  it('reports each bad field by its schema path, and returns no profile', () => {
    const a = { ...newTargetDraft('mysql', new Set()), name: 'A', host: 'a', localPort: '13306' };
    const b = { ...newTargetDraft('mysql', new Set()), name: 'B', host: 'b', localPort: '13306', port: 'abc' };
    const { profile, errors } = toProfile({ ...base, name: '', port: '22x', via: 'not a hop!', targets: [a, b] }, 'prod', new Set());
    expect(profile).toBeUndefined();
    expect(errors).toMatchObject({
      name: 'Required.',
      'jumpHost.port': 'Enter a whole number.',
      'jumpHost.via': '"hop!" is not user@host or user@host:port.',
      'targets.1.remote.port': 'Enter a whole number.',
      'targets.1.localPort': 'Local port 13306 is used twice.',
    });
  });

  it('round-trips a saved profile through the draft unchanged', () => {
    const { profile } = toProfile({ ...base, targets: [{ ...newTargetDraft('postgres', new Set()), name: 'PG', remoteKind: 'rds', identifier: 'billing', endpoint: 'cluster-reader', secretKind: 'rds-managed' }] }, 'prod', new Set());
    expect(profile).toBeDefined();
    const again = toProfile(toDraft(profile!), 'prod', new Set());
    expect(again.profile).toEqual(profile);
  });

  it('keeps what the form does not show when a profile is edited: keepalive count, reconnect cap, each hop\'s own key', () => {
    const hopKey = { kind: 'key' as const, keyPath: '/keys/outer.pem' };
    const saved = toProfile({ ...base, via: 'ops@outer.example.com:2222' }, 'prod', new Set()).profile!;
    const edited = {
      ...saved,
      jumpHost: { ...saved.jumpHost, via: [{ ...saved.jumpHost.via[0]!, auth: hopKey }] },
      options: { ...saved.options, keepaliveCountMax: 7, reconnectCapSeconds: 120 },
    };
    // The user renames the profile and adds a second hop.
    const draft = { ...toDraft(edited), name: 'Production EU', via: 'ops@outer.example.com:2222, inner.example.com' };
    const { profile } = toProfile(draft, 'prod', new Set(), edited);
    expect(profile?.name).toBe('Production EU');
    expect(profile?.options).toMatchObject({ keepaliveCountMax: 7, reconnectCapSeconds: 120, keepaliveIntervalSeconds: 10 });
    expect(profile?.jumpHost.via.map((hop) => hop.auth)).toEqual([hopKey, { kind: 'key', keyPath: '/keys/prod.ppk' }]);
    // A hop typed differently (another port) is a different hop: it logs in as the jump host does.
    const moved = toProfile({ ...draft, via: 'ops@outer.example.com:2200' }, 'prod', new Set(), edited).profile;
    expect(moved?.jumpHost.via[0]?.auth).toEqual({ kind: 'key', keyPath: '/keys/prod.ppk' });
  });

  it('keeps the SSH agent choice (#15): the default, Pageant (no socket), or OpenSSH at a socket or pipe', () => {
    const agent = (agentChoice: '' | 'pageant' | 'openssh', agentSocket = '') => toProfile({ ...base, authKind: 'agent', agentChoice, agentSocket }, 'prod', new Set()).profile?.jumpHost.auth;
    expect(agent('')).toEqual({ kind: 'agent' });
    expect(agent('', '/tmp/ssh-x/agent.1')).toEqual({ kind: 'agent', socketPath: '/tmp/ssh-x/agent.1' });
    expect(agent('openssh', '\\\\.\\pipe\\openssh-ssh-agent')).toEqual({ kind: 'agent', agent: 'openssh', socketPath: '\\\\.\\pipe\\openssh-ssh-agent' });
    // The socket field is hidden for Pageant: what was typed before is not saved with it.
    expect(agent('pageant', '/tmp/ssh-x/agent.1')).toEqual({ kind: 'agent', agent: 'pageant' });
    const saved = toProfile({ ...base, authKind: 'agent', agentChoice: 'pageant', agentSocket: '' }, 'prod', new Set()).profile!;
    expect(toDraft(saved)).toMatchObject({ authKind: 'agent', agentChoice: 'pageant', agentSocket: '' });
    // A profile saved before the choice existed opens as the default.
    expect(toDraft({ ...saved, jumpHost: { ...saved.jumpHost, auth: { kind: 'agent', socketPath: '/tmp/a' } } })).toMatchObject({ agentChoice: '', agentSocket: '/tmp/a' });
  });
});
