import { describe, expect, it } from 'vitest';
import { JumpHostSchema } from '../../../shared/model/jumpHost';
import { importSshConfig } from './sshConfigImport';

// Shaped like a real engineer's ~/.ssh/config: defaults, a PuTTY-converted key,
// a bastion chain, a wildcard block and an unrelated host.
const CONFIG = `
# Work
Host bastion-eu
    HostName 18.130.1.2
    User ec2-user
    IdentityFile ~/.ssh/bastion_eu.pem
    ServerAliveInterval 30

Host db-jump
    HostName 10.20.0.15
    Port 2222
    User admin
    IdentityFile ~/.ssh/work_ed25519
    ProxyJump bastion-eu

Host legacy
    HostName legacy.internal
    ProxyJump ops@gateway.example.com:2022,bastion-eu

Host github.com
    User git

Host *.internal
    User ubuntu

Host *
    IdentitiesOnly yes
    User fallback
`;

describe('importSshConfig', () => {
  const { hosts } = importSshConfig(CONFIG, { home: '/home/dev' });

  it('lists concrete hosts, not wildcard defaults', () => {
    expect(hosts.map((host) => host.alias)).toEqual(['bastion-eu', 'db-jump', 'legacy', 'github.com']);
  });

  it('resolves HostName, User, Port and IdentityFile with ~ expanded', () => {
    const bastion = hosts.find((host) => host.alias === 'bastion-eu')?.jumpHost;
    expect(bastion).toEqual({
      host: '18.130.1.2',
      port: 22,
      user: 'ec2-user',
      auth: { kind: 'key', keyPath: '/home/dev/.ssh/bastion_eu.pem' },
      via: [],
    });
    // Every imported host is a valid saved jump host.
    for (const host of hosts) expect(JumpHostSchema.safeParse(host.jumpHost).success).toBe(true);
  });

  it('turns ProxyJump into the via chain, resolving aliases and user@host:port hops', () => {
    const dbJump = hosts.find((host) => host.alias === 'db-jump')?.jumpHost;
    expect(dbJump?.port).toBe(2222);
    expect(dbJump?.via).toEqual([
      { host: '18.130.1.2', port: 22, user: 'ec2-user', auth: { kind: 'key', keyPath: '/home/dev/.ssh/bastion_eu.pem' } },
    ]);
    const legacy = hosts.find((host) => host.alias === 'legacy')?.jumpHost;
    // As in OpenSSH, Host patterns match the alias typed ("legacy"), not its HostName,
    // so "Host *.internal" does not apply and "Host *" supplies the user.
    expect(legacy?.user).toBe('fallback');
    expect(legacy?.auth).toEqual({ kind: 'agent' });
    expect(legacy?.via.map((hop) => `${hop.user}@${hop.host}:${hop.port}`)).toEqual([
      'ops@gateway.example.com:2022',
      'ec2-user@18.130.1.2:22',
    ]);
  });

  it('lists a host that cannot become a profile apart, with the field that stops it, and offers the rest', () => {
    const found = importSshConfig(`Host good\n  HostName good.example.com\n\nHost weird\n  HostName bad host name\n  Port 99999\n`, { home: '/home/dev' });
    expect(found.hosts.map((host) => host.alias)).toEqual(['good']);
    expect(found.skipped.map((entry) => entry.alias)).toEqual(['weird']);
    expect(found.skipped[0]?.why).toMatch(/port/);
  });

  it('says where the file is broken, as a coded error, for an unterminated quote', () => {
    let caught: unknown;
    try {
      importSshConfig('Host ok\n  HostName ok.example.com\nHost "unterminated\n', { path: '/home/dev/.ssh/config' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringMatching(/^\/home\/dev\/\.ssh\/config could not be read: Unexpected line break at unterminated/) });
  });
});
