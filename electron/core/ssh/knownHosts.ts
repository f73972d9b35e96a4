import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { platformFilePrivacy, type FilePrivacy } from '../files/filePrivacy';

/** A host key as the server presents it: the SSH wire blob. */
export interface HostKey {
  /** e.g. 'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256' */
  type: string;
  blob: Buffer;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'mismatch';

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

/** Trusted, never seen, or different from what was pinned (refuse: possible interception). */
export function judgeHostKey(pinned: readonly HostKey[], presented: HostKey): HostKeyVerdict {
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

/**
 * Pinned host keys in OpenSSH known_hosts format, so users can inspect the file
 * with the tools they know. Writes are atomic (temp file, fsync, rename).
 */
export class KnownHostsStore {
  constructor(
    readonly path: string,
    /** Keeps the file the user's alone (an access list on Windows); the platform's unless a test injects one. */
    private readonly privacy: FilePrivacy = platformFilePrivacy(),
  ) {}

  async keysFor(host: string, port: number): Promise<HostKey[]> {
    const name = knownHostsName(host, port);
    const keys: HostKey[] = [];
    for (const line of await this.lines()) {
      const parsed = parseLine(line);
      if (!parsed || !matchesHostField(parsed.hosts, name)) continue;
      keys.push({ type: parsed.type, blob: parsed.blob });
    }
    return keys;
  }

  /**
   * Pin `key` for host:port. With `replace`, earlier keys for the same name are
   * removed first: used only after the user has explicitly accepted a changed key.
   */
  async pin(host: string, port: number, key: HostKey, options: { replace?: boolean } = {}): Promise<void> {
    const name = knownHostsName(host, port);
    const kept = (await this.lines()).filter((line) => {
      if (!options.replace) return true;
      const parsed = parseLine(line);
      return !parsed || !matchesHostField(parsed.hosts, name);
    });
    const already = kept.some((line) => {
      const parsed = parseLine(line);
      return parsed !== undefined && matchesHostField(parsed.hosts, name) && parsed.blob.equals(key.blob);
    });
    if (!already) kept.push(`${name} ${key.type} ${key.blob.toString('base64')}`);
    await this.write(kept);
  }

  private async lines(): Promise<string[]> {
    try {
      return (await readFile(this.path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async write(lines: string[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(lines.join('\n') + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.privacy.restrict(temp);
    await rename(temp, this.path);
  }
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
