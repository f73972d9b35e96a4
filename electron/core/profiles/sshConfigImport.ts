import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';
import { JumpgateError } from '../../../shared/model/errors';
import { JumpHostSchema, type JumpHost, type JumpHostHop } from '../../../shared/model/jumpHost';
import { expandHome } from '../platform/homePath';

/** One `Host` entry of ~/.ssh/config, resolved into a jump host Jumpgate can use. */
export interface SshConfigHost {
  alias: string;
  jumpHost: JumpHost;
}

/** What the config offers: hosts a profile can be made from, and the others with why not. */
export interface SshConfigImport {
  hosts: SshConfigHost[];
  skipped: Array<{ alias: string; why: string }>;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isPattern(alias: string): boolean {
  return /[*?!]/.test(alias);
}

/**
 * Read the hosts of an OpenSSH client config (Host, HostName, User, Port,
 * IdentityFile, ProxyJump), using the maintained `ssh-config` parser so that
 * `Host *` defaults and first-match-wins apply exactly as ssh applies them.
 * Wildcard entries are defaults, not hosts, and are not returned.
 */
export function importSshConfig(text: string, options: { home?: string; defaultUser?: string; path?: string } = {}): SshConfigImport {
  const home = options.home ?? homedir();
  let config: ReturnType<typeof SSHConfig.parse>;
  try {
    config = SSHConfig.parse(text);
  } catch (error) {
    // The parser's own words (an unterminated quote: "Unexpected line break at ...") name the place.
    throw new JumpgateError('IMPORT_INVALID', `${options.path ?? 'The SSH config'} could not be read: ${error instanceof Error ? error.message : String(error)}.`, {
      hint: 'Fix that line (a quote opened and not closed, say) the way ssh -G would accept it, then import again.',
    });
  }
  const aliases: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((entry) => (typeof entry === 'string' ? entry : entry.val)) : String(line.value).split(/\s+/);
    for (const alias of values) if (!isPattern(alias) && !aliases.includes(alias)) aliases.push(alias);
  }

  const resolveHop = (name: string): JumpHostHop => {
    // ProxyJump hops may be aliases or [user@]host[:port].
    const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name.trim());
    const user = match?.[1];
    const hostPart = (match?.[2] ?? name).replace(/^\[|\]$/g, '');
    const computed = config.compute(hostPart);
    const identity = first(computed.IdentityFile as string | string[] | undefined);
    return {
      host: first(computed.HostName as string | undefined) ?? hostPart,
      port: Number(match?.[3] ?? first(computed.Port as string | undefined) ?? 22),
      user: user ?? first(computed.User as string | undefined) ?? options.defaultUser ?? 'ec2-user',
      auth: identity ? { kind: 'key', keyPath: expandHome(identity, home) } : { kind: 'agent' },
    };
  };

  const result: SshConfigImport = { hosts: [], skipped: [] };
  for (const alias of aliases) {
    const computed = config.compute(alias);
    const proxyJump = first(computed.ProxyJump as string | undefined);
    const via = proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump.split(',').map((hop) => resolveHop(hop)) : [];
    // Only what a profile can hold is offered; the rest is listed with the field that stops it.
    const checked = JumpHostSchema.safeParse({ ...resolveHop(alias), via });
    if (checked.success) result.hosts.push({ alias, jumpHost: checked.data });
    else result.skipped.push({ alias, why: checked.error.issues.map((issue) => `${issue.path.join('.') || 'host'}: ${issue.message}`).join('; ') });
  }
  return result;
}
