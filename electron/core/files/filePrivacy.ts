import { win32 } from 'node:path';
import { runTool, type ToolRunner } from '../platform/runTool';

/**
 * Keeps Jumpgate's data files (profiles, settings, known_hosts, the audit log, a generated private
 * key) readable by the user only. On Linux and macOS the file modes do that (0600 files, 0700
 * folders, set when the file is created). Windows ignores modes: a file gets the access list of its
 * folder, which for a data folder outside the user's profile (JUMPGATE_DATA_DIR on a shared drive,
 * say) can let every user read it. There this removes the inherited entries and grants the user
 * alone full control (icacls), on the new file before it is renamed into place: the access list
 * moves with the file, so the final name never holds the data with the folder's permissions.
 */
export interface FilePrivacy {
  /** Make a file Jumpgate just created private. Never throws: a failure is reported, and the write goes on. */
  restrict(path: string): Promise<void>;
}

export interface FilePrivacyOptions {
  platform?: NodeJS.Platform;
  /** Runs whoami and icacls; the tests pass one that records the command lines. */
  run?: ToolRunner;
  /** SystemRoot, USERDOMAIN and USERNAME come from here; process.env unless set. */
  env?: NodeJS.ProcessEnv;
  /** What could not be made private and why (the default warns on stderr, once per path). */
  onProblem?: (path: string, why: string) => void;
}

/** Unix: the modes given at creation already say "this user only"; nothing more to do. */
const POSIX_PRIVACY: FilePrivacy = { restrict: async () => undefined };

/** The account SID from `whoami /user /fo csv /nh`: `"desktop-7f3k2\jane","S-1-5-21-...-1001"`. */
export function parseWhoamiSid(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /"(S-1-\d+(?:-\d+)+)"\s*$/.exec(line.trim());
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/**
 * The icacls command line that leaves `path` to `principal` alone: `/inheritance:r` drops what
 * the folder passed down (Users, Authenticated Users, ...), `/grant:r` replaces any grant the user
 * had with full control. `principal` is `*S-1-5-...` (a SID, immune to renamed accounts and to
 * names in another language) or, when whoami could not say, DOMAIN\user.
 */
export function icaclsArgs(path: string, principal: string): string[] {
  return [path, '/inheritance:r', '/grant:r', `${principal}:F`];
}

function windowsPrivacy(run: ToolRunner, env: NodeJS.ProcessEnv, onProblem: (path: string, why: string) => void): FilePrivacy {
  const system32 = win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32');
  let principal: Promise<string | undefined> | undefined;
  const whoIsUser = async (): Promise<string | undefined> => {
    try {
      const whoami = await run(win32.join(system32, 'whoami.exe'), ['/user', '/fo', 'csv', '/nh'], { encoding: 'latin1' });
      const sid = whoami.exitCode === 0 ? parseWhoamiSid(whoami.stdout) : undefined;
      if (sid) return `*${sid}`;
    } catch {
      // fall back to the name below
    }
    if (!env.USERNAME) return undefined;
    return env.USERDOMAIN ? `${env.USERDOMAIN}\\${env.USERNAME}` : env.USERNAME;
  };
  return {
    restrict: async (path) => {
      principal ??= whoIsUser();
      const who = await principal;
      if (!who) {
        onProblem(path, 'Windows did not say who the current user is (whoami failed and USERNAME is not set)');
        return;
      }
      try {
        const icacls = await run(win32.join(system32, 'icacls.exe'), icaclsArgs(path, who), { encoding: 'latin1', timeoutMs: 10_000 });
        if (icacls.exitCode !== 0) onProblem(path, `icacls exited with status ${icacls.exitCode}`);
      } catch (error) {
        onProblem(path, (error as Error).message);
      }
    },
  };
}

function warnOnce(): (path: string, why: string) => void {
  const warned = new Set<string>();
  return (path, why) => {
    if (warned.has(path)) return;
    warned.add(path);
    console.warn(`jumpgate: could not make ${path} private to this user: ${why}`);
  };
}

/** The platform's way of making a file private: icacls on Windows, nothing beyond the modes elsewhere. */
export function createFilePrivacy(options: FilePrivacyOptions = {}): FilePrivacy {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32') return POSIX_PRIVACY;
  return windowsPrivacy(options.run ?? runTool, options.env ?? process.env, options.onProblem ?? warnOnce());
}

let shared: FilePrivacy | undefined;

/** This machine's file privacy, made on first use and shared (whoami runs once per process). */
export function platformFilePrivacy(): FilePrivacy {
  shared ??= createFilePrivacy();
  return shared;
}
