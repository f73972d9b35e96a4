import type { BaseAgent } from 'ssh2';
import { JumpgateError } from '../../../shared/model/errors';
import type { JumpHostAuth } from '../../../shared/model/jumpHost';
import { createPageantAccess, type PageantAccess } from './pageant';

/** The Windows OpenSSH agent service's named pipe (Win32-OpenSSH's default for ssh-add and ssh). */
export const WINDOWS_OPENSSH_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

type AgentAuth = Extract<JumpHostAuth, { kind: 'agent' }>;

/** The agent a connection will use, and how to say so when it does not answer. */
export interface ResolvedAgent {
  /** What ssh2 is handed: a socket or pipe path, or an agent object (Pageant). */
  agent: string | BaseAgent;
  /** The agent in words, for errors: "Pageant", "the Windows OpenSSH agent (\\.\pipe\openssh-ssh-agent)". */
  label: string;
  /** AGENT_UNAVAILABLE for this agent: which one was tried, `reason` as ssh2 or the helper put it, and how to start it. */
  unavailable(reason: string): JumpgateError;
}

/** Where agents are looked for: the platform, its environment and Pageant, all injectable. */
export interface AgentEnvironment {
  platform: NodeJS.Platform;
  /** SSH_AUTH_SOCK is read from here when a connection is made (not when the app starts). */
  env: () => NodeJS.ProcessEnv;
  /** A socket that takes the place of SSH_AUTH_SOCK (the pool's `agentSocket` option). */
  defaultSocket?: string | undefined;
  pageant: PageantAccess;
}

export function systemAgentEnvironment(overrides: Partial<AgentEnvironment> = {}): AgentEnvironment {
  return { platform: process.platform, env: () => process.env, pageant: createPageantAccess(), ...overrides };
}

const PAGEANT_HINT = 'Start Pageant (PuTTY\'s agent, in the Start menu) and add your .ppk key to it, then connect again.';
const WINDOWS_OPENSSH_HINT =
  'Start the OpenSSH agent in PowerShell as administrator: Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent ' +
  '- then add your key with ssh-add, and connect again.';
const UNIX_AGENT_HINT = 'Start ssh-agent (eval "$(ssh-agent)") and add your key with ssh-add, or choose a key file for this jump host.';

function agentError(message: string, hint: string): JumpgateError {
  return new JumpgateError('AGENT_UNAVAILABLE', message, { hint });
}

function pageantAgent(access: PageantAccess, extraHint = ''): ResolvedAgent {
  return {
    agent: access.agent(),
    label: 'Pageant',
    unavailable: (reason) => agentError(`This profile uses Pageant, but Jumpgate could not use it: ${reason}.`, PAGEANT_HINT + extraHint),
  };
}

function socketAgent(path: string, platform: NodeJS.Platform, why: string): ResolvedAgent {
  const windowsPipe = platform === 'win32' && /^[/\\][/\\]\.[/\\]pipe[/\\]/i.test(path);
  const isServicePipe = windowsPipe && path.toLowerCase().endsWith('openssh-ssh-agent');
  const label = isServicePipe ? `the Windows OpenSSH agent (${path})` : `the SSH agent at ${path}`;
  const hint = isServicePipe ? WINDOWS_OPENSSH_HINT : platform === 'win32' ? `Start the agent that serves ${path}, or choose another agent or a key file.` : UNIX_AGENT_HINT;
  return {
    agent: path,
    label,
    unavailable: (reason) => agentError(`This profile uses ${label}${why}, but it did not answer: ${reason}.`, hint),
  };
}

/**
 * Which agent a hop uses (#15):
 * - an explicit `socketPath` always wins (an OpenSSH agent at that socket or Windows pipe);
 * - `pageant`: Pageant, Windows only, and only if it answers now;
 * - `openssh`: SSH_AUTH_SOCK, or on Windows the OpenSSH agent service's pipe;
 * - no choice (this computer's default, and every profile saved before the choice existed):
 *   SSH_AUTH_SOCK when set; on Windows otherwise Pageant when it answers, else the OpenSSH pipe.
 * Throws AGENT_UNAVAILABLE when it is already clear that nothing can answer; an agent chosen here
 * that then fails during the handshake is reported through `unavailable` with the same words.
 */
export async function resolveAgent(auth: AgentAuth, environment: AgentEnvironment): Promise<ResolvedAgent> {
  const { platform } = environment;
  if (auth.socketPath) return socketAgent(auth.socketPath, platform, '');
  if (auth.agent === 'pageant') {
    if (platform !== 'win32') {
      throw agentError('This profile uses Pageant, which runs only on Windows.', 'On this computer choose the OpenSSH agent (ssh-agent) for this profile, or a key file.');
    }
    const probe = await environment.pageant.probe();
    if (!probe.running) throw pageantAgent(environment.pageant).unavailable(probe.reason);
    return pageantAgent(environment.pageant);
  }
  const fromEnvironment = environment.defaultSocket ?? environment.env().SSH_AUTH_SOCK;
  if (fromEnvironment) return socketAgent(fromEnvironment, platform, ' (SSH_AUTH_SOCK)');
  if (platform !== 'win32') {
    throw agentError('This profile uses ssh-agent, but no agent is running (SSH_AUTH_SOCK is not set).', UNIX_AGENT_HINT);
  }
  if (auth.agent === 'openssh') return socketAgent(WINDOWS_OPENSSH_PIPE, platform, '');
  // The Windows default: Pageant if it answers (most PuTTY users keep their key there), else the OpenSSH service.
  const probe = await environment.pageant.probe();
  if (probe.running) return pageantAgent(environment.pageant);
  const pipe = socketAgent(WINDOWS_OPENSSH_PIPE, platform, '');
  return {
    ...pipe,
    unavailable: (reason) =>
      agentError(
        `This profile uses this computer's SSH agent, but neither answered: Pageant (${probe.reason}) nor the Windows OpenSSH agent (${WINDOWS_OPENSSH_PIPE}: ${reason}).`,
        `Start Pageant and add your .ppk key to it, or start the OpenSSH agent in PowerShell as administrator: Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent - then ssh-add your key.`,
      ),
  };
}
