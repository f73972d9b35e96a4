/**
 * Reader for PuTTY private key files (.ppk), format versions 2 and 3, as
 * documented in the PuTTY manual, appendix C "PPK file format":
 * https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html
 *
 * ssh2 reads only PPK v2 RSA/DSA keys itself, so every PPK goes through here
 * and comes out as KeyMaterial that keyLoader re-encodes as an OpenSSH key.
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { JumpgateError } from '../../../shared/model/errors';
import { deriveOffThread } from './kdfWorker';
import { ECDSA_CURVES, SshReader, SshWireError, SshWriter, ecdsaCurveOf, stripLeadingZeros } from './sshWire';
import type { KeyMaterial } from './sshWire';

export type PpkVersion = 2 | 3;
type Argon2Flavour = 'Argon2id' | 'Argon2i' | 'Argon2d';

interface Argon2Params {
  flavour: Argon2Flavour;
  /** KiB */
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
}

/** The outer, text layer of a .ppk file, before any decryption. */
export interface PpkContainer {
  version: PpkVersion;
  algorithm: string;
  encryption: 'none' | 'aes256-cbc';
  /** Raw bytes: the MAC covers the bytes, and PuTTY does not promise an encoding. */
  comment: Buffer;
  publicBlob: Buffer;
  /** Ciphertext when encrypted. */
  privateData: Buffer;
  mac: Buffer;
  argon2: Argon2Params | undefined;
}

export interface PpkKey {
  version: PpkVersion;
  comment: string;
  material: KeyMaterial;
}

/*
 * Limits on what a file may ask of us. A .ppk is user-supplied: without caps a
 * crafted Argon2-Memory or Argon2-Passes line would freeze or exhaust the app
 * (issue #17: 1 GiB x 3 passes took 7 s and left 1.1 GiB resident).
 * PuTTYgen 0.78 writes Argon2id, 8192 KiB, passes calibrated to ~100 ms (21 on
 * this machine), parallelism 1. The bounds leave 32x headroom on memory and
 * about 24x on memory x passes (a key made with `--ppk-param time=2000` still
 * loads); above them the key is refused with the numbers, before any Argon2 runs.
 */
const MAX_LINES = 4096;
export const MAX_ARGON2_MEMORY_KIB = 256 * 1024;
/** KiB x passes: 4 GiB worth of passes over memory, about 10 s with hash-wasm on this machine. */
export const MAX_ARGON2_MEMORY_TIMES_PASSES = 4 * 1024 * 1024;
const MAX_ARGON2_PARALLELISM = 64;

const HEADER = /^PuTTY-User-Key-File-(\d+): (.*)$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The PPK version if the data starts like a .ppk (any version), else undefined. */
export function sniffPpkVersion(text: string): number | undefined {
  const match = /^\s*PuTTY-User-Key-File-(\d+):/.exec(text);
  return match ? Number(match[1]) : undefined;
}

class PpkProblem extends Error {}

/** Line cursor over the file; CRLF, CR and LF all end a line (PuTTY accepts all three). */
class Lines {
  private index = 0;
  private readonly lines: string[];

  constructor(text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
  }

  /** The next line, or undefined at the end of the file. */
  take(): string | undefined {
    const line = this.lines[this.index];
    // split() leaves one empty string after a final newline; that is not a line.
    if (line === undefined || (line === '' && this.index === this.lines.length - 1)) return undefined;
    this.index++;
    return line;
  }

  next(what: string): string {
    const line = this.take();
    if (line === undefined) throw new PpkProblem(`it ends before its ${what} (the file is truncated)`);
    return line;
  }

  /** Reads `Key: value`, requiring the key; PuTTY writes the headers in a fixed order. */
  field(key: string): string {
    const line = this.next(`${key} line`);
    const prefix = `${key}: `;
    if (!line.startsWith(prefix)) {
      // A half-written last line is truncation, not a misplaced header.
      if (this.take() === undefined) throw new PpkProblem(`it ends inside its ${key} line (the file is truncated)`);
      throw new PpkProblem(`its ${key} line is missing or out of place`);
    }
    return line.slice(prefix.length);
  }

  peekKey(): string | undefined {
    const line = this.lines[this.index];
    if (line === undefined) return undefined;
    const colon = line.indexOf(':');
    return colon < 0 ? undefined : line.slice(0, colon);
  }

  base64Block(key: 'Public-Lines' | 'Private-Lines'): Buffer {
    const count = decimal(this.field(key), key, 1, MAX_LINES);
    let joined = '';
    for (let i = 0; i < count; i++) {
      const line = this.take()?.trim();
      if (line === undefined) throw new PpkProblem(`its ${key} are truncated`);
      // Another header where base64 should be means lines were cut out of the middle.
      if (!BASE64_LINE.test(line) || line === '') {
        throw new PpkProblem(
          line.includes(':') ? `its ${key} are truncated` : `its ${key} are not valid base64`,
        );
      }
      joined += line;
    }
    if (joined.length % 4 !== 0) throw new PpkProblem(`its ${key} are truncated`);
    return Buffer.from(joined, 'base64');
  }
}

function decimal(value: string, key: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value.trim())) throw new PpkProblem(`its ${key} value is not a number`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new PpkProblem(`its ${key} value ${n} is outside the range this app accepts (${min} to ${max})`);
  return n;
}

function hexBytes(value: string, key: string): Buffer {
  const v = value.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(v)) throw new PpkProblem(`its ${key} is not hexadecimal`);
  return Buffer.from(v, 'hex');
}

function unreadable(version: number, detail: string, sourceName: string | undefined, cause?: unknown): JumpgateError {
  const subject = sourceName ?? 'The key';
  return new JumpgateError('KEY_UNREADABLE', `${subject} looks like a PuTTY PPK v${version} file but ${detail}.`, {
    hint: 'Open the key in PuTTYgen to check it, or export it again (Conversions > Export OpenSSH key also works).',
    details: { format: `ppk${version}` },
    cause,
  });
}

/** Parses the text layer. Throws KEY_UNREADABLE naming what is wrong. */
export function parsePpkContainer(data: Buffer, sourceName?: string): PpkContainer {
  // latin1 maps every byte to one code unit, so the comment's bytes survive for the MAC.
  let text = data.toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  text = text.replace(/^\s+/, '');
  const sniffed = sniffPpkVersion(text) ?? 0;
  try {
    const lines = new Lines(text);
    const header = HEADER.exec(lines.next('header'));
    if (!header) throw new PpkProblem('its first line is malformed');
    const version = Number(header[1]);
    if (version === 1) {
      throw new PpkProblem('version 1 is a pre-release format that PuTTY itself no longer reads; convert it with a current PuTTYgen');
    }
    if (version !== 2 && version !== 3) {
      throw new PpkProblem(`version ${version} is newer than this app reads (2 and 3); save it as version 3 in PuTTYgen (Key > Parameters)`);
    }
    const algorithm = header[2]!;
    const encryption = lines.field('Encryption');
    if (encryption !== 'none' && encryption !== 'aes256-cbc') {
      throw new PpkProblem(`it uses the encryption "${sanitize(encryption)}", which this app does not know`);
    }
    const comment = Buffer.from(lines.field('Comment'), 'latin1');
    const publicBlob = lines.base64Block('Public-Lines');

    let argon2: Argon2Params | undefined;
    if (version === 3 && encryption !== 'none') {
      const flavour = lines.field('Key-Derivation');
      if (flavour !== 'Argon2id' && flavour !== 'Argon2i' && flavour !== 'Argon2d') {
        throw new PpkProblem(`its Key-Derivation "${sanitize(flavour)}" is not one this app knows`);
      }
      // Only the format's own limits here: the cost bound is readPpk's, so the public half stays readable.
      const memory = decimal(lines.field('Argon2-Memory'), 'Argon2-Memory', 8, 0xffffffff);
      const passes = decimal(lines.field('Argon2-Passes'), 'Argon2-Passes', 1, 0xffffffff);
      const parallelism = decimal(lines.field('Argon2-Parallelism'), 'Argon2-Parallelism', 1, MAX_ARGON2_PARALLELISM);
      const salt = hexBytes(lines.field('Argon2-Salt'), 'Argon2-Salt');
      // Argon2 itself requires these; catching them here gives a clear message instead of a WASM error.
      if (salt.length < 8) throw new PpkProblem('its Argon2-Salt is shorter than Argon2 allows');
      if (memory < 8 * parallelism) throw new PpkProblem('its Argon2-Memory is too small for its Argon2-Parallelism');
      argon2 = { flavour, memory, passes, parallelism, salt };
    } else if (lines.peekKey() === 'Key-Derivation') {
      throw new PpkProblem('it has Key-Derivation lines where none belong');
    }

    const privateData = lines.base64Block('Private-Lines');
    const macLine = lines.next('Private-MAC line');
    if (!macLine.startsWith('Private-MAC: ')) {
      throw new PpkProblem(
        macLine.startsWith('Private-Hash: ')
          ? 'it uses the old Private-Hash check (PPK v1)'
          : BASE64_LINE.test(macLine.trim())
            ? 'its Private-Lines count does not match the lines that follow'
            : 'its Private-MAC line is missing',
      );
    }
    const macHex = macLine.slice('Private-MAC: '.length).trim();
    const macLength = version === 2 ? 20 : 32;
    if (/^[0-9a-fA-F]*$/.test(macHex) && macHex.length < 2 * macLength && lines.take() === undefined) {
      throw new PpkProblem('its Private-MAC line is cut short (the file is truncated)');
    }
    const mac = hexBytes(macHex, 'Private-MAC');
    if (mac.length !== macLength) throw new PpkProblem(`its Private-MAC has the wrong length for version ${version}`);
    if (encryption !== 'none' && (privateData.length === 0 || privateData.length % 16 !== 0)) {
      throw new PpkProblem('its Private-Lines are truncated (not a whole number of AES blocks)');
    }
    return { version, algorithm, encryption, comment, publicBlob, privateData, mac, argon2 };
  } catch (error) {
    if (error instanceof PpkProblem) throw unreadable(sniffed, error.message, sourceName);
    throw error;
  }
}

/** Removes control characters from a value quoted in a message; these are file headers, never secrets. */
function sanitize(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

/** Whether a .ppk's Encryption header names a cipher. Takes the file decoded as latin1. */
export function isPpkEncrypted(text: string): boolean {
  const match = /^Encryption: (.*?)\r?$/m.exec(text);
  return match !== null && match[1] !== 'none';
}

interface DerivedKeys {
  cipherKey: Buffer;
  iv: Buffer;
  macKey: Buffer;
}

async function deriveKeys(container: PpkContainer, passphrase: Buffer, sourceName: string | undefined): Promise<DerivedKeys> {
  const encrypted = container.encryption !== 'none';
  if (container.version === 2) {
    // Appendix C.5.1: SHA-1 based, IV all zeroes, and the MAC key uses an empty passphrase when unencrypted.
    const pass = encrypted ? passphrase : Buffer.alloc(0);
    const h0 = createHash('sha1').update(Buffer.from([0, 0, 0, 0])).update(pass).digest();
    const h1 = createHash('sha1').update(Buffer.from([0, 0, 0, 1])).update(pass).digest();
    const cipherKey = Buffer.concat([h0, h1]).subarray(0, 32);
    h0.fill(0);
    h1.fill(0);
    const macKey = createHash('sha1').update('putty-private-key-file-mac-key').update(pass).digest();
    return { cipherKey, iv: Buffer.alloc(16), macKey };
  }
  // Version 3 unencrypted: all three pieces have zero length and Argon2 is not run.
  if (!encrypted || container.argon2 === undefined) {
    return { cipherKey: Buffer.alloc(0), iv: Buffer.alloc(0), macKey: Buffer.alloc(0) };
  }
  const { flavour, memory, passes, parallelism, salt } = container.argon2;
  // Off the main thread: hash-wasm runs Argon2 to the end without yielding (issue #17).
  const output = await deriveOffThread(
    { kind: 'argon2', flavour: flavour === 'Argon2id' ? 'argon2id' : flavour === 'Argon2i' ? 'argon2i' : 'argon2d', passphrase, salt, memoryKiB: memory, passes, parallelism, length: 80 },
    { format: 'ppk3', subject: sourceName ?? 'this PuTTY PPK v3 key' },
  );
  const keys = {
    cipherKey: Buffer.from(output.subarray(0, 32)),
    iv: Buffer.from(output.subarray(32, 48)),
    macKey: Buffer.from(output.subarray(48, 80)),
  };
  output.fill(0);
  return keys;
}

/** KEY_KDF_TOO_EXPENSIVE, with the numbers, for Argon2 parameters above the bounds. */
function refuseExpensiveArgon2(argon2: Argon2Params, sourceName: string | undefined): void {
  const { memory, passes } = argon2;
  const cost = memory * passes;
  if (memory <= MAX_ARGON2_MEMORY_KIB && cost <= MAX_ARGON2_MEMORY_TIMES_PASSES) return;
  const subject = sourceName ?? 'This PuTTY PPK v3 key';
  const why =
    memory > MAX_ARGON2_MEMORY_KIB
      ? `Argon2-Memory ${memory} KiB, above the ${MAX_ARGON2_MEMORY_KIB} KiB this app allows`
      : `Argon2-Memory ${memory} KiB x Argon2-Passes ${passes} = ${cost}, above the ${MAX_ARGON2_MEMORY_TIMES_PASSES} this app allows`;
  throw new JumpgateError('KEY_KDF_TOO_EXPENSIVE', `${subject} asks for too much work to unlock: ${why} (PuTTYgen writes 8192 KiB and about 20 passes).`, {
    hint: 'Load the key in PuTTYgen and save it again with the default key derivation parameters (Key > Parameters for saving key files).',
    details: { format: 'ppk3', kdf: 'argon2', memoryKiB: memory, passes, maxMemoryKiB: MAX_ARGON2_MEMORY_KIB, maxMemoryTimesPasses: MAX_ARGON2_MEMORY_TIMES_PASSES },
  });
}

/**
 * Decrypts (when needed), verifies the MAC and decodes the key.
 * Errors: PASSPHRASE_REQUIRED, BAD_PASSPHRASE, KEY_UNREADABLE.
 */
export async function readPpk(data: Buffer, passphrase: string | undefined, sourceName?: string): Promise<PpkKey> {
  const container = parsePpkContainer(data, sourceName);
  const { version } = container;
  const encrypted = container.encryption !== 'none';
  // Before asking for a passphrase: no passphrase makes such a key usable here.
  if (container.argon2 !== undefined) refuseExpensiveArgon2(container.argon2, sourceName);
  if (encrypted && !passphrase) {
    const name = sourceName === undefined ? `This PuTTY PPK v${version} key` : `${sourceName} (PuTTY PPK v${version})`;
    throw new JumpgateError('PASSPHRASE_REQUIRED', `${name} is protected by a passphrase.`, {
      hint: 'Enter the passphrase that was set for this key in PuTTYgen.',
      details: { format: `ppk${version}` },
    });
  }

  const pass = Buffer.from(passphrase ?? '', 'utf8');
  const keys = await deriveKeys(container, pass, sourceName);
  pass.fill(0);
  let plain: Buffer | undefined;
  try {
    if (encrypted) {
      const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
      // PPK pads with random bytes, not PKCS#7, so the cipher must not strip padding.
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(container.privateData), decipher.final()]);
    } else {
      plain = Buffer.from(container.privateData);
    }

    const macInput = new SshWriter()
      .string(container.algorithm)
      .string(container.encryption)
      .string(container.comment)
      .string(container.publicBlob)
      .string(plain)
      .toBuffer();
    const expected = createHmac(version === 2 ? 'sha1' : 'sha256', keys.macKey).update(macInput).digest();
    macInput.fill(0);
    if (!timingSafeEqual(expected, container.mac)) {
      if (encrypted) {
        const name = sourceName === undefined ? `this PuTTY PPK v${version} key` : `${sourceName} (PuTTY PPK v${version})`;
        throw new JumpgateError('BAD_PASSPHRASE', `The passphrase does not unlock ${name}.`, {
          hint: 'Re-enter the passphrase that was set for this key in PuTTYgen (the key passphrase, not your server password).',
          details: { format: `ppk${version}` },
        });
      }
      throw unreadable(version, 'its Private-MAC does not match its contents: the file is damaged or was edited', sourceName);
    }

    try {
      const material = decodeKey(container.algorithm, container.publicBlob, plain);
      return { version, comment: decodeComment(container.comment), material };
    } catch (error) {
      if (error instanceof PpkProblem) throw unreadable(version, error.message, sourceName);
      if (error instanceof SshWireError) throw unreadable(version, 'its key data is malformed', sourceName, error);
      throw error;
    }
  } finally {
    plain?.fill(0);
    keys.cipherKey.fill(0);
    keys.macKey.fill(0);
  }
}

/**
 * The public half of a .ppk, which PuTTY keeps in the clear even in an encrypted file (the
 * Public-Lines and the Comment): readable without the passphrase, as `puttygen -L` does.
 * Unverified: the MAC that binds them to the private half needs the passphrase.
 */
export function readPpkPublicHalf(data: Buffer, sourceName?: string): { version: PpkVersion; algorithm: string; comment: string; publicBlob: Buffer } {
  const container = parsePpkContainer(data, sourceName);
  container.privateData.fill(0);
  return { version: container.version, algorithm: container.algorithm, comment: decodeComment(container.comment), publicBlob: container.publicBlob };
}

/** PuTTYgen writes comments in the system encoding; UTF-8 on anything current, Latin-1 on old Windows. */
function decodeComment(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Appendix C.3: the private blob only holds what the public blob lacks. Trailing bytes are random padding. */
function decodeKey(algorithm: string, publicBlob: Buffer, privateBlob: Buffer): KeyMaterial {
  const pub = new SshReader(publicBlob);
  const priv = new SshReader(privateBlob);
  const blobType = pub.readText();
  if (blobType !== algorithm) throw new PpkProblem('its public key is of a different type than its header says');

  const curve = ecdsaCurveOf(algorithm);
  if (curve !== undefined) {
    const curveName = pub.readText();
    const q = pub.readString();
    const size = ECDSA_CURVES[curve].fieldBytes;
    if (curveName !== curve || q.length !== 1 + 2 * size || q[0] !== 0x04) {
      throw new PpkProblem('its public key is not a valid point on its curve');
    }
    const d = priv.readMpint();
    if (d.length === 0 || d.length > size) throw new PpkProblem('its private key is out of range for its curve');
    return { type: `ecdsa-sha2-${curve}`, curve, q, d };
  }

  switch (algorithm) {
    case 'ssh-rsa': {
      const e = pub.readMpint();
      const n = pub.readMpint();
      const d = priv.readMpint();
      const p = priv.readMpint();
      const q = priv.readMpint();
      const iqmp = priv.readMpint();
      if (n.length === 0 || e.length === 0 || d.length === 0 || p.length === 0 || q.length === 0) {
        throw new PpkProblem('its RSA key has an empty component');
      }
      return { type: 'ssh-rsa', n, e, d, p, q, iqmp };
    }
    case 'ssh-dss': {
      const p = pub.readMpint();
      const q = pub.readMpint();
      const g = pub.readMpint();
      const y = pub.readMpint();
      const x = priv.readMpint();
      if (x.length === 0) throw new PpkProblem('its DSA private key is empty');
      return { type: 'ssh-dss', p, q, g, y, x };
    }
    case 'ssh-ed25519': {
      const publicKey = pub.readString();
      if (publicKey.length !== 32) throw new PpkProblem('its Ed25519 public key has the wrong length');
      // Appendix C.3.4 calls this an mpint, but PuTTY stores the exponent
      // little-endian (its get_mp_le), which makes the bytes the RFC 8032
      // private key itself. A writer that trimmed zero high bytes leaves it
      // short, so pad on the right, which is the little-endian high end.
      const le = priv.readString();
      const significant = stripLeadingZeros(Buffer.from(le).reverse()).reverse();
      if (significant.length > 32) throw new PpkProblem('its Ed25519 private key has the wrong length');
      const seed = Buffer.concat([significant, Buffer.alloc(32 - significant.length)]);
      le.fill(0);
      return { type: 'ssh-ed25519', publicKey, seed };
    }
    case 'ssh-ed448':
      throw new PpkProblem('it holds an Ed448 key, which the SSH library cannot use; make an Ed25519 key instead');
    default:
      throw new PpkProblem(
        algorithm.includes('-cert-')
          ? 'it holds a certificate, which this app does not support yet; load the plain key'
          : `its key type "${sanitize(algorithm)}" is not supported`,
      );
  }
}
