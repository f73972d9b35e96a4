import type { JumpgateBridge } from '../../shared/bridge';
import { JumpgateError, type ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';
import { createDispatcher, invokerFor } from '../core/dispatcher';
import { defaultDataDir } from '../core/paths';
import { createOsKeychain } from '../core/secrets/keychain';
import { createJumpgate, type Jumpgate } from '../core/service';
import { closeNames } from './closeNames';

declare const __JUMPGATE_VERSION__: string | undefined;
/** The bundle's version as the build wrote it in; from source, what npm says when run as `npm run jumpgate`. */
export const VERSION = typeof __JUMPGATE_VERSION__ === 'string' ? __JUMPGATE_VERSION__ : (process.env.npm_package_version ?? '0.0.0-dev');

/** The CLI's handle on the same core and the same files as the desktop app. */
export interface CliSession {
  jumpgate: Jumpgate;
  invoke: JumpgateBridge['invoke'];
  dataDir: string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** The OpenSSH client config `profiles:importSshConfig` reads (`jumpgate profile import ssh-config <path>`); ~/.ssh/config otherwise. */
  sshConfigPath?: string;
}

export async function openSession(options: SessionOptions = {}): Promise<CliSession> {
  const dataDir = defaultDataDir();
  const jumpgate = await createJumpgate({
    dataDir,
    version: VERSION,
    ...(options.sshConfigPath ? { sshConfigPath: options.sshConfigPath } : {}),
    keychain: createOsKeychain(),
    // For networks where checkip.amazonaws.com is blocked or proxied.
    ...(process.env.JUMPGATE_CHECKIP_URL ? { publicIpUrl: process.env.JUMPGATE_CHECKIP_URL } : {}),
  });
  const invoke = invokerFor(createDispatcher(jumpgate.handlers));
  return { jumpgate, invoke, dataDir, close: () => jumpgate.dispose() };
}

/** A failure the CLI reports as `error CODE: message` plus the hint, with an exit code. */
export class CliFailure extends Error {
  constructor(
    readonly info: ErrorInfo,
    readonly exitCode = 1,
  ) {
    super(info.message);
  }
}

export function unwrap<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (!reply.ok) throw new CliFailure(reply.error);
  return reply.value;
}

/** Find a profile by id or (case-insensitive) name; unknown -> the closest names. */
export function findProfile(profiles: readonly Profile[], wanted: string): Profile {
  const lower = wanted.toLowerCase();
  const found = profiles.find((profile) => profile.id === wanted || profile.name.toLowerCase() === lower);
  if (found) return found;
  const suggestions = closeNames(wanted, profiles.map((profile) => profile.id));
  throw new CliFailure(
    new JumpgateError('PROFILE_NOT_FOUND', `There is no profile "${wanted}".`, {
      hint:
        suggestions.length > 0
          ? `Did you mean: ${suggestions.join(', ')}? (jumpgate ls lists them all)`
          : profiles.length > 0
            ? `No profile has a name close to that; jumpgate ls lists the ${profiles.length} there are.`
            : 'There are no profiles yet: create one with jumpgate profile add (or import your ~/.ssh/config hosts with jumpgate profile import ssh-config).',
    }).toInfo(),
    2,
  );
}

export function findTargets(profile: Profile, wanted: readonly string[]): Profile['targets'] {
  if (wanted.length === 0) return profile.targets;
  return wanted.map((name) => {
    const target = profile.targets.find((entry) => entry.id === name || entry.name.toLowerCase() === name.toLowerCase());
    if (target) return target;
    const suggestions = closeNames(name, profile.targets.map((entry) => entry.id));
    throw new CliFailure(
      new JumpgateError('TARGET_NOT_FOUND', `Profile "${profile.id}" has no target "${name}".`, {
        hint: `Its targets: ${profile.targets.map((entry) => entry.id).join(', ') || 'none'}${suggestions[0] ? ` (closest: ${suggestions[0]})` : ''}.`,
      }).toInfo(),
      2,
    );
  });
}
