import { accessSync, constants, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real programs the tests talk to, by absolute path, with the Debian package
 * that provides each. Absolute paths: sshd refuses to start otherwise, and a
 * test must never pick up a different binary from a developer's PATH.
 */
/** Debian installs PostgreSQL under a versioned directory; use the newest present. */
function postgresBin(): string {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((entry) => /^\d+$/.test(entry));
  } catch {
    // not installed: the path below will be reported missing
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0] ?? '15';
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** moto (the AWS API emulator) lives in a venv that .ci/run creates under the repo's .cache/. */
export const MOTO_VENV = fileURLToPath(new URL('../../.cache/moto-venv', import.meta.url));

export const PEERS: Record<string, { path: string; pkg: string; install?: string }> = {
  sshd: { path: '/usr/sbin/sshd', pkg: 'openssh-server' },
  'ssh-keygen': { path: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
  ssh: { path: '/usr/bin/ssh', pkg: 'openssh-client' },
  puttygen: { path: '/usr/bin/puttygen', pkg: 'putty-tools' },
  mariadbd: { path: '/usr/sbin/mariadbd', pkg: 'mariadb-server' },
  'mariadb-install-db': { path: '/usr/bin/mariadb-install-db', pkg: 'mariadb-server' },
  postgres: { path: `${postgresBin()}/postgres`, pkg: 'postgresql' },
  initdb: { path: `${postgresBin()}/initdb`, pkg: 'postgresql' },
  psql: { path: `${postgresBin()}/psql`, pkg: 'postgresql-client' },
  mariadb: { path: '/usr/bin/mariadb', pkg: 'mariadb-client' },
  'ssh-agent': { path: '/usr/bin/ssh-agent', pkg: 'openssh-client' },
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl' },
  chromium: { path: '/usr/bin/chromium', pkg: 'chromium' },
  // A display for Electron on a Linux box without one (CI).
  Xvfb: { path: '/usr/bin/Xvfb', pkg: 'xvfb' },
  // The OS keychain: gnome-keyring's Secret Service on a private session bus.
  'dbus-daemon': { path: '/usr/bin/dbus-daemon', pkg: 'dbus' },
  'dbus-monitor': { path: '/usr/bin/dbus-monitor', pkg: 'dbus' },
  'dbus-send': { path: '/usr/bin/dbus-send', pkg: 'dbus' },
  'gnome-keyring-daemon': { path: '/usr/bin/gnome-keyring-daemon', pkg: 'gnome-keyring' },
  'secret-tool': { path: '/usr/bin/secret-tool', pkg: 'libsecret-tools' },
  moto_server: {
    path: `${MOTO_VENV}/bin/moto_server`,
    pkg: 'moto[server]',
    install: `python3 -m venv ${MOTO_VENV} && ${MOTO_VENV}/bin/pip install 'moto[server]==5.2.5'`,
  },
  'ssh-add': { path: '/usr/bin/ssh-add', pkg: 'openssh-client' },
  // A private mount namespace for sshd's own /etc/hosts (SshdOptions.hosts): the jump box resolves RDS names.
  unshare: { path: '/usr/bin/unshare', pkg: 'util-linux' },
  mount: { path: '/usr/bin/mount', pkg: 'mount' },
  // The same lsof macOS ships: its -F field output is what the macOS port-holder lookup parses.
  lsof: { path: '/usr/bin/lsof', pkg: 'lsof' },
  // A pseudo-terminal for a CLI test about a question asked on a terminal (script -qec runs the command on one).
  script: { path: '/usr/bin/script', pkg: 'bsdutils' },
};

export type PeerName =
  | 'sshd' | 'ssh-keygen' | 'ssh' | 'puttygen' | 'mariadbd' | 'mariadb-install-db' | 'postgres' | 'initdb'
  | 'ssh-agent' | 'ssh-add' | 'openssl' | 'dbus-daemon' | 'dbus-monitor' | 'dbus-send' | 'gnome-keyring-daemon'
  | 'secret-tool' | 'moto_server' | 'psql' | 'mariadb' | 'chromium' | 'Xvfb' | 'unshare' | 'mount' | 'lsof' | 'script';

function present(name: PeerName): boolean {
  try {
    accessSync(peerPath(name), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const reported = new Set<string>();

/**
 * Whether every named peer is installed. In CI a missing peer is a failure
 * (throws); elsewhere the caller skips and one line says what to install.
 */
export function peersAvailable(...names: PeerName[]): boolean {
  const missing = names.filter((name) => !present(name));
  if (missing.length === 0) return true;
  const apt = [...new Set(missing.filter((name) => !PEERS[name]?.install).map((name) => PEERS[name]?.pkg))];
  const other = missing.map((name) => PEERS[name]?.install).filter((command): command is string => Boolean(command));
  const how = [...(apt.length > 0 ? [`apt-get install ${apt.join(' ')}`] : []), ...other].join('; ');
  const line = `test peers missing: ${missing.join(', ')} -> ${how} (or run .ci/run)`;
  if (process.env.CI === 'true') throw new Error(`CI requires every test peer; ${line}`);
  if (!reported.has(line)) {
    reported.add(line);
    console.warn(`SKIP ${line}`);
  }
  return false;
}

/**
 * Whether this process runs as root, for rig features that need it (a private
 * mount namespace, say). Like a missing peer: a failure in CI, elsewhere a skip
 * with one line naming `what` needs it.
 */
export function rootAvailable(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  const line = `${what} needs root -> run the tests as root (as CI does)`;
  if (process.env.CI === 'true') throw new Error(`CI requires root here; ${line}`);
  if (!reported.has(line)) {
    reported.add(line);
    console.warn(`SKIP ${line}`);
  }
  return false;
}

export function peerPath(name: PeerName): string {
  const peer = PEERS[name];
  if (!peer) throw new Error(`unknown test peer ${name}`);
  return peer.path;
}
