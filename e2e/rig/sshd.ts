import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startDaemon, withFreePort, type Daemon } from './daemon';
import { generateHostKey, type HostKeyFiles, type HostKeyType } from './hostKeyStock';
import { peerPath, peersAvailable, rootAvailable } from './peers';
import { descendantPids, parentPid } from './procfs';
import { askRig, RIG_HOLDER, rigBrokerUrl } from './sharedRig';
import { waitForValue } from './waitFor';

export type { HostKeyType };

export interface HostKey {
  type: HostKeyType;
  /** authorized_keys-style line: '<alg> <base64>' */
  publicKey: string;
  /** 'SHA256:...' as ssh-keygen -l prints it */
  fingerprint: string;
}

export interface SshdOptions {
  /** Public key lines allowed to log in (authorized_keys). */
  authorizedKeys: string[];
  hostKeyTypes?: HostKeyType[];
  /** Extra sshd_config lines, e.g. 'PermitOpen 127.0.0.1:1'; they win over the rig's own (e.g. 'LogLevel DEBUG1'). */
  extraConfig?: string[];
  /**
   * Names only this sshd resolves (name -> address), as a jump box resolves RDS
   * endpoints through its VPC's DNS while the user's laptop cannot. sshd runs in
   * a private mount namespace whose /etc/hosts is a copy of the real one plus
   * these entries; the rest of the machine never sees them. Needs root and
   * `unshare`: check privateHostsAvailable() first.
   */
  hosts?: Record<string, string>;
}

/**
 * Whether SshdOptions.hosts can work here (root, unshare and mount); otherwise
 * one line says why and the caller skips (a failure in CI, like a missing peer).
 */
export function privateHostsAvailable(): boolean {
  return peersAvailable('unshare', 'mount') && rootAvailable("sshd with its own /etc/hosts (a private mount namespace, SshdOptions.hosts)");
}

/** Fingerprint of an OpenSSH public key line, the way ssh-keygen -l computes it. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A real OpenSSH sshd on 127.0.0.1 with its own host keys and authorized_keys,
 * TCP forwarding allowed. Tests kill, freeze and restart it to model a jump box
 * going away; `restart()` keeps the same port and host keys unless told otherwise.
 */
export class SshdPeer {
  readonly host = '127.0.0.1';
  readonly user = userInfo().username;
  readonly dir: string;
  port = 0;
  hostKeys: HostKey[] = [];
  private daemon: Daemon | undefined;
  private readonly options: Required<Omit<SshdOptions, 'hosts'>> & Pick<SshdOptions, 'hosts'>;

  private constructor(options: SshdOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'jumpgate-sshd-'));
    this.options = { hostKeyTypes: ['ed25519', 'rsa'], extraConfig: [], ...options };
  }

  static async start(options: SshdOptions): Promise<SshdPeer> {
    const peer = new SshdPeer(options);
    try {
      await peer.generateHostKeys();
      writeFileSync(join(peer.dir, 'authorized_keys'), options.authorizedKeys.join('\n') + '\n', { mode: 0o600 });
      await withFreePort(async (port) => {
        peer.port = port;
        await peer.launch();
      });
      return peer;
    } catch (error) {
      await peer.dispose();
      throw error;
    }
  }

  get pid(): number {
    return this.daemon?.pid ?? -1;
  }

  get running(): boolean {
    return this.daemon !== undefined && this.daemon.child.exitCode === null && this.daemon.child.signalCode === null;
  }

  /** What sshd has logged since it last started (stderr, `LogLevel VERBOSE` unless extraConfig sets another). */
  log(): string {
    return this.daemon?.log() ?? '';
  }

  /**
   * Resolves with the log once it matches `pattern`: sshd writes from its per-connection
   * processes, so a line about a login may come after the client has its answer.
   */
  untilLogged(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const child = this.daemon?.child;
    return waitForValue(
      () => this.log(),
      (listener) => {
        const onData = (): void => listener(this.log());
        child?.stdout?.on('data', onData);
        child?.stderr?.on('data', onData);
        return () => {
          child?.stdout?.off('data', onData);
          child?.stderr?.off('data', onData);
        };
      },
      (log) => pattern.test(log),
      { timeoutMs, what: `sshd to log ${pattern}` },
    );
  }

  /** Per-connection sshd processes (the privileged monitor and its unprivileged child). */
  sessionPids(): number[] {
    return this.daemon ? descendantPids(this.daemon.pid) : [];
  }

  /** Count of client connections sshd is serving: one monitor process each. */
  connectionCount(): number {
    if (!this.daemon) return 0;
    const main = this.daemon.pid;
    return this.sessionPids().filter((pid) => parentPid(pid) === main).length;
  }

  /**
   * More names only this jump box resolves, for endpoints that exist only once
   * a test has made them (moto names a restored cluster's endpoint at random).
   * The file is appended in place: the bind mount keeps pointing at the same
   * inode, and each new session reads /etc/hosts afresh.
   */
  addHosts(hosts: Record<string, string>): void {
    if (!this.options.hosts) throw new Error('addHosts needs an sshd started with SshdOptions.hosts');
    appendFileSync(this.hostsPath(), hostsLines(hosts));
  }

  /**
   * What the jump box's administrator does with the public key line a user sent: add it to
   * authorized_keys. sshd reads the file at each login, so it works without a restart.
   */
  authorize(publicKeyLine: string): void {
    const line = publicKeyLine.trim();
    if (!/^\S+ [A-Za-z0-9+/=]+( .*)?$/.test(line)) throw new Error('not one public key line');
    appendFileSync(join(this.dir, 'authorized_keys'), `${line}\n`);
  }

  private hostsPath(): string {
    return join(this.dir, 'hosts');
  }

  /** Kill every session process: the TCP connection drops, the listener stays. */
  killSessions(): void {
    for (const pid of this.sessionPids()) signal(pid, 'SIGKILL');
  }

  /** Freeze the listener and its sessions: packets go unanswered, like a silent network loss. */
  freeze(): void {
    for (const pid of [this.pid, ...this.sessionPids()]) signal(pid, 'SIGSTOP');
  }

  thaw(): void {
    for (const pid of [this.pid, ...this.sessionPids()]) signal(pid, 'SIGCONT');
  }

  /** Stop sshd and all its sessions: the port is closed (connection refused). */
  async stop(): Promise<void> {
    if (!this.daemon) return;
    const sessions = this.sessionPids();
    const daemon = this.daemon;
    this.daemon = undefined;
    for (const pid of sessions) signal(pid, 'SIGCONT');
    signal(daemon.pid, 'SIGCONT');
    for (const pid of sessions) signal(pid, 'SIGKILL');
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }

  /** Start again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** New host keys (a different machine answering on the same address). Takes effect on restart. */
  async regenerateHostKeys(): Promise<void> {
    await this.generateHostKeys();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async generateHostKeys(): Promise<void> {
    this.hostKeys = [];
    for (const type of this.options.hostKeyTypes) {
      const path = join(this.dir, `ssh_host_${type}_key`);
      rmSync(path, { force: true });
      rmSync(`${path}.pub`, { force: true });
      if (rigBrokerUrl()) {
        // From the run's stock: a key this file has not had yet (see HostKeyStock).
        const files = await askRig<HostKeyFiles>(`hostkey/${type}/${RIG_HOLDER}`);
        writeFileSync(path, files.privateKey, { mode: 0o600 });
        writeFileSync(`${path}.pub`, files.publicKey);
      } else {
        await generateHostKey(type, path);
      }
      const publicKey = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      this.hostKeys.push({ type, publicKey, fingerprint: fingerprintOf(publicKey) });
    }
  }

  private async launch(): Promise<void> {
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    // sshd keeps the first value it reads for a keyword: a test's own lines come first to override the rig's.
    const config = [
      ...this.options.extraConfig,
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      ...this.options.hostKeyTypes.map((type) => `HostKey ${join(this.dir, `ssh_host_${type}_key`)}`),
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin yes',
      'AllowTcpForwarding yes',
      'AllowAgentForwarding no',
      'X11Forwarding no',
      // Many test connections arrive at once (pool tests, ProxyJump): do not drop them.
      'MaxStartups 200:30:400',
      'LogLevel VERBOSE',
    ];
    const configPath = join(this.dir, 'sshd_config');
    writeFileSync(configPath, config.join('\n') + '\n');
    const sshdArgs = ['-D', '-e', '-f', configPath];
    const [command, args] = this.options.hosts ? this.inPrivateHosts(this.options.hosts, sshdArgs) : [peerPath('sshd'), sshdArgs];
    this.daemon = await startDaemon(command, args, {
      ready: /Server listening on 127\.0\.0\.1 port \d+/,
      failure: /fatal|Bad configuration|terminating|mount: /i,
    });
  }

  /**
   * sshd behind `unshare --mount`, with a temp copy of /etc/hosts plus `hosts`
   * bind-mounted over /etc/hosts in that namespace only. unshare (no --fork) and
   * the shell both exec, so the daemon's PID is sshd's own: stop, freeze and the
   * session bookkeeping above work unchanged.
   */
  private inPrivateHosts(hosts: Record<string, string>, sshdArgs: string[]): [string, string[]] {
    if (process.getuid?.() !== 0) throw new Error('SshdOptions.hosts needs root (a private mount namespace); check privateHostsAvailable() first');
    const hostsPath = this.hostsPath();
    writeFileSync(hostsPath, `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n# jumpgate test rig: names only this jump box resolves\n${hostsLines(hosts)}`);
    // Paths travel as positional parameters, never spliced into the script.
    const script = 'mount="$1" hosts="$2" sshd="$3"; shift 3; "$mount" --bind "$hosts" /etc/hosts && exec "$sshd" "$@"';
    return [peerPath('unshare'), ['--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', peerPath('mount'), hostsPath, peerPath('sshd'), ...sshdArgs]];
  }
}

/** /etc/hosts lines for name -> address, each checked so nothing but an entry reaches the file. */
function hostsLines(hosts: Record<string, string>): string {
  return Object.entries(hosts)
    .map(([name, address]) => {
      if (!/^[A-Za-z0-9.-]+$/.test(name) || !/^[0-9a-fA-F.:]+$/.test(address)) throw new Error(`not a hosts entry: ${address} ${name}`);
      return `${address} ${name}\n`;
    })
    .join('');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone: nothing to do.
  }
}
