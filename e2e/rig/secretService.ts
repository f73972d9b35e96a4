import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon, type Daemon } from './daemon';
import { peerPath, type PeerName } from './peers';

const run = promisify(execFile);

/** Everything startSecretService and secretToolLookup run. */
export const SECRET_SERVICE_PEER_NAMES = ['dbus-daemon', 'dbus-monitor', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'] as const satisfies readonly PeerName[];

const SECRETS_NAME = 'org.freedesktop.secrets';
const SECRETS_PATH = '/org/freedesktop/secrets';

/** A running gnome-keyring Secret Service on a private session bus. */
export interface SecretServicePeer {
  /**
   * What a client needs to reach it. For a child process, merge it into the child's env.
   * In this process, set it in process.env before the first keychain call: libdbus reads
   * the address once per process and keeps it.
   */
  readonly env: { readonly DBUS_SESSION_BUS_ADDRESS: string };
  /** The temp directory holding the bus socket, HOME and the keyring files. */
  readonly dir: string;
  /** The password that created and unlocked the login keyring. */
  readonly password: string;
  /** Object path of the default collection (the login keyring). */
  readonly collection: string;
  /**
   * Lock the default collection, as a screen lock does. One way: unlocking again needs a
   * prompt, and there is no prompter on a headless bus, so do this last.
   */
  lock(): Promise<void>;
  /** What gnome-keyring printed so far, for failure messages. */
  log(): string;
  /** Stop gnome-keyring and the bus, then remove the temp directory. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface SecretServiceOptions {
  /** Login keyring password; a fixed test value unless given. */
  password?: string;
  timeoutMs?: number;
}

/**
 * Starts a private D-Bus session bus and gnome-keyring's Secret Service on it, with
 * HOME and the XDG directories inside a fresh temp directory, so the user's real
 * keyring and session bus are never touched.
 *
 * The bus has no service directories: nothing is started on demand, so the only
 * Secret Service on it is the one started here, and once it stops a client gets an
 * error instead of a stray daemon launched under someone's real HOME.
 *
 * The login keyring: `gnome-keyring-daemon --unlock` reads a password on stdin and
 * unlocks the "login" keyring with it, creating it (encrypted with that password)
 * when the data directory has none, which is what a PAM login does on a desktop.
 * With no explicit default alias, gnome-keyring answers ReadAlias("default") with
 * the login collection, so clients that store into the default collection work
 * without a prompt; startup checks that before returning.
 *
 * Readiness is gnome-keyring taking the org.freedesktop.secrets name, seen by a
 * dbus-monitor that is listening before gnome-keyring starts; never a timer.
 */
export async function startSecretService(options: SecretServiceOptions = {}): Promise<SecretServicePeer> {
  const password = options.password ?? 'jumpgate-test-login';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-secrets-'));
  const baseEnv = isolatedEnv(dir);
  let bus: Daemon | undefined;
  let keyring: KeyringProcess | undefined;

  const dispose = async (): Promise<void> => {
    const [k, b] = [keyring, bus];
    keyring = undefined;
    bus = undefined;
    await k?.stop();
    await b?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const socket = join(dir, 'bus');
    writeFileSync(join(dir, 'bus.conf'), busConfig(socket));
    bus = await startDaemon(peerPath('dbus-daemon'), ['--config-file', join(dir, 'bus.conf'), '--nofork', '--print-address'], {
      ready: /^unix:\S+\n/m,
      env: baseEnv,
      timeoutMs,
    });
    const address = /^(unix:\S+)\n/m.exec(bus.log())?.[1];
    if (!address) throw new Error(`dbus-daemon did not print its address:\n${bus.log()}`);
    const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address };

    const monitor = await startDaemon(
      peerPath('dbus-monitor'),
      [
        '--address',
        address,
        `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${SECRETS_NAME}'`,
      ],
      // Becoming a monitor, it loses its own unique name: from then on its match rule is in force.
      { ready: /member=NameLost/, env, timeoutMs },
    );
    try {
      keyring = spawnKeyring(env, password);
      await nameAcquired(monitor, keyring, timeoutMs);
    } finally {
      await monitor.stop();
    }

    const collection = await defaultCollection(address);
    const started = keyring;
    return {
      env: { DBUS_SESSION_BUS_ADDRESS: address },
      dir,
      password,
      collection,
      log: () => started.log(),
      lock: async () => {
        const { stdout } = await dbusSend(address, 'org.freedesktop.Secret.Service.Lock', `array:objpath:${collection}`);
        if (!stdout.includes(`"${collection}"`)) throw new Error(`gnome-keyring did not lock ${collection}:\n${stdout}`);
      },
      dispose,
    };
  } catch (error) {
    const log = keyring?.log() ?? '';
    await dispose();
    if (log && error instanceof Error) error.message += `\n--- gnome-keyring-daemon output ---\n${log.slice(-4000)}`;
    throw error;
  }
}

/**
 * Looks a secret up with libsecret's own client, a separate process with its own
 * D-Bus connection: proof that a value is in the Secret Service, not in our memory.
 * Undefined when nothing matches.
 */
export async function secretToolLookup(peerService: SecretServicePeer, attributes: Record<string, string>): Promise<string | undefined> {
  const args = ['lookup', ...Object.entries(attributes).flat()];
  try {
    const { stdout } = await run(peerPath('secret-tool'), args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: join(peerService.dir, 'home'), ...peerService.env },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    // secret-tool exits 1 with nothing on stderr when no item matches.
    const failure = error as { code?: number; stderr?: string };
    if (failure.code === 1 && !failure.stderr?.trim()) return undefined;
    throw error;
  }
}

/** HOME, XDG_* and the runtime dir all inside `dir`; nothing of the caller's session leaks in. */
function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  const paths = { HOME: 'home', XDG_DATA_HOME: 'data', XDG_CONFIG_HOME: 'config', XDG_CACHE_HOME: 'cache', XDG_RUNTIME_DIR: 'runtime' };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  for (const [name, sub] of Object.entries(paths)) {
    const path = join(dir, sub);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    env[name] = path;
  }
  return env;
}

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${escapeXml(socket)}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface KeyringProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

/**
 * gnome-keyring-daemon is spawned here rather than through startDaemon because the
 * login password goes in on stdin, which startDaemon does not open. It prints
 * nothing when it is ready; readiness comes from the bus (see nameAcquired).
 */
function spawnKeyring(env: NodeJS.ProcessEnv, password: string): KeyringProcess {
  const child = spawn(peerPath('gnome-keyring-daemon'), ['--unlock', '--components=secrets', '--foreground'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `\nspawn failed: ${error.message}`;
      resolve();
    });
  });
  // No trailing newline: gnome-keyring reads stdin to EOF and the newline would become part of the password.
  child.stdin.on('error', () => undefined);
  child.stdin.end(password);
  return {
    child,
    exited,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

const NAME_TAKEN = new RegExp(`string "${SECRETS_NAME.replace(/\./g, '\\.')}"\\s+string ""\\s+string ":`);

/** Resolves when the monitor sees org.freedesktop.secrets get an owner; rejects if gnome-keyring exits first. */
function nameAcquired(monitor: Daemon, keyring: KeyringProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      monitor.child.stdout?.off('data', check);
      if (error) reject(error);
      else resolve();
    };
    const check = (): void => {
      if (NAME_TAKEN.test(monitor.log())) finish();
    };
    const timer = setTimeout(
      () => finish(new Error(`gnome-keyring-daemon did not take ${SECRETS_NAME} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    monitor.child.stdout?.on('data', check);
    void keyring.exited.then(() =>
      finish(new Error(`gnome-keyring-daemon exited before taking ${SECRETS_NAME} (code ${keyring.child.exitCode})`)),
    );
    check();
  });
}

async function dbusSend(address: string, method: string, ...args: string[]): Promise<{ stdout: string }> {
  return run(peerPath('dbus-send'), [`--bus=${address}`, '--print-reply', `--dest=${SECRETS_NAME}`, SECRETS_PATH, method, ...args], {
    encoding: 'utf8',
  });
}

/** The collection behind the "default" alias; fails clearly if there is none (a client would then need a prompt). */
async function defaultCollection(address: string): Promise<string> {
  const { stdout } = await dbusSend(address, 'org.freedesktop.Secret.Service.ReadAlias', 'string:default');
  const path = /object path "([^"]+)"/.exec(stdout)?.[1];
  if (!path || path === '/') throw new Error(`gnome-keyring has no default collection, so storing a secret would need a prompt:\n${stdout}`);
  return path;
}
