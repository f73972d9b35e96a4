import { accessSync, constants, readdirSync } from 'node:fs';

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

export const PEERS = {
  sshd: { path: '/usr/sbin/sshd', pkg: 'openssh-server' },
  'ssh-keygen': { path: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
  ssh: { path: '/usr/bin/ssh', pkg: 'openssh-client' },
  puttygen: { path: '/usr/bin/puttygen', pkg: 'putty-tools' },
  mariadbd: { path: '/usr/sbin/mariadbd', pkg: 'mariadb-server' },
  'mariadb-install-db': { path: '/usr/bin/mariadb-install-db', pkg: 'mariadb-server' },
  postgres: { path: `${postgresBin()}/postgres`, pkg: 'postgresql' },
  initdb: { path: `${postgresBin()}/initdb`, pkg: 'postgresql' },
  'ssh-agent': { path: '/usr/bin/ssh-agent', pkg: 'openssh-client' },
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl' },
  // The OS keychain: gnome-keyring's Secret Service on a private session bus.
  'dbus-daemon': { path: '/usr/bin/dbus-daemon', pkg: 'dbus' },
  'dbus-monitor': { path: '/usr/bin/dbus-monitor', pkg: 'dbus' },
  'dbus-send': { path: '/usr/bin/dbus-send', pkg: 'dbus' },
  'gnome-keyring-daemon': { path: '/usr/bin/gnome-keyring-daemon', pkg: 'gnome-keyring' },
  'secret-tool': { path: '/usr/bin/secret-tool', pkg: 'libsecret-tools' },
  'ssh-add': { path: '/usr/bin/ssh-add', pkg: 'openssh-client' },
} as const;

export type PeerName = keyof typeof PEERS;

function present(name: PeerName): boolean {
  try {
    accessSync(PEERS[name].path, constants.X_OK);
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
  const packages = [...new Set(missing.map((name) => PEERS[name].pkg))].join(' ');
  const line = `test peers missing: ${missing.join(', ')} -> apt-get install ${packages} (or run .ci/run)`;
  if (process.env.CI === 'true') throw new Error(`CI requires every test peer; ${line}`);
  if (!reported.has(line)) {
    reported.add(line);
    console.warn(`SKIP ${line}`);
  }
  return false;
}

export function peerPath(name: PeerName): string {
  return PEERS[name].path;
}
