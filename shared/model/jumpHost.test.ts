import { describe, expect, it } from 'vitest';
import { JumpHostAuthSchema } from './jumpHost';

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
