import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { peerPath } from './peers';

/**
 * Real key files made by the real generators (PuTTYgen, ssh-keygen, openssl),
 * so loader tests check our reading against the tools users actually run, and
 * tunnel tests get keys sshd accepts. Every call writes into a directory the
 * caller created (mkdtemp) and removes.
 *
 * Generators are run with execFile, never a shell: passphrases and comments
 * are arguments or files, not command text.
 */

const run = promisify(execFile);

export type RigKeyType = 'rsa' | 'ed25519' | 'ecdsa' | 'dsa';

export interface RigKey {
  privatePath: string;
  /** The generator's own OpenSSH public key line: '<type> <base64> <comment>'. */
  publicKey: string;
  /** A file holding `publicKey`, for `ssh-keygen -lf`. */
  publicPath: string;
  comment: string;
  passphrase: string | undefined;
}

export interface PuttyKeyOptions {
  type: RigKeyType;
  bits?: number;
  ppkVersion: 2 | 3;
  passphrase?: string;
  comment?: string;
  /** Extra `--ppk-param` settings for v3, e.g. 'kdf=argon2i,passes=2'. */
  ppkParams?: string;
}

export interface OpenSshKeyOptions {
  type: RigKeyType;
  bits?: number;
  format: 'openssh' | 'pem' | 'pkcs8';
  passphrase?: string;
  comment?: string;
  /** bcrypt KDF rounds (-a) for encrypted OpenSSH-format keys; ssh-keygen's default is 16. */
  rounds?: number;
}

let serial = 0;

/** A fresh file stem in `dir`; names say what the key is, which helps when a test fails. */
function stem(dir: string, label: string): string {
  serial += 1;
  return join(dir, `${label}-${process.pid}-${serial}`);
}

/** Default sizes kept small where the type allows it: key generation dominates these tests' run time. */
function defaultBits(type: RigKeyType): number | undefined {
  switch (type) {
    case 'rsa':
      return 2048;
    case 'ecdsa':
      return 256;
    case 'dsa':
      return 1024;
    default:
      return undefined;
  }
}

async function writeSecretFile(path: string, content: string): Promise<void> {
  // No trailing newline: puttygen would take it as part of the passphrase.
  await writeFile(path, content, { mode: 0o600 });
}

/** Makes a PuTTY .ppk with `/usr/bin/puttygen` and returns it with PuTTYgen's own OpenSSH public key line. */
export async function makePuttyKey(dir: string, options: PuttyKeyOptions): Promise<RigKey> {
  const bits = options.bits ?? defaultBits(options.type);
  const comment = options.comment ?? `rig-ppk${options.ppkVersion}-${options.type}${bits ? `-${bits}` : ''}`;
  const base = stem(dir, `ppk${options.ppkVersion}-${options.type}${options.passphrase ? '-enc' : ''}`);
  const privatePath = `${base}.ppk`;
  const publicPath = `${base}.pub`;
  const passFile = `${base}.pass`;
  // puttygen asks on the terminal unless given a file; an empty file means "no passphrase".
  await writeSecretFile(passFile, options.passphrase ?? '');
  try {
    const ppkParams = [`version=${options.ppkVersion}`, ...(options.ppkParams ? [options.ppkParams] : [])].join(',');
    await run(peerPath('puttygen'), [
      '-t',
      options.type,
      ...(bits ? ['-b', String(bits)] : []),
      '-C',
      comment,
      '-q',
      '--new-passphrase',
      passFile,
      '--ppk-param',
      ppkParams,
      '-o',
      privatePath,
    ]);
    await run(peerPath('puttygen'), [privatePath, '--old-passphrase', passFile, '-O', 'public-openssh', '-o', publicPath]);
  } finally {
    await rm(passFile, { force: true });
  }
  const publicKey = (await readFile(publicPath, 'utf8')).trim();
  return { privatePath, publicKey, publicPath, comment, passphrase: options.passphrase };
}

const SSH_KEYGEN_FORMAT = { openssh: 'RFC4716', pem: 'PEM', pkcs8: 'PKCS8' } as const;

const EXPECTED_FIRST_LINE = {
  openssh: /^-----BEGIN OPENSSH PRIVATE KEY-----$/,
  pem: /^-----BEGIN (?:RSA|EC|DSA) PRIVATE KEY-----$/,
  pkcs8: /^-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----$/,
} as const;

/**
 * Makes a key with `/usr/bin/ssh-keygen` in the requested container format.
 * ssh-keygen quietly falls back to the OpenSSH format for types it cannot write
 * as PEM/PKCS#8 (Ed25519); that would make a test check the wrong thing, so it
 * is an error here. Note ssh-keygen refuses passphrases shorter than 5 characters.
 */
export async function makeOpenSshKey(dir: string, options: OpenSshKeyOptions): Promise<RigKey> {
  const bits = options.bits ?? defaultBits(options.type);
  const comment = options.comment ?? `rig-${options.format}-${options.type}${bits ? `-${bits}` : ''}`;
  const privatePath = stem(dir, `${options.format}-${options.type}${options.passphrase ? '-enc' : ''}`);
  await run(peerPath('ssh-keygen'), [
    '-q',
    '-t',
    options.type,
    ...(bits ? ['-b', String(bits)] : []),
    '-m',
    SSH_KEYGEN_FORMAT[options.format],
    '-N',
    options.passphrase ?? '',
    ...(options.rounds ? ['-a', String(options.rounds)] : []),
    '-C',
    comment,
    '-f',
    privatePath,
  ]);
  const firstLine = (await readFile(privatePath, 'latin1')).split('\n')[0] ?? '';
  if (!EXPECTED_FIRST_LINE[options.format].test(firstLine)) {
    throw new Error(`ssh-keygen cannot write a ${options.type} key as ${options.format}; it wrote "${firstLine}"`);
  }
  const publicPath = `${privatePath}.pub`;
  const publicKey = (await readFile(publicPath, 'utf8')).trim();
  return { privatePath, publicKey, publicPath, comment, passphrase: options.passphrase };
}

function sshString(value: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length, 0);
  return Buffer.concat([length, value]);
}

/**
 * An Ed25519 PKCS#8 key from `openssl genpkey`: ssh-keygen cannot write
 * Ed25519 as PKCS#8, and users do bring such keys (cloud consoles, openssl).
 * The expected public line is built from openssl's own public key output.
 */
export async function makeOpenSslEd25519Key(dir: string, options: { passphrase?: string; comment?: string } = {}): Promise<RigKey> {
  const comment = options.comment ?? 'rig-openssl-ed25519';
  const base = stem(dir, `openssl-ed25519${options.passphrase ? '-enc' : ''}`);
  const privatePath = `${base}.pem`;
  const publicPath = `${base}.pub`;
  const passFile = `${base}.pass`;
  await writeSecretFile(passFile, options.passphrase ?? '');
  try {
    const encrypt = options.passphrase ? ['-aes-256-cbc', '-pass', `file:${passFile}`] : [];
    await run(peerPath('openssl'), ['genpkey', '-algorithm', 'ed25519', ...encrypt, '-out', privatePath]);
    const passIn = options.passphrase ? ['-passin', `file:${passFile}`] : [];
    const { stdout } = await run(peerPath('openssl'), ['pkey', '-in', privatePath, ...passIn, '-pubout', '-outform', 'DER'], {
      encoding: 'buffer',
    });
    // SubjectPublicKeyInfo for Ed25519 ends with the 32-byte raw public key (RFC 8410).
    const raw = stdout.subarray(stdout.length - 32);
    const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
    const publicKey = `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
    await writeFile(publicPath, `${publicKey}\n`);
    return { privatePath, publicKey, publicPath, comment, passphrase: options.passphrase };
  } finally {
    await rm(passFile, { force: true });
  }
}

/** `ssh-keygen -lf` on a public key file: the 'SHA256:...' field, as users see it. */
export async function sshKeygenFingerprint(publicPath: string): Promise<string> {
  const { stdout } = await run(peerPath('ssh-keygen'), ['-l', '-E', 'sha256', '-f', publicPath]);
  const field = stdout.trim().split(/\s+/)[1];
  if (field === undefined || !field.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return field;
}

/**
 * A key pair from ssh2's own generator whose public half parses. ssh2 over-strips a leading zero
 * byte from about one ed25519 public key in 256 (mscdex/ssh2#1390), a key no server would send:
 * a test making twenty keys at once then met one about every seventh run. Redrawn until it parses.
 */
export function parsableKeyPair(type: 'ed25519' | 'rsa' | 'ecdsa', options: { bits?: number; comment?: string } = {}): { public: string; private: string } {
  for (let draw = 0; draw < 64; draw++) {
    const pair = type === 'ed25519' ? ssh2.utils.generateKeyPairSync('ed25519', options) : ssh2.utils.generateKeyPairSync(type, { bits: options.bits ?? (type === 'rsa' ? 1024 : 256), comment: options.comment });
    if (!(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error(`ssh2 drew 64 unparsable ${type} public keys in a row`);
}
