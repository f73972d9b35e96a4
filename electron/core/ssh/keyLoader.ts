/**
 * Loads an SSH private key from any of the formats users bring (OpenSSH, PEM,
 * PKCS#8, PuTTY .ppk v2/v3) and hands back one normalized, unencrypted
 * OpenSSH-format key that ssh2 accepts as `privateKey`.
 *
 * Why normalize instead of passing files through: ssh2 reads OpenSSH keys and
 * old-style PEM, but not PKCS#8, not PPK v3, and PPK v2 only for RSA/DSA
 * (node_modules/ssh2/lib/protocol/keyParser.js). One output format means one
 * code path to test, and the decrypted key never needs its passphrase again.
 *
 * The result lives in memory only. Nothing here writes files or logs.
 */
import { createDecipheriv, createHash, createPrivateKey, getCiphers, randomBytes } from 'node:crypto';
import type { DecipherGCM, JsonWebKey, KeyObject } from 'node:crypto';
import { detailsOf, JumpgateError } from '../../../shared/model/errors';
import { NotReadableFile, readRegularFile } from '../files/boundedRead';
import { expandHome } from '../platform/homePath';
import { deriveOffThread } from './kdfWorker';
import { isPpkEncrypted, readPpk, readPpkPublicHalf, sniffPpkVersion } from './ppk';
import { parseKey } from './ssh2Parts';
import {
  ECDSA_CURVES,
  SshReader,
  SshWriter,
  encodeOpenSshPrivateFields,
  encodePublicBlob,
  padStart,
  stripLeadingZeros,
  wipeKeyMaterial,
} from './sshWire';
import type { EcdsaCurve, KeyMaterial } from './sshWire';

export type KeySourceFormat = 'openssh' | 'pem' | 'pkcs8' | 'ppk2' | 'ppk3';

export interface LoadedKey {
  format: KeySourceFormat;
  /** ssh key type, e.g. 'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256' */
  type: string;
  comment: string;
  /** Unencrypted private key in a form ssh2 accepts as `privateKey` (held in memory only, never written). */
  privateKey: Buffer;
  /** One line: '<type> <base64> <comment>' as in authorized_keys */
  publicKey: string;
  /** 'SHA256:<base64 without padding>' of the public key blob, as ssh-keygen -l prints */
  fingerprint: string;
}

export interface ParseKeyOptions {
  passphrase?: string;
  /** Names the key in messages (a path or a label); never the key's content. */
  sourceName?: string;
}

/** Private keys are a few KiB (RSA 16384 in OpenSSH format: about 12 KiB); anything far larger is not one, and is not read into memory. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

const SUPPORTED_FORMATS_HINT =
  'Jumpgate reads OpenSSH, PEM (RSA/EC/DSA), PKCS#8 and PuTTY .ppk (v2 and v3) private keys.';

// ---------------------------------------------------------------------------
// Detection

interface Armor {
  label: string;
  /** Index of the BEGIN line in the text. */
  index: number;
}

const BEGIN_LINE = /-----BEGIN ([A-Z0-9 ]+)-----/;
const PEM_LABELS: Record<string, true> = { 'RSA PRIVATE KEY': true, 'EC PRIVATE KEY': true, 'DSA PRIVATE KEY': true };

function asBytes(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** latin1 keeps one code unit per byte, so text markers can be found in any input without decoding errors. */
function asText(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return text.startsWith('\u00ef\u00bb\u00bf') ? text.slice(3) : text;
}

/** The first private-key armor in the text. An EC PEM may follow an "EC PARAMETERS" block, so search all BEGIN lines. */
function findPrivateArmor(text: string): Armor | undefined {
  const all = new RegExp(BEGIN_LINE.source, 'g');
  for (let match = all.exec(text); match !== null; match = all.exec(text)) {
    const label = match[1]!;
    if (label === 'OPENSSH PRIVATE KEY' || label === 'PRIVATE KEY' || label === 'ENCRYPTED PRIVATE KEY' || PEM_LABELS[label]) {
      return { label, index: match.index };
    }
  }
  return undefined;
}

function formatOfArmor(label: string): 'openssh' | 'pem' | 'pkcs8' {
  if (label === 'OPENSSH PRIVATE KEY') return 'openssh';
  if (label === 'PRIVATE KEY' || label === 'ENCRYPTED PRIVATE KEY') return 'pkcs8';
  return 'pem';
}

export function detectKeyFormat(data: Buffer | string): KeySourceFormat | 'unknown' {
  const text = asText(asBytes(data));
  const ppk = sniffPpkVersion(text);
  if (ppk !== undefined) return ppk === 2 ? 'ppk2' : ppk === 3 ? 'ppk3' : 'unknown';
  const armor = findPrivateArmor(text);
  return armor ? formatOfArmor(armor.label) : 'unknown';
}

/** Whether the key needs a passphrase. False for anything that is not a recognizable private key. */
export function isKeyEncrypted(data: Buffer | string): boolean {
  const text = asText(asBytes(data));
  if (sniffPpkVersion(text) !== undefined) return isPpkEncrypted(text);
  const armor = findPrivateArmor(text);
  if (!armor) return false;
  const block = blockText(text, armor) ?? text.slice(armor.index);
  switch (armor.label) {
    case 'ENCRYPTED PRIVATE KEY':
      return true;
    case 'PRIVATE KEY':
      return false;
    case 'OPENSSH PRIVATE KEY':
      try {
        return openSshCipher(block) !== 'none';
      } catch {
        return false;
      }
    default:
      return /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(block);
  }
}

/** The armored block from BEGIN to END with line endings normalized to LF; undefined if END is missing. */
function blockText(text: string, armor: Armor): string | undefined {
  const end = `-----END ${armor.label}-----`;
  const endIndex = text.indexOf(end, armor.index);
  if (endIndex < 0) return undefined;
  return text
    .slice(armor.index, endIndex + end.length)
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    // Keep blank lines: legacy encrypted PEM needs the one between its headers and the base64.
    .join('\n');
}

function armorBody(block: string): string {
  return block
    .split('\n')
    .filter((line) => !line.startsWith('-----'))
    .join('')
    .trim();
}

function openSshCipher(block: string): string {
  const reader = new SshReader(Buffer.from(armorBody(block), 'base64'));
  if (reader.readBytes(15).toString('latin1') !== 'openssh-key-v1\0') throw new Error('not openssh-key-v1');
  return reader.readText();
}

// ---------------------------------------------------------------------------
// Errors

function subjectOf(sourceName: string | undefined): string {
  return sourceName ?? 'The key';
}

function unreadable(message: string, format: string, hint = SUPPORTED_FORMATS_HINT, cause?: unknown): JumpgateError {
  return new JumpgateError('KEY_UNREADABLE', message, { hint, details: { format }, cause });
}

function describeFormat(format: KeySourceFormat, label: string): string {
  switch (format) {
    case 'openssh':
      return 'an OpenSSH private key';
    case 'pkcs8':
      return label === 'ENCRYPTED PRIVATE KEY' ? 'an encrypted PKCS#8 private key' : 'a PKCS#8 private key';
    case 'pem':
      return `a PEM ${label.split(' ')[0]} private key`;
    default:
      return `a PuTTY PPK ${format === 'ppk2' ? 'v2' : 'v3'} file`;
  }
}

/** Explains input that is not a private key we read, naming what it looks like instead. */
function unknownFormatError(text: string, sourceName: string | undefined): JumpgateError {
  const subject = subjectOf(sourceName);
  const trimmed = text.trim();
  const publicKey = (kind: string): JumpgateError =>
    unreadable(
      `${subject} is not a private key: found a public key (${kind}).`,
      'public-key',
      'Choose the private key file instead; for id_ed25519.pub that is id_ed25519 (no .pub), for PuTTY the .ppk file.',
    );
  if (trimmed === '') return unreadable(`${subject} is empty.`, 'unknown');
  if (/^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com|\S+-cert-v01@openssh\.com) AAAA/.test(trimmed)) {
    return publicKey('OpenSSH authorized_keys format');
  }
  if (trimmed.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) return publicKey('RFC 4716 / PuTTYgen public key format');
  if (/^-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(trimmed)) return publicKey('PEM');
  if (trimmed.startsWith('---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----')) {
    return unreadable(
      `${subject} is an ssh.com (SSH2) private key, a format this app does not read.`,
      'sshcom',
      'Convert it: load it in PuTTYgen and save it as a .ppk, or run ssh-keygen -i -f on it.',
    );
  }
  if (trimmed.startsWith('SSH PRIVATE KEY FILE FORMAT 1.1')) {
    return unreadable(
      `${subject} is an SSH-1 key; SSH protocol 1 is obsolete and not supported.`,
      'ssh1',
      'Generate a new Ed25519 key and add it to the jump host.',
    );
  }
  if (/^-----BEGIN CERTIFICATE-----/m.test(trimmed)) {
    return unreadable(`${subject} is not a private key: found an X.509 certificate.`, 'certificate');
  }
  const other = BEGIN_LINE.exec(trimmed);
  if (other) {
    return unreadable(`${subject} is not a private key this app reads: found a PEM block labelled "${other[1]}".`, 'pem-other');
  }
  return unreadable(`${subject} is not a private key this app can read (unknown format).`, 'unknown');
}

/** "id_rsa (PEM RSA private key)" or "this PEM RSA private key": the user sees which file and what kind. */
function keyName(what: string, sourceName: string | undefined): string {
  return sourceName === undefined ? `this ${what}` : `${sourceName} (${what})`;
}

function passphraseRequired(format: KeySourceFormat, what: string, sourceName: string | undefined): JumpgateError {
  const name = sourceName === undefined ? `This ${what}` : keyName(what, sourceName);
  return new JumpgateError('PASSPHRASE_REQUIRED', `${name} is protected by a passphrase.`, {
    hint: "Enter the key's passphrase.",
    details: { format },
  });
}

function badPassphrase(format: KeySourceFormat, what: string, sourceName: string | undefined, cause?: unknown): JumpgateError {
  return new JumpgateError('BAD_PASSPHRASE', `The passphrase does not unlock ${keyName(what, sourceName)}.`, {
    hint: 'Re-enter the passphrase for this key (the one chosen when the key was created, not a server password).',
    details: { format },
    cause,
  });
}

// ---------------------------------------------------------------------------
// Reading each format into KeyMaterial

interface Decoded {
  material: KeyMaterial;
  comment: string;
}

function bufferOf(jwkField: string | undefined): Buffer {
  if (jwkField === undefined) throw new Error('JWK field missing');
  return Buffer.from(jwkField, 'base64url');
}

/** Reduces a node KeyObject (from PEM, PKCS#8 or ssh2's internal PEM) to SSH key components. */
function materialFromKeyObject(key: KeyObject, whatForMessages: string, subject: string, format: string): KeyMaterial {
  const type = key.asymmetricKeyType;
  switch (type) {
    case 'rsa': {
      const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
      return {
        type: 'ssh-rsa',
        n: stripLeadingZeros(bufferOf(jwk.n)),
        e: stripLeadingZeros(bufferOf(jwk.e)),
        d: stripLeadingZeros(bufferOf(jwk.d)),
        p: stripLeadingZeros(bufferOf(jwk.p)),
        q: stripLeadingZeros(bufferOf(jwk.q)),
        // JWK "qi" is q^-1 mod p, the same number OpenSSH calls iqmp.
        iqmp: stripLeadingZeros(bufferOf(jwk.qi)),
      };
    }
    case 'ec': {
      const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
      const curve = (Object.keys(ECDSA_CURVES) as EcdsaCurve[]).find((name) => ECDSA_CURVES[name].jwkCurve === jwk.crv);
      if (curve === undefined) {
        throw unreadable(
          `${subject} is ${whatForMessages} on the curve ${jwk.crv ?? 'unknown'}, which SSH does not use (only NIST P-256, P-384, P-521).`,
          format,
        );
      }
      const width = ECDSA_CURVES[curve].fieldBytes;
      const q = Buffer.concat([Buffer.from([4]), padStart(bufferOf(jwk.x), width), padStart(bufferOf(jwk.y), width)]);
      return { type: `ecdsa-sha2-${curve}`, curve, q, d: stripLeadingZeros(bufferOf(jwk.d)) };
    }
    case 'ed25519': {
      const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
      return { type: 'ssh-ed25519', publicKey: bufferOf(jwk.x), seed: bufferOf(jwk.d) };
    }
    case 'dsa':
      return dsaMaterial(key);
    default:
      throw unreadable(
        `${subject} is ${whatForMessages} of type ${type ?? 'unknown'}, which SSH cannot use.`,
        format,
        'Use an Ed25519, ECDSA (NIST curves) or RSA key.',
      );
  }
}

/** materialFromKeyObject with anything unexpected (a JWK field missing, odd DER) reported as unreadable, not INTERNAL. */
function toMaterial(key: KeyObject, whatForMessages: string, subject: string, format: string): KeyMaterial {
  try {
    return materialFromKeyObject(key, whatForMessages, subject, format);
  } catch (error) {
    if (error instanceof JumpgateError) throw error;
    throw unreadable(`${subject} is ${whatForMessages} whose key values cannot be used.`, format, SUPPORTED_FORMATS_HINT, error);
  }
}

interface DerItem {
  tag: number;
  value: Buffer;
}

/** Minimal DER walker: node can export DSA keys only as DER (JWK has no DSA), and we need p, q, g, x from it. */
function derItems(data: Buffer): DerItem[] {
  const items: DerItem[] = [];
  let i = 0;
  while (i < data.length) {
    const tag = data[i++];
    let length = data[i++];
    if (tag === undefined || length === undefined) throw new Error('DER truncated');
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new Error('DER length unsupported');
      length = 0;
      for (let k = 0; k < count; k++) {
        const byte = data[i++];
        if (byte === undefined) throw new Error('DER truncated');
        length = length * 256 + byte;
      }
    }
    if (i + length > data.length) throw new Error('DER truncated');
    items.push({ tag, value: data.subarray(i, i + length) });
    i += length;
  }
  return items;
}

function derAt(items: DerItem[], index: number, tag: number): Buffer {
  const item = items[index];
  if (item === undefined || item.tag !== tag) throw new Error('unexpected DER structure');
  return item.value;
}

const DER_INTEGER = 0x02;
const DER_OCTET_STRING = 0x04;
const DER_SEQUENCE = 0x30;

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function fromBigInt(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function dsaMaterial(key: KeyObject): KeyMaterial {
  // PKCS#8: SEQ { INT version, SEQ { OID dsa, SEQ { p, q, g } }, OCTET STRING { INT x } }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  try {
    const top = derItems(derAt(derItems(der), 0, DER_SEQUENCE));
    const algorithm = derItems(derAt(top, 1, DER_SEQUENCE));
    const params = derItems(derAt(algorithm, 1, DER_SEQUENCE));
    const p = stripLeadingZeros(derAt(params, 0, DER_INTEGER));
    const q = stripLeadingZeros(derAt(params, 1, DER_INTEGER));
    const g = stripLeadingZeros(derAt(params, 2, DER_INTEGER));
    const x = stripLeadingZeros(derAt(derItems(derAt(top, 2, DER_OCTET_STRING)), 0, DER_INTEGER));
    // PKCS#8 omits the public value; y = g^x mod p.
    const y = fromBigInt(modPow(toBigInt(g), toBigInt(x), toBigInt(p)));
    return { type: 'ssh-dss', p, q, g, y, x };
  } finally {
    der.fill(0);
  }
}

/*
 * OpenSSH's bcrypt KDF rounds (ssh-keygen -a). ssh-keygen writes 16 by default (OpenSSH 9.2) and
 * -a 100 is the usual "stronger" advice; 1000 leaves 10x headroom over that and still unlocks in
 * about 25 s here with the pure JavaScript bcrypt_pbkdf (OpenSSH: about 7 s). Above it a key is
 * refused with the numbers before anything runs: issue #17's rounds=256 key froze the app 6 s.
 */
export const MAX_BCRYPT_ROUNDS = 1000;

interface OpenSshCipher {
  ssl: string;
  keyLength: number;
  ivLength: number;
  blockLength: number;
  tagLength: number;
}

/** The ciphers ssh-keygen -Z offers for key files that node's OpenSSL can decrypt. */
const OPENSSH_KEY_CIPHERS: Record<string, OpenSshCipher> = {
  'aes128-ctr': { ssl: 'aes-128-ctr', keyLength: 16, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes192-ctr': { ssl: 'aes-192-ctr', keyLength: 24, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes256-ctr': { ssl: 'aes-256-ctr', keyLength: 32, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes128-cbc': { ssl: 'aes-128-cbc', keyLength: 16, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes192-cbc': { ssl: 'aes-192-cbc', keyLength: 24, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes256-cbc': { ssl: 'aes-256-cbc', keyLength: 32, ivLength: 16, blockLength: 16, tagLength: 0 },
  'aes128-gcm@openssh.com': { ssl: 'aes-128-gcm', keyLength: 16, ivLength: 12, blockLength: 16, tagLength: 16 },
  'aes256-gcm@openssh.com': { ssl: 'aes-256-gcm', keyLength: 32, ivLength: 12, blockLength: 16, tagLength: 16 },
};

interface OpenSshContainer {
  cipher: string;
  kdf: string;
  salt: Buffer;
  rounds: number;
  publicBlobs: Buffer[];
  privateSection: Buffer;
  tag: Buffer;
}

/** openssh-key-v1 (OpenSSH PROTOCOL.key), read without decrypting; throws on any malformation. */
function readOpenSshContainer(block: string): OpenSshContainer {
  const reader = new SshReader(Buffer.from(armorBody(block), 'base64'));
  if (reader.readBytes(15).toString('latin1') !== 'openssh-key-v1\0') throw new Error('not openssh-key-v1');
  const cipher = reader.readText();
  const kdf = reader.readText();
  const options = new SshReader(reader.readString());
  let salt: Buffer = Buffer.alloc(0);
  let rounds = 0;
  if (kdf === 'bcrypt') {
    salt = options.readString();
    rounds = options.readUint32();
  }
  const count = reader.readUint32();
  if (count > 16) throw new Error('unexpected key count');
  const publicBlobs: Buffer[] = [];
  for (let i = 0; i < count; i++) publicBlobs.push(reader.readString());
  const privateSection = reader.readString();
  const tag = reader.readBytes(reader.remaining);
  return { cipher, kdf, salt, rounds, publicBlobs, privateSection, tag };
}

function tooManyRounds(rounds: number, sourceName: string | undefined): JumpgateError {
  return new JumpgateError(
    'KEY_KDF_TOO_EXPENSIVE',
    `${subjectOf(sourceName)} asks for ${rounds} bcrypt rounds to unlock, above the ${MAX_BCRYPT_ROUNDS} this app allows (ssh-keygen writes 16 by default; -a 100 is common).`,
    {
      hint: 'Re-encrypt the key with fewer rounds: ssh-keygen -p -a 100 -f <file> (OpenSSH unlocks it as before).',
      details: { format: 'openssh', kdf: 'bcrypt', rounds, maxRounds: MAX_BCRYPT_ROUNDS },
    },
  );
}

/**
 * Decrypts an encrypted openssh-key-v1 block into the same key with cipher "none", for ssh2 to
 * read. The bcrypt KDF runs on a worker thread (ssh2 would run it on this one, synchronously).
 */
async function decryptOpenSsh(container: OpenSshContainer, passphrase: string, sourceName: string | undefined): Promise<string> {
  const subject = subjectOf(sourceName);
  const cipher = OPENSSH_KEY_CIPHERS[container.cipher];
  if (container.kdf !== 'bcrypt' || cipher === undefined) {
    const what = container.kdf !== 'bcrypt' ? `the key derivation "${container.kdf}"` : `the cipher ${container.cipher}`;
    throw unreadable(`${subject} looks like an OpenSSH private key but the SSH library cannot use it (${what.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}).`, 'openssh');
  }
  if (container.privateSection.length === 0 || container.privateSection.length % cipher.blockLength !== 0 || container.tag.length !== cipher.tagLength) {
    throw unreadable(`${subject} looks like an OpenSSH private key but it is damaged or truncated.`, 'openssh');
  }
  const pass = Buffer.from(passphrase, 'utf8');
  const derived = await deriveOffThread(
    { kind: 'bcrypt', passphrase: pass, salt: container.salt, rounds: container.rounds, length: cipher.keyLength + cipher.ivLength },
    { format: 'openssh', subject: sourceName ?? 'this OpenSSH private key' },
  ).finally(() => pass.fill(0));
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(cipher.ssl, derived.subarray(0, cipher.keyLength), derived.subarray(cipher.keyLength)) as DecipherGCM;
    decipher.setAutoPadding(false);
    if (cipher.tagLength > 0) decipher.setAuthTag(container.tag);
    plain = Buffer.concat([decipher.update(container.privateSection), decipher.final()]);
  } catch (error) {
    // Only an AEAD cipher fails here, and then its tag did not verify: the wrong passphrase.
    throw badPassphrase('openssh', 'OpenSSH private key', sourceName, error);
  } finally {
    derived.fill(0);
  }
  // The two checkints are equal only when the passphrase was right (PROTOCOL.key).
  if (plain.length < 8 || plain.readUInt32BE(0) !== plain.readUInt32BE(4)) {
    plain.fill(0);
    throw badPassphrase('openssh', 'OpenSSH private key', sourceName);
  }
  const writer = new SshWriter().raw(Buffer.from('openssh-key-v1\0', 'latin1')).string('none').string('none').string('').uint32(container.publicBlobs.length);
  for (const blob of container.publicBlobs) writer.string(blob);
  const body = writer.string(plain).toBuffer();
  plain.fill(0);
  const base64 = body.toString('base64');
  body.fill(0);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${base64}\n-----END OPENSSH PRIVATE KEY-----`;
}

async function readOpenSsh(text: string, armor: Armor, passphrase: string | undefined, sourceName: string | undefined): Promise<Decoded> {
  const subject = subjectOf(sourceName);
  const what = 'OpenSSH private key';
  const block = blockText(text, armor);
  if (block === undefined) {
    throw unreadable(`${subject} looks like ${describeFormat('openssh', armor.label)} but it is truncated (no END line).`, 'openssh');
  }
  let container: OpenSshContainer;
  try {
    container = readOpenSshContainer(block);
  } catch (error) {
    // A valid start and a bad rest is a damaged file; otherwise it is not openssh-key-v1 at all.
    let damaged = false;
    try {
      openSshCipher(block);
      damaged = true;
    } catch {
      // not openssh-key-v1
    }
    throw unreadable(`${subject} looks like an OpenSSH private key but ${damaged ? 'it is damaged or truncated' : 'its contents are not valid'}.`, 'openssh', SUPPORTED_FORMATS_HINT, error);
  }
  const encrypted = container.cipher !== 'none';
  // Before asking for a passphrase: none makes such a key usable here.
  if (encrypted && container.kdf === 'bcrypt' && container.rounds > MAX_BCRYPT_ROUNDS) throw tooManyRounds(container.rounds, sourceName);
  if (encrypted && !passphrase) throw passphraseRequired('openssh', what, sourceName);

  const plainBlock = encrypted ? await decryptOpenSsh(container, passphrase!, sourceName) : block;
  const parsed = parseKey(plainBlock) as ReturnType<typeof parseKey> | undefined;
  if (parsed === undefined) throw unreadable(`${subject} is an OpenSSH private key file that holds no key.`, 'openssh');
  if (parsed instanceof Error) {
    // ssh2's "Unsupported ..." messages name a cipher, KDF or key type taken from the file header: printable-only, bounded.
    const detail = /^Unsupported/.test(parsed.message)
      ? `the SSH library cannot use it (${parsed.message.replace(/^Unsupported /, 'unsupported ').replace(/[^\x20-\x7e]/g, '?').slice(0, 120)})`
      : 'it is damaged or truncated';
    throw unreadable(`${subject} looks like an OpenSSH private key but ${detail}.`, 'openssh', SUPPORTED_FORMATS_HINT, parsed);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(parsed.getPrivatePEM());
  } catch (error) {
    throw unreadable(`${subject} looks like an OpenSSH private key but its key values are invalid.`, 'openssh', SUPPORTED_FORMATS_HINT, error);
  }
  return { material: toMaterial(keyObject, 'an OpenSSH key', subject, 'openssh'), comment: parsed.comment };
}

function readOpenSsl(
  text: string,
  armor: Armor,
  format: 'pem' | 'pkcs8',
  passphrase: string | undefined,
  sourceName: string | undefined,
): Decoded {
  const subject = subjectOf(sourceName);
  const what = describeFormat(format, armor.label);
  const block = blockText(text, armor);
  if (block === undefined) throw unreadable(`${subject} looks like ${what} but it is truncated (no END line).`, format);

  const encrypted = armor.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(block);
  const label = what.replace(/^an? /, '');
  if (encrypted && !passphrase) throw passphraseRequired(format, label, sourceName);
  if (encrypted && format === 'pem') {
    // Tell an unsupported legacy cipher apart from a wrong passphrase before trying.
    const cipher = /^DEK-Info:\s*([A-Za-z0-9-]+)\s*,/m.exec(block)?.[1]?.toLowerCase();
    if (cipher === undefined || !getCiphers().includes(cipher)) {
      throw unreadable(
        `${subject} is ${what} encrypted with ${cipher === undefined ? 'an unnamed cipher' : `the cipher ${cipher.toUpperCase()}`}, which this system's OpenSSL does not support.`,
        format,
        'Re-encrypt the key with a current tool, e.g. ssh-keygen -p -f <file> (it rewrites the key in OpenSSH format).',
      );
    }
  }

  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(encrypted ? { key: block, format: 'pem', passphrase } : { key: block, format: 'pem' });
  } catch (error) {
    // With a passphrase given, any failure is the passphrase: a wrong key yields
    // either "bad decrypt" or, when the padding happens to look valid, garbage DER.
    if (encrypted) throw badPassphrase(format, label, sourceName, error);
    throw unreadable(`${subject} looks like ${what} but OpenSSL cannot read it (damaged or truncated).`, format, SUPPORTED_FORMATS_HINT, error);
  }
  return { material: toMaterial(keyObject, what, subject, format), comment: '' };
}

// ---------------------------------------------------------------------------
// Writing the normalized key

/** openssh-key-v1 with cipher "none" (OpenSSH PROTOCOL.key), wrapped at 70 columns like ssh-keygen. */
function encodeOpenSshKey(material: KeyMaterial, publicBlob: Buffer, comment: string): Buffer {
  // checkint: random, repeated; readers compare the pair to detect a wrong passphrase.
  const check = randomBytes(4);
  const section = new SshWriter().raw(check).raw(check);
  encodeOpenSshPrivateFields(section, material);
  section.string(comment);
  for (let pad = 1; section.length % 8 !== 0; pad++) section.raw(Uint8Array.of(pad));
  const sectionBytes = section.toBuffer();

  const body = new SshWriter()
    .raw(Buffer.from('openssh-key-v1\0', 'latin1'))
    .string('none')
    .string('none')
    .string('')
    .uint32(1)
    .string(publicBlob)
    .string(sectionBytes)
    .toBuffer();
  const base64 = body.toString('base64');
  sectionBytes.fill(0);
  body.fill(0);

  const lines = ['-----BEGIN OPENSSH PRIVATE KEY-----'];
  for (let i = 0; i < base64.length; i += 70) lines.push(base64.slice(i, i + 70));
  lines.push('-----END OPENSSH PRIVATE KEY-----', '');
  return Buffer.from(lines.join('\n'), 'latin1');
}

function fingerprintOf(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Parses an authorized_keys style line; used to borrow the comment from a sibling .pub file. */
function parsePublicLine(line: string): { blob: Buffer; comment: string } | undefined {
  const match = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: (.*))?$/.exec(line.trim());
  if (!match) return undefined;
  return { blob: Buffer.from(match[2]!, 'base64'), comment: (match[3] ?? '').trim() };
}

function finish(
  format: KeySourceFormat,
  decoded: Decoded,
  sourceName: string | undefined,
  companionPublicKey: string | undefined,
): LoadedKey {
  const { material } = decoded;
  const publicBlob = encodePublicBlob(material);
  let comment = decoded.comment;
  // PEM and PKCS#8 carry no comment; ssh-keygen keeps it in the .pub beside the key.
  if (comment === '' && companionPublicKey !== undefined) {
    const companion = parsePublicLine(companionPublicKey.split(/\r?\n/)[0] ?? '');
    if (companion && companion.blob.equals(publicBlob)) comment = companion.comment;
  }
  // The comment ends up in a one-line authorized_keys entry and in the key file: no line breaks.
  comment = comment.replace(/[\r\n]+/g, ' ');

  const privateKey = encodeOpenSshKey(material, publicBlob, comment);
  wipeKeyMaterial(material);
  selfTest(privateKey, publicBlob, format, sourceName);
  return {
    format,
    type: material.type,
    comment,
    privateKey,
    publicKey: `${material.type} ${publicBlob.toString('base64')}${comment === '' ? '' : ` ${comment}`}`,
    fingerprint: fingerprintOf(publicBlob),
  };
}

/**
 * Proves the normalized key is usable before anyone relies on it: ssh2 must
 * parse it, derive the same public blob, and a signature made with the private
 * half must verify with the public half. This catches a private half that does
 * not belong to its public half, which PPK can hold since it stores them apart.
 */
function selfTest(privateKey: Buffer, publicBlob: Buffer, format: KeySourceFormat, sourceName: string | undefined): void {
  const subject = subjectOf(sourceName);
  const parsed = parseKey(privateKey);
  if (parsed instanceof Error || !parsed.getPublicSSH().equals(publicBlob)) {
    throw unreadable(`${subject} was read, but the SSH library rejects the key it contains.`, format, SUPPORTED_FORMATS_HINT, parsed);
  }
  const challenge = randomBytes(32);
  const signature: Buffer | Error = parsed.sign(challenge);
  if (signature instanceof Error || parsed.verify(challenge, signature) !== true) {
    throw unreadable(`${subject} is damaged: its private key does not match its public key.`, format);
  }
}

// ---------------------------------------------------------------------------
// Public API

interface InternalOptions extends ParseKeyOptions {
  companionPublicKey?: string;
}

async function parse(data: Buffer | string, options: InternalOptions): Promise<LoadedKey> {
  const { sourceName, companionPublicKey } = options;
  // An empty passphrase never encrypts anything (ssh-keygen -N '' and PuTTYgen both mean "none").
  const passphrase = options.passphrase === '' ? undefined : options.passphrase;
  const bytes = asBytes(data);
  if (bytes.length > MAX_KEY_FILE_BYTES) {
    throw unreadable(`${subjectOf(sourceName)} is too large to be a private key.`, 'unknown');
  }
  const text = asText(bytes);

  const ppkVersion = sniffPpkVersion(text);
  if (ppkVersion !== undefined) {
    const ppk = await readPpk(bytes, passphrase, sourceName);
    return finish(ppk.version === 2 ? 'ppk2' : 'ppk3', ppk, sourceName, companionPublicKey);
  }

  const armor = findPrivateArmor(text);
  if (!armor) throw unknownFormatError(text, sourceName);
  const format = formatOfArmor(armor.label);
  const decoded =
    format === 'openssh'
      ? await readOpenSsh(text, armor, passphrase, sourceName)
      : readOpenSsl(text, armor, format, passphrase, sourceName);
  return finish(format, decoded, sourceName, companionPublicKey);
}

/**
 * Reads a private key from memory. Throws JumpgateError with PASSPHRASE_REQUIRED,
 * BAD_PASSPHRASE or KEY_UNREADABLE; messages name the format, never the passphrase
 * or key material.
 */
export async function parsePrivateKey(data: Buffer | string, options: ParseKeyOptions = {}): Promise<LoadedKey> {
  return parse(data, { ...options });
}


/**
 * A key file's bytes; a missing file is KEY_NOT_FOUND, a folder, a device, a FIFO, anything over
 * the cap or an unreadable file KEY_UNREADABLE. Read with a bound and never waited on (issue #17:
 * /dev/zero as a key path filled 5 GiB, a FIFO hung the file-system thread pool).
 */
export async function readKeyFile(path: string): Promise<Buffer> {
  const fullPath = expandHome(path);
  try {
    return await readRegularFile(fullPath, MAX_KEY_FILE_BYTES);
  } catch (error) {
    if (error instanceof NotReadableFile) {
      if (error.reason === 'too-large') throw unreadable(`${path} is too large to be a private key (${error.message}).`, 'unknown');
      if (/folder/.test(error.message)) {
        throw unreadable(`${path} is a folder, not a key file.`, 'unknown', 'Choose the private key file inside it, e.g. ~/.ssh/id_ed25519.');
      }
      throw unreadable(`${path} cannot be used as a key: ${error.message}.`, 'unknown', 'Choose the private key file itself, e.g. ~/.ssh/id_ed25519.');
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new JumpgateError('KEY_NOT_FOUND', `No key file at ${path}.`, {
        hint: 'Check the key path in the jump host settings; the file may have been moved or renamed.',
        details: { path },
      });
    }
    if (code === 'EISDIR') {
      throw unreadable(`${path} is a folder, not a key file.`, 'unknown', 'Choose the private key file inside it, e.g. ~/.ssh/id_ed25519.');
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw unreadable(`${path} cannot be read: permission denied.`, 'unknown', 'Make the key readable by your user (chmod 600 on the file).');
    }
    throw unreadable(`${path} cannot be read (${code ?? 'I/O error'}).`, 'unknown', undefined, error);
  }
}

/** The .pub that ssh-keygen writes beside a key, if there is one (a regular file of sane size only). */
async function companionOf(path: string): Promise<string | undefined> {
  try {
    return (await readRegularFile(`${expandHome(path)}.pub`, MAX_KEY_FILE_BYTES)).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses a key file; a missing file is KEY_NOT_FOUND. A leading ~/ means the home directory.
 * `passphraseFor` is asked only for a key that turns out to be encrypted: where the answer may come
 * from the OS keychain, a key without a passphrase never costs a round trip to the secret store,
 * nor loading its native binding into the process (issue #17's idle weight).
 */
export async function loadPrivateKeyFile(path: string, options: { passphrase?: string; passphraseFor?: () => Promise<string | undefined> } = {}): Promise<LoadedKey> {
  const bytes = await readKeyFile(path);
  try {
    const format = detectKeyFormat(bytes);
    const companionPublicKey = format === 'pem' || format === 'pkcs8' ? await companionOf(path) : undefined;
    const parseWith = (passphrase: string | undefined): Promise<LoadedKey> => parse(bytes, { passphrase, sourceName: path, companionPublicKey });
    const { passphrase, passphraseFor } = options;
    if (passphrase !== undefined || !passphraseFor) return await parseWith(passphrase);
    if (isKeyEncrypted(bytes)) return await parseWith(await passphraseFor());
    try {
      return await parseWith(undefined);
    } catch (error) {
      // A protection the sniffing above did not see: ask after all rather than fail on a remembered key.
      if (!(error instanceof JumpgateError && error.code === 'PASSPHRASE_REQUIRED')) throw error;
      const remembered = await passphraseFor();
      if (remembered === undefined) throw error;
      return await parseWith(remembered);
    }
  } catch (error) {
    throw namingKeyFile(error, path);
  } finally {
    // The file's bytes may be an unencrypted key; do not leave them for the GC to keep.
    bytes.fill(0);
  }
}

/**
 * A passphrase question names the file it is for in its details, so a front end answers for that
 * key: with ProxyJump each hop may have its own (issue #17), and the jump host's is not the only one.
 */
function namingKeyFile(error: unknown, path: string): unknown {
  if (!(error instanceof JumpgateError) || (error.code !== 'PASSPHRASE_REQUIRED' && error.code !== 'BAD_PASSPHRASE')) return error;
  const details = detailsOf(error, error.code);
  return new JumpgateError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}), details: { ...details, keyPath: path }, cause: error.cause ?? error });
}

/** What a key file says of its public half: what the administrator needs, and whether the private half is protected. */
export interface PublicKeyHalf {
  format: KeySourceFormat;
  type: string;
  comment: string;
  /** One line: '<type> <base64> <comment>' as in authorized_keys */
  publicKey: string;
  fingerprint: string;
  encrypted: boolean;
}

/** The public line of a blob read from a key file, refused unless the SSH library reads it as a public key. */
function publicHalfOf(format: KeySourceFormat, blob: Buffer, comment: string, sourceName: string): PublicKeyHalf {
  const clean = comment.replace(/[\r\n]+/g, ' ');
  let type: string;
  try {
    type = new SshReader(blob).readText();
  } catch (error) {
    throw unreadable(`${sourceName} looks like ${describeFormat(format, '')} but its public key is malformed.`, format, SUPPORTED_FORMATS_HINT, error);
  }
  const line = `${type} ${blob.toString('base64')}${clean === '' ? '' : ` ${clean}`}`;
  const parsed = parseKey(line);
  if (parsed instanceof Error || !parsed.getPublicSSH().equals(blob)) {
    throw unreadable(`${sourceName} looks like ${describeFormat(format, '')} but holds a public key the SSH library cannot read.`, format, SUPPORTED_FORMATS_HINT, parsed);
  }
  return { format, type, comment: clean, publicKey: line, fingerprint: fingerprintOf(blob), encrypted: true };
}

/** The public key an openssh-key-v1 file carries in the clear, before its (maybe encrypted) private section. */
function openSshPublicBlob(block: string, sourceName: string): Buffer {
  try {
    const reader = new SshReader(Buffer.from(armorBody(block), 'base64'));
    if (reader.readBytes(15).toString('latin1') !== 'openssh-key-v1\0') throw new Error('not openssh-key-v1');
    reader.readString(); // cipher
    reader.readString(); // KDF
    reader.readString(); // KDF options
    if (reader.readUint32() < 1) throw new Error('no key in the file');
    return reader.readString();
  } catch (error) {
    throw unreadable(`${sourceName} looks like an OpenSSH private key but its contents are not valid.`, 'openssh', SUPPORTED_FORMATS_HINT, error);
  }
}

/**
 * The public half of a key file, without its passphrase where the file allows it (issue #13:
 * the checklist shows the line to send before anything asks for a passphrase). An unencrypted
 * key is read whole, as for a login. An encrypted PuTTY .ppk (v2, v3) keeps its public key and
 * comment in the clear, and an encrypted OpenSSH key its public key (the comment then comes from
 * the .pub beside it when that holds the same key). Encrypted PEM and PKCS#8 hide everything:
 * those still need the passphrase (PASSPHRASE_REQUIRED), as does anything unrecognised.
 */
export async function readPublicKeyFile(path: string): Promise<PublicKeyHalf> {
  const bytes = await readKeyFile(path);
  try {
    if (isKeyEncrypted(bytes)) {
      const text = asText(bytes);
      if (sniffPpkVersion(text) !== undefined) {
        const ppk = readPpkPublicHalf(bytes, path);
        return publicHalfOf(ppk.version === 2 ? 'ppk2' : 'ppk3', ppk.publicBlob, ppk.comment, path);
      }
      const armor = findPrivateArmor(text);
      const block = armor && armor.label === 'OPENSSH PRIVATE KEY' ? blockText(text, armor) : undefined;
      if (block !== undefined) {
        const blob = openSshPublicBlob(block, path);
        const companion = parsePublicLine(((await companionOf(path)) ?? '').split(/\r?\n/)[0] ?? '');
        return publicHalfOf('openssh', blob, companion?.blob.equals(blob) ? companion.comment : '', path);
      }
    }
    const format = detectKeyFormat(bytes);
    const companionPublicKey = format === 'pem' || format === 'pkcs8' ? await companionOf(path) : undefined;
    const key = await parse(bytes, { sourceName: path, companionPublicKey });
    key.privateKey.fill(0);
    return { format: key.format, type: key.type, comment: key.comment, publicKey: key.publicKey, fingerprint: key.fingerprint, encrypted: false };
  } finally {
    bytes.fill(0);
  }
}
