import { describe, expect, it } from 'vitest';
import { JumpHostAuthSchema } from '../../../shared/model/jumpHost';
import { isJumpgateError, type JumpgateError } from '../../../shared/model/errors';
import { resolveAgent, WINDOWS_OPENSSH_PIPE, type AgentEnvironment } from './agentChoice';
import { PageantAgent, type PageantAccess } from './pageant';

/** A Pageant that answers or not, counting how often it was asked. */
function pageant(running: boolean): PageantAccess & { probes: number } {
  const access = {
    probes: 0,
    probe: async () => {
      access.probes += 1;
      return running ? ({ running: true } as const) : ({ running: false, reason: 'Pageant is not running' } as const);
    },
    agent: () => new PageantAgent('C:\\Program Files\\Jumpgate\\pagent.exe'),
  };
  return access;
}

function on(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, pageantRunning = false): AgentEnvironment & { pageant: ReturnType<typeof pageant> } {
  return { platform, env: () => env, pageant: pageant(pageantRunning) };
}

async function refusal(promise: Promise<unknown>): Promise<JumpgateError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isJumpgateError(caught)) throw new Error(`expected a JumpgateError, got ${String(caught)}`);
  return caught;
}

describe('which SSH agent a profile uses', () => {
  describe('Linux and macOS', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      it(`${platform}: the default and "openssh" are SSH_AUTH_SOCK`, async () => {
        const environment = on(platform, { SSH_AUTH_SOCK: '/tmp/ssh-XXXX/agent.42' });
        for (const auth of [{ kind: 'agent' as const }, { kind: 'agent' as const, agent: 'openssh' as const }]) {
          const resolved = await resolveAgent(auth, environment);
          expect(resolved.agent).toBe('/tmp/ssh-XXXX/agent.42');
          expect(resolved.label).toBe('the SSH agent at /tmp/ssh-XXXX/agent.42');
        }
        expect(environment.pageant.probes).toBe(0);
      });

      it(`${platform}: without SSH_AUTH_SOCK, says so and how to start ssh-agent`, async () => {
        const error = await refusal(resolveAgent({ kind: 'agent' }, on(platform, {})));
        expect(error.code).toBe('AGENT_UNAVAILABLE');
        expect(error.message).toMatch(/SSH_AUTH_SOCK is not set/);
        expect(error.hint).toMatch(/ssh-add/);
      });

      it(`${platform}: Pageant is refused as Windows-only, with what to choose instead`, async () => {
        const error = await refusal(resolveAgent({ kind: 'agent', agent: 'pageant' }, on(platform, { SSH_AUTH_SOCK: '/tmp/a' }, true)));
        expect(error.message).toBe('This profile uses Pageant, which runs only on Windows.');
        expect(error.hint).toMatch(/OpenSSH agent/);
      });
    }

    it('an explicit socket wins over SSH_AUTH_SOCK, and a stale one is reported with the start hint', async () => {
      const resolved = await resolveAgent({ kind: 'agent', socketPath: '/run/user/1000/gnupg/S.gpg-agent.ssh' }, on('linux', { SSH_AUTH_SOCK: '/tmp/a' }));
      expect(resolved.agent).toBe('/run/user/1000/gnupg/S.gpg-agent.ssh');
      const error = resolved.unavailable('Failed to connect to agent');
      expect(error.code).toBe('AGENT_UNAVAILABLE');
      expect(error.message).toBe('This profile uses the SSH agent at /run/user/1000/gnupg/S.gpg-agent.ssh, but it did not answer: Failed to connect to agent.');
      expect(error.hint).toMatch(/ssh-add/);
    });
  });

  describe('Windows', () => {
    it('the default: Pageant when it answers', async () => {
      const environment = on('win32', {}, true);
      const resolved = await resolveAgent({ kind: 'agent' }, environment);
      expect(resolved.agent).toBeInstanceOf(PageantAgent);
      expect(resolved.label).toBe('Pageant');
      expect(environment.pageant.probes).toBe(1);
    });

    it('the default without Pageant: the OpenSSH agent service pipe; if that fails too, both are named with how to start each', async () => {
      const resolved = await resolveAgent({ kind: 'agent' }, on('win32', {}, false));
      expect(resolved.agent).toBe('\\\\.\\pipe\\openssh-ssh-agent');
      expect(resolved.agent).toBe(WINDOWS_OPENSSH_PIPE);
      const error = resolved.unavailable('Failed to connect to agent');
      expect(error.message).toBe(
        "This profile uses this computer's SSH agent, but neither answered: Pageant (Pageant is not running) nor the Windows OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent: Failed to connect to agent).",
      );
      expect(error.hint).toContain('Start Pageant and add your .ppk key to it');
      expect(error.hint).toContain('Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent');
    });

    it('the default honours SSH_AUTH_SOCK when the user set it (Git Bash, gpg4win) without asking Pageant', async () => {
      const environment = on('win32', { SSH_AUTH_SOCK: '\\\\.\\pipe\\gpg-agent-ssh' }, true);
      const resolved = await resolveAgent({ kind: 'agent' }, environment);
      expect(resolved.agent).toBe('\\\\.\\pipe\\gpg-agent-ssh');
      expect(environment.pageant.probes).toBe(0);
    });

    it('"pageant" when Pageant is not running: AGENT_UNAVAILABLE naming Pageant, and start it and add your .ppk', async () => {
      const error = await refusal(resolveAgent({ kind: 'agent', agent: 'pageant' }, on('win32', {}, false)));
      expect(error.code).toBe('AGENT_UNAVAILABLE');
      expect(error.message).toBe('This profile uses Pageant, but Jumpgate could not use it: Pageant is not running.');
      expect(error.hint).toMatch(/^Start Pageant .* add your \.ppk key/);
    });

    it('"pageant" wins over SSH_AUTH_SOCK when chosen', async () => {
      const resolved = await resolveAgent({ kind: 'agent', agent: 'pageant' }, on('win32', { SSH_AUTH_SOCK: '\\\\.\\pipe\\x' }, true));
      expect(resolved.label).toBe('Pageant');
    });

    it('"openssh": the service pipe without asking Pageant; failing, the Set-Service / Start-Service line', async () => {
      const environment = on('win32', {}, true);
      const resolved = await resolveAgent({ kind: 'agent', agent: 'openssh' }, environment);
      expect(resolved.agent).toBe(WINDOWS_OPENSSH_PIPE);
      expect(resolved.label).toBe('the Windows OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent)');
      expect(environment.pageant.probes).toBe(0);
      const error = resolved.unavailable('Failed to connect to agent');
      expect(error.message).toBe('This profile uses the Windows OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent), but it did not answer: Failed to connect to agent.');
      expect(error.hint).toContain('Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent');
    });
  });

  describe('saved profiles', () => {
    it('profiles saved before the choice existed stay valid and mean the same (no migration)', () => {
      expect(JumpHostAuthSchema.parse({ kind: 'agent' })).toEqual({ kind: 'agent' });
      expect(JumpHostAuthSchema.parse({ kind: 'agent', socketPath: '/tmp/a' })).toEqual({ kind: 'agent', socketPath: '/tmp/a' });
    });

    it('a choice is kept; Pageant with a socket path, or an unknown agent, is refused', () => {
      expect(JumpHostAuthSchema.parse({ kind: 'agent', agent: 'pageant' })).toEqual({ kind: 'agent', agent: 'pageant' });
      expect(JumpHostAuthSchema.parse({ kind: 'agent', agent: 'openssh', socketPath: '\\\\.\\pipe\\x' })).toMatchObject({ agent: 'openssh' });
      const both = JumpHostAuthSchema.safeParse({ kind: 'agent', agent: 'pageant', socketPath: '/tmp/a' });
      expect(both.success ? [] : both.error.issues.map((issue) => issue.path.join('.'))).toEqual(['socketPath']);
      expect(JumpHostAuthSchema.safeParse({ kind: 'agent', agent: 'keeagent' }).success).toBe(false);
    });
  });
});
