import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JumpgateError } from '../../../shared/model/errors';
import { HOST_KEY_TYPES } from '../../../shared/model/hostKeyTrust';
import { HOST_NAME_PATTERN } from '../../../shared/model/jumpHost';
import { writeFileAtomic } from '../files/atomicFile';
import { platformFilePrivacy, type FilePrivacy } from '../files/filePrivacy';
import { parseKey } from './ssh2Parts';
import { acquireFileLock } from '../profiles/fileLock';

/** A host key as the server presents it: the SSH wire blob. */
export interface HostKey {
  /** e.g. 'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256' */
  type: string;
  blob: Buffer;
}

/** `revoked`: listed `@revoked` for this host in known_hosts, which wins over any pin (as in OpenSSH). */
export type HostKeyVerdict = 'trusted' | 'unknown' | 'mismatch' | 'revoked';

/** What known_hosts says about one host: the keys pinned for it and the keys revoked for it. */
export interface KnownKeys {
  pinned: HostKey[];
  revoked: HostKey[];
}

/** 'SHA256:<base64, no padding>' exactly as `ssh-keygen -l` and OpenSSH's prompts print it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first string inside the blob. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  if (blob.length < 4) throw new Error('host key blob too short');
  const length = blob.readUInt32BE(0);
  if (length > blob.length - 4) throw new Error('host key blob truncated');
  return { type: blob.subarray(4, 4 + length).toString('latin1'), blob };
}

/** The name OpenSSH writes for a host: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Revoked, trusted, never seen, or different from what was pinned (refuse: possible interception). */
export function judgeHostKey(pinned: readonly HostKey[], presented: HostKey, revoked: readonly HostKey[] = []): HostKeyVerdict {
  if (revoked.some((key) => key.blob.equals(presented.blob))) return 'revoked';
  if (pinned.length === 0) return 'unknown';
  return pinned.some((key) => key.blob.equals(presented.blob)) ? 'trusted' : 'mismatch';
}

function matchesHashed(entry: string, name: string): boolean {
  // OpenSSH's HashKnownHosts form: |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const [, magic, salt, hash] = entry.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function matchesHostField(field: string, name: string): boolean {
  if (field.startsWith('|')) return matchesHashed(field, name);
  // Comma-separated names; negations and wildcards are not used for pins we write,
  // and treating them as non-matching is the safe reading.
  return field.split(',').some((candidate) => candidate === name);
}

/** OpenSSH's `*` and `?` wildcards, case-insensitive as host names are. */
function matchesWildcard(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

/**
 * A revocation's host field, read as OpenSSH reads it (wildcards and `!` negation,
 * or a hashed name): here the generous reading is the safe one, since a
 * revocation that fails to match would let the key through.
 */
function matchesRevokedField(field: string, name: string): boolean {
  if (field.startsWith('|')) return matchesHashed(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (matchesWildcard(pattern.slice(1), name)) return false;
    } else if (matchesWildcard(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The wire blob parsed as a public key of the type it names, or undefined. */
function parsesAsKey(type: string, blob: Buffer): boolean {
  const parsed = parseKey(`${type} ${blob.toString('base64')}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key !== undefined && !(key instanceof Error) && key.type === type && key.getPublicSSH().equals(blob);
}

/**
 * Refuse what must never reach the file: a host or port that would write another
 * line or pattern (a newline in the host pinned any key for any host, issue #17),
 * a type we do not negotiate, a blob that is not a key of its type.
 */
function checkPin(host: string, port: number, key: HostKey): void {
  if (typeof host !== 'string' || host.length === 0 || host.length > 253 || !HOST_NAME_PATTERN.test(host)) {
    throw new JumpgateError('BAD_REQUEST', 'That host key was not trusted: the host is not a host name or IP address.', {
      hint: 'Trust the key for the jump box exactly as Jumpgate named it (letters, digits, dots, dashes and colons only).',
      details: { rule: 'host' },
    });
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new JumpgateError('BAD_REQUEST', 'That host key was not trusted: the port is not between 1 and 65535.', {
      hint: 'Trust the key for the jump box\'s SSH port exactly as Jumpgate named it.',
      details: { rule: 'port' },
    });
  }
  if (!(HOST_KEY_TYPES as readonly string[]).includes(key.type) || !parsesAsKey(key.type, key.blob)) {
    throw new JumpgateError('BAD_REQUEST', 'That host key was not trusted: it is not an SSH host key Jumpgate can check.', {
      hint: `Trust the key exactly as Jumpgate presented it (${HOST_KEY_TYPES.join(', ')}).`,
      details: { rule: 'publicKey' },
    });
  }
}

/**
 * One write at a time per file in this process (the lock file orders processes):
 * two pins at once each re-read the file after the other's write, so neither is lost.
 */
const writeQueues = new Map<string, Promise<unknown>>();

function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
  const run = (writeQueues.get(path) ?? Promise.resolve()).then(work);
  const tail = run.catch(() => undefined);
  writeQueues.set(path, tail);
  void tail.then(() => {
    if (writeQueues.get(path) === tail) writeQueues.delete(path);
  });
  return run;
}

/**
 * Pinned host keys in OpenSSH known_hosts format, so users can inspect the file
 * with the tools they know (and add `@revoked` lines, which are honoured). Writes
 * are atomic (unique temp file, fsync, rename) and serialized.
 */
export class KnownHostsStore {
  constructor(
    readonly path: string,
    /** Keeps the file the user's alone (an access list on Windows); the platform's unless a test injects one. */
    private readonly privacy: FilePrivacy = platformFilePrivacy(),
  ) {}

  /** The keys pinned for host:port (revoked or not: judge them with knownFor's `revoked`). */
  async keysFor(host: string, port: number): Promise<HostKey[]> {
    return (await this.knownFor(host, port)).pinned;
  }

  /** The keys pinned for host:port, and the keys `@revoked` lines name for it. */
  async knownFor(host: string, port: number): Promise<KnownKeys> {
    const name = knownHostsName(host, port);
    const known: KnownKeys = { pinned: [], revoked: [] };
    for (const line of await this.lines()) {
      const revoked = parseRevoked(line);
      if (revoked) {
        if (matchesRevokedField(revoked.hosts, name)) known.revoked.push({ type: revoked.type, blob: revoked.blob });
        continue;
      }
      const parsed = parseLine(line);
      if (!parsed || !matchesHostField(parsed.hosts, name)) continue;
      known.pinned.push({ type: parsed.type, blob: parsed.blob });
    }
    return known;
  }

  /**
   * Pin `key` for host:port. With `replace`, earlier keys for the same name are
   * removed first: used only after the user has explicitly accepted a changed key.
   * Refused with BAD_REQUEST for a host, port or key that is not what it claims,
   * and with HOST_KEY_REVOKED for a key known_hosts revokes for this host.
   * Pins run one at a time (in this process and across processes), each re-reading
   * the file, and the file is replaced atomically under a unique temp name.
   */
  async pin(host: string, port: number, key: HostKey, options: { replace?: boolean } = {}): Promise<void> {
    checkPin(host, port, key);
    const name = knownHostsName(host, port);
    await serialized(this.path, async () => {
      const release = await this.lock();
      try {
        const lines = await this.lines();
        const revoked = lines.some((line) => {
          const entry = parseRevoked(line);
          return entry !== undefined && matchesRevokedField(entry.hosts, name) && entry.blob.equals(key.blob);
        });
        if (revoked) {
          const fingerprint = sshFingerprint(key.blob);
          throw new JumpgateError('HOST_KEY_REVOKED', `The ${key.type} key ${fingerprint} is revoked for ${host}:${port} in ${this.path}; it was not trusted.`, {
            hint: 'Do not connect with this key. Ask your administrator for the jump box\'s current host key fingerprint.',
            details: { host, port, keyType: key.type, fingerprint },
          });
        }
        // Another key of the same type pinned for this host is what HOST_KEY_MISMATCH guards: only a
        // trust the user gave after seeing that warning (`replace`) may change it, never a plain one.
        const rival = options.replace
          ? undefined
          : lines.map(parseLine).find((parsed) => parsed !== undefined && parsed.type === key.type && matchesHostField(parsed.hosts, name) && !parsed.blob.equals(key.blob));
        if (rival) {
          throw new JumpgateError('HOST_KEY_MISMATCH', `A different ${key.type} key (${sshFingerprint(rival.blob)}) is pinned for ${host}:${port} in ${this.path}; ${sshFingerprint(key.blob)} was not trusted beside it.`, {
            hint: `Replace the pin only once your administrator confirms the new fingerprint: jumpgate host-key trust <profile> --fingerprint ${sshFingerprint(key.blob)} --replace`,
            details: { host, port, keyType: key.type, fingerprint: sshFingerprint(key.blob), expected: `${rival.type} ${sshFingerprint(rival.blob)}`, publicKey: key.blob.toString('base64'), knownHostsPath: this.path },
          });
        }
        const kept = options.replace ? withoutPinsFor(lines, name).kept : lines;
        const already = kept.some((line) => {
          const parsed = parseLine(line);
          return parsed !== undefined && matchesHostField(parsed.hosts, name) && parsed.blob.equals(key.blob);
        });
        if (!already) kept.push(`${name} ${key.type} ${key.blob.toString('base64')}`);
        await writeFileAtomic(this.path, kept.join('\n') + '\n', undefined, this.privacy);
      } finally {
        await release();
      }
    });
  }

  /**
   * Remove every pin for host:port (plain, in a comma list, or hashed as HashKnownHosts
   * writes it) and answer the keys removed. A line that also names other hosts keeps
   * them; other hosts' lines, comments and `@revoked` lines stay as they were.
   * Serialized and locked as `pin` is; the file is not written when nothing matched.
   */
  async forget(host: string, port: number): Promise<HostKey[]> {
    const name = knownHostsName(host, port);
    return serialized(this.path, async () => {
      const release = await this.lock();
      try {
        const text = await this.text();
        // Blank lines too are the user's: only the host's own entries change.
        const { kept, removed } = withoutPinsFor(text.split('\n'), name);
        if (removed.length > 0) await writeFileAtomic(this.path, kept.join('\n'), undefined, this.privacy);
        return removed;
      } finally {
        await release();
      }
    });
  }

  /** The lock the app and the CLI share for known_hosts, so neither's pin overwrites the other's. */
  private async lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    try {
      return await acquireFileLock(this.path);
    } catch (error) {
      throw new JumpgateError('INTERNAL', 'Another Jumpgate is saving the trusted host keys and did not finish.', {
        hint: `Try again in a moment. If no other Jumpgate is running, remove ${this.path}.lock.`,
        cause: error,
      });
    }
  }

  private async lines(): Promise<string[]> {
    return (await this.text()).split('\n').filter((line) => line.trim() !== '');
  }

  private async text(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }
}

/**
 * The lines without `name`'s pins, and the keys those pins held. A plain host list
 * loses only `name` (`a,[h]:2222 key` -> `a key`), a hashed entry names one host and
 * goes whole; markers (`@revoked`, `@cert-authority`) and comments are never pins.
 */
function withoutPinsFor(lines: readonly string[], name: string): { kept: string[]; removed: HostKey[] } {
  const kept: string[] = [];
  const removed: HostKey[] = [];
  for (const line of lines) {
    const parsed = parseLine(line);
    if (!parsed || !matchesHostField(parsed.hosts, name)) {
      kept.push(line);
      continue;
    }
    removed.push({ type: parsed.type, blob: parsed.blob });
    const others = parsed.hosts.startsWith('|') ? [] : parsed.hosts.split(',').filter((candidate) => candidate !== name);
    if (others.length > 0) kept.push(line.trim().replace(parsed.hosts, others.join(',')));
  }
  return { kept, removed };
}

function parseLine(line: string): { hosts: string; type: string; blob: Buffer } | undefined {
  const trimmed = line.trim();
  // Comments and @cert-authority / @revoked markers are not pins.
  if (trimmed.startsWith('#') || trimmed.startsWith('@')) return undefined;
  const [hosts, type, base64] = trimmed.split(/\s+/);
  if (!hosts || !type || !base64) return undefined;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length === 0) return undefined;
  return { hosts, type, blob };
}

/** An `@revoked <hosts> <type> <base64>` line. */
function parseRevoked(line: string): { hosts: string; type: string; blob: Buffer } | undefined {
  const [marker, ...rest] = line.trim().split(/\s+/);
  if (marker !== '@revoked') return undefined;
  return parseLine(rest.join(' '));
}
