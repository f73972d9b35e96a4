import { describe, expect, it } from 'vitest';
import { JumpHostAuthSchema, formatHopAddress, parseHopAddress } from './jumpHost';

describe('jump host auth paths (#17)', () => {
  it('takes ordinary key and socket paths', () => {
    expect(JumpHostAuthSchema.safeParse({ kind: 'key', keyPath: '~/.ssh/id_ed25519' }).success).toBe(true);
    expect(JumpHostAuthSchema.safeParse({ kind: 'key', keyPath: 'C:\\Users\\me\\.ssh\\work.ppk' }).success).toBe(true);
    expect(JumpHostAuthSchema.safeParse({ kind: 'agent', socketPath: '\\\\.\\pipe\\openssh-ssh-agent' }).success).toBe(true);
  });

  it('refuses paths longer than the OS allows', () => {
    expect(JumpHostAuthSchema.safeParse({ kind: 'key', keyPath: `/home/${'a'.repeat(4100)}` }).success).toBe(false);
    expect(JumpHostAuthSchema.safeParse({ kind: 'agent', socketPath: `/tmp/${'s'.repeat(300)}` }).success).toBe(false);
  });

  it('refuses device and kernel files and control characters as key paths', () => {
    for (const keyPath of ['/dev/zero', '/dev/stdin', '/proc/self/mem', '/sys/kernel/x', 'id_rsa\0.pub', 'id\nrsa']) {
      const result = JumpHostAuthSchema.safeParse({ kind: 'key', keyPath });
      expect(result.success, keyPath).toBe(false);
    }
  });
});

describe('a jump host as typed: [user@]host[:port]', () => {
  it('takes the parts, an IPv6 address in brackets, and leaves absent parts to the caller', () => {
    expect(parseHopAddress('ec2-user@bastion.example.com:2222')).toEqual({ user: 'ec2-user', host: 'bastion.example.com', port: 2222 });
    expect(parseHopAddress(' ops@[2001:db8::1]:22 ')).toEqual({ user: 'ops', host: '2001:db8::1', port: 22 });
    expect(parseHopAddress('bastion')).toEqual({ host: 'bastion' });
    // Out of range is the schema's to say: the parser only takes the digits.
    expect(parseHopAddress('me@host:99999')).toEqual({ user: 'me', host: 'host', port: 99999 });
  });

  it('refuses what is not of that form: a bare IPv6 address, a space, an empty host, a port that is not digits', () => {
    for (const text of ['me@2001:db8::1', 'me@bastion box', 'me@', 'me@host:ssh', 'me@host:']) expect(parseHopAddress(text), text).toBeUndefined();
  });

  it('writes a hop back in the form it reads: an IPv6 literal in brackets', () => {
    for (const hop of [{ user: 'ops', host: '2001:db8::7', port: 22 }, { user: 'ec2-user', host: 'bastion.example.com', port: 2222 }]) {
      expect(parseHopAddress(formatHopAddress(hop))).toEqual(hop);
    }
    expect(formatHopAddress({ user: 'ops', host: '2001:db8::7', port: 22 })).toBe('ops@[2001:db8::7]:22');
  });
});
