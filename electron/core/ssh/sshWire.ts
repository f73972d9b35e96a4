/**
 * The SSH binary encodings that key files are built from (RFC 4251 section 5:
 * uint32, string, mpint) and the two key encodings we produce from them: the
 * public key blob (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4) and the private
 * section of an OpenSSH `openssh-key-v1` file (OpenSSH PROTOCOL.key).
 *
 * Everything here works on untrusted bytes from files a user picked, so every
 * read is bounds-checked and throws SshWireError instead of returning garbage.
 */

/** Data ended early or held a value that cannot be right. The message never quotes the data. */
export class SshWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshWireError';
  }
}

/** Sequential reader over SSH-encoded data. Returned buffers are copies, so callers may wipe the source. */
export class SshReader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  atEnd(): boolean {
    return this.offset === this.data.length;
  }

  readUint32(): number {
    this.need(4, 'uint32');
    const view = this.data;
    const value =
      ((view[this.offset]! << 24) >>> 0) +
      (view[this.offset + 1]! << 16) +
      (view[this.offset + 2]! << 8) +
      view[this.offset + 3]!;
    this.offset += 4;
    return value;
  }

  readBytes(length: number): Buffer {
    this.need(length, 'bytes');
    const out = Buffer.from(this.data.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }

  readString(): Buffer {
    const length = this.readUint32();
    // A length that runs past the end is the usual sign of truncation; check it
    // before allocating so a corrupt length cannot ask for gigabytes.
    this.need(length, 'string');
    return this.readBytes(length);
  }

  /** A string that must be text (algorithm names, comments). Invalid UTF-8 is an error, not U+FFFD. */
  readText(): string {
    const bytes = this.readString();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new SshWireError('text field is not valid UTF-8');
    }
  }

  /**
   * An mpint that must be non-negative (every key component is). Returns the
   * unsigned big-endian magnitude without leading zero bytes (zero is empty).
   */
  readMpint(): Buffer {
    const body = this.readString();
    if (body.length > 0 && (body[0]! & 0x80) !== 0) throw new SshWireError('negative mpint where a key component was expected');
    return stripLeadingZeros(body);
  }

  private need(length: number, what: string): void {
    if (length < 0 || this.offset + length > this.data.length) {
      throw new SshWireError(`data ends before the end of a ${what} field`);
    }
  }
}

/** Builds SSH-encoded data. */
export class SshWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  uint32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0, 0);
    return this.raw(b);
  }

  raw(bytes: Uint8Array): this {
    const b = Buffer.from(bytes);
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  string(value: Uint8Array | string): this {
    const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    this.uint32(b.length);
    return this.raw(b);
  }

  /** Writes an unsigned big-endian magnitude as a canonical mpint. */
  mpint(unsigned: Uint8Array): this {
    return this.string(mpintBody(unsigned));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export function stripLeadingZeros(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start));
}

/** Canonical mpint body for a non-negative number: minimal, with a 0x00 prefix when the top bit is set. */
export function mpintBody(unsigned: Uint8Array): Buffer {
  const magnitude = stripLeadingZeros(unsigned);
  if (magnitude.length > 0 && (magnitude[0]! & 0x80) !== 0) return Buffer.concat([Buffer.from([0]), magnitude]);
  return magnitude;
}

/** Left-pads an unsigned big-endian number to a fixed width (JWK and SEC1 want fixed-width fields). */
export function padStart(unsigned: Uint8Array, width: number): Buffer {
  const magnitude = stripLeadingZeros(unsigned);
  if (magnitude.length > width) throw new SshWireError('number is wider than its field');
  return Buffer.concat([Buffer.alloc(width - magnitude.length), magnitude]);
}

// ---------------------------------------------------------------------------
// Key material: the parsed components every input format is reduced to.
// All numbers are unsigned big-endian magnitudes.

export const ECDSA_CURVES = {
  nistp256: { fieldBytes: 32, jwkCurve: 'P-256' },
  nistp384: { fieldBytes: 48, jwkCurve: 'P-384' },
  nistp521: { fieldBytes: 66, jwkCurve: 'P-521' },
} as const;

export type EcdsaCurve = keyof typeof ECDSA_CURVES;
export type EcdsaKeyType = `ecdsa-sha2-${EcdsaCurve}`;

export type KeyMaterial =
  | { type: 'ssh-rsa'; n: Buffer; e: Buffer; d: Buffer; p: Buffer; q: Buffer; /** q^-1 mod p */ iqmp: Buffer }
  | { type: 'ssh-dss'; p: Buffer; q: Buffer; g: Buffer; y: Buffer; x: Buffer }
  | { type: 'ssh-ed25519'; /** 32 bytes */ publicKey: Buffer; /** 32-byte RFC 8032 private key */ seed: Buffer }
  | { type: EcdsaKeyType; curve: EcdsaCurve; /** uncompressed point 04||X||Y */ q: Buffer; d: Buffer };

export function ecdsaCurveOf(type: string): EcdsaCurve | undefined {
  const match = /^ecdsa-sha2-(nistp256|nistp384|nistp521)$/.exec(type);
  return match ? (match[1] as EcdsaCurve) : undefined;
}

/** The public key blob, exactly as sent on the wire and written in authorized_keys. */
export function encodePublicBlob(key: KeyMaterial): Buffer {
  const w = new SshWriter().string(key.type);
  switch (key.type) {
    case 'ssh-rsa':
      return w.mpint(key.e).mpint(key.n).toBuffer();
    case 'ssh-dss':
      return w.mpint(key.p).mpint(key.q).mpint(key.g).mpint(key.y).toBuffer();
    case 'ssh-ed25519':
      return w.string(key.publicKey).toBuffer();
    default:
      return w.string(key.curve).string(key.q).toBuffer();
  }
}

/**
 * One key's entry in the private section of openssh-key-v1 (PROTOCOL.key),
 * without the checkints, comment and padding around it. Field order follows
 * OpenSSH's sshkey_private_serialize, which is what ssh2 reads.
 */
export function encodeOpenSshPrivateFields(w: SshWriter, key: KeyMaterial): void {
  w.string(key.type);
  switch (key.type) {
    case 'ssh-rsa':
      w.mpint(key.n).mpint(key.e).mpint(key.d).mpint(key.iqmp).mpint(key.p).mpint(key.q);
      return;
    case 'ssh-dss':
      w.mpint(key.p).mpint(key.q).mpint(key.g).mpint(key.y).mpint(key.x);
      return;
    case 'ssh-ed25519':
      w.string(key.publicKey).string(Buffer.concat([key.seed, key.publicKey]));
      return;
    default:
      w.string(key.curve).string(key.q).mpint(key.d);
  }
}

/** Overwrites every buffer in the material; call when a temporary copy is no longer needed. */
export function wipeKeyMaterial(key: KeyMaterial): void {
  for (const value of Object.values(key)) {
    if (Buffer.isBuffer(value)) value.fill(0);
  }
}
