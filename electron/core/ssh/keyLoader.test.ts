import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeOpenSshKey,
  makeOpenSslEd25519Key,
  makePuttyKey,
  sshKeygenFingerprint,
} from '../../../e2e/rig/keys';
import type { RigKey } from '../../../e2e/rig/keys';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { detailsOf, JumpgateError } from '../../../shared/model/errors';
import type { ErrorCode } from '../../../shared/model/errors';
import { detectKeyFormat, isKeyEncrypted, loadPrivateKeyFile, parsePrivateKey, readPublicKeyFile } from './keyLoader';
import type { KeySourceFormat } from './keyLoader';
import { SshReader, SshWireError, SshWriter } from './sshWire';

const run = promisify(execFile);

// Non-ASCII on purpose: PuTTYgen, ssh-keygen, OpenSSL and we must all agree on UTF-8 bytes.
const PASSPHRASE = 'correct hörse ✓ battery';
const WRONG_PASSPHRASE = 'incorrect mule 42';

interface KeyCase {
  name: string;
  format: KeySourceFormat;
  type: string;
  encrypted: boolean;
  /** Whether the loaded comment should equal the generator's (false where the format has none and no .pub sits beside it). */
  keepsComment: boolean;
  make: (dir: string) => Promise<RigKey>;
}

const pass = (encrypted: boolean): { passphrase?: string } => (encrypted ? { passphrase: PASSPHRASE } : {});

const ppkCases: KeyCase[] = ([2, 3] as const).flatMap((ppkVersion) =>
  ([
    ['rsa', 'ssh-rsa'],
    ['ed25519', 'ssh-ed25519'],
    ['ecdsa', 'ecdsa-sha2-nistp256'],
  ] as const).flatMap(([type, sshType]) =>
    [false, true].map((encrypted) => ({
      name: `PPK v${ppkVersion} ${type}${encrypted ? ' with passphrase' : ''}`,
      format: `ppk${ppkVersion}` as const,
      type: sshType,
      encrypted,
      keepsComment: true,
      make: (dir: string) => makePuttyKey(dir, { type, ppkVersion, ...pass(encrypted) }),
    })),
  ),
);

const cases: KeyCase[] = [
  ...ppkCases,
  {
    name: 'PPK v3 rsa-4096 with passphrase (PuTTYgen default Argon2id parameters)',
    format: 'ppk3',
    type: 'ssh-rsa',
    encrypted: true,
    keepsComment: true,
    make: (dir) => makePuttyKey(dir, { type: 'rsa', bits: 4096, ppkVersion: 3, passphrase: PASSPHRASE }),
  },
  {
    name: 'PPK v3 ecdsa-384 with passphrase, Argon2i',
    format: 'ppk3',
    type: 'ecdsa-sha2-nistp384',
    encrypted: true,
    keepsComment: true,
    make: (dir) =>
      makePuttyKey(dir, { type: 'ecdsa', bits: 384, ppkVersion: 3, passphrase: PASSPHRASE, ppkParams: 'kdf=argon2i,passes=2' }),
  },
  {
    name: 'PPK v3 ecdsa-521 with passphrase, Argon2d',
    format: 'ppk3',
    type: 'ecdsa-sha2-nistp521',
    encrypted: true,
    keepsComment: true,
    make: (dir) =>
      makePuttyKey(dir, { type: 'ecdsa', bits: 521, ppkVersion: 3, passphrase: PASSPHRASE, ppkParams: 'kdf=argon2d,passes=2' }),
  },
  {
    name: 'PPK v2 dsa with passphrase',
    format: 'ppk2',
    type: 'ssh-dss',
    encrypted: true,
    keepsComment: true,
    make: (dir) => makePuttyKey(dir, { type: 'dsa', ppkVersion: 2, passphrase: PASSPHRASE }),
  },
  ...([
    ['ed25519', 'ssh-ed25519'],
    ['rsa', 'ssh-rsa'],
    ['ecdsa', 'ecdsa-sha2-nistp256'],
  ] as const).flatMap(([type, sshType]) =>
    [false, true].map((encrypted) => ({
      name: `OpenSSH ${type}${encrypted ? ' with passphrase' : ''}`,
      format: 'openssh' as const,
      type: sshType,
      encrypted,
      keepsComment: true,
      make: (dir: string) => makeOpenSshKey(dir, { type, format: 'openssh', ...pass(encrypted) }),
    })),
  ),
  {
    name: 'OpenSSH ecdsa-521',
    format: 'openssh',
    type: 'ecdsa-sha2-nistp521',
    encrypted: false,
    keepsComment: true,
    make: (dir) => makeOpenSshKey(dir, { type: 'ecdsa', bits: 521, format: 'openssh' }),
  },
  {
    name: 'OpenSSH dsa',
    format: 'openssh',
    type: 'ssh-dss',
    encrypted: false,
    keepsComment: true,
    make: (dir) => makeOpenSshKey(dir, { type: 'dsa', format: 'openssh' }),
  },
  ...(['pem', 'pkcs8'] as const).flatMap((format) =>
    ([
      ['rsa', 'ssh-rsa'],
      ['ecdsa', 'ecdsa-sha2-nistp256'],
    ] as const).flatMap(([type, sshType]) =>
      [false, true].map((encrypted) => ({
        name: `${format.toUpperCase()} ${type}${encrypted ? ' with passphrase' : ''}`,
        format,
        type: sshType,
        encrypted,
        // The comment comes from the .pub that ssh-keygen writes beside the key.
        keepsComment: true,
        make: (dir: string) => makeOpenSshKey(dir, { type, format, ...pass(encrypted) }),
      })),
    ),
  ),
  {
    name: 'PEM ecdsa-384 with passphrase',
    format: 'pem',
    type: 'ecdsa-sha2-nistp384',
    encrypted: true,
    keepsComment: true,
    make: (dir) => makeOpenSshKey(dir, { type: 'ecdsa', bits: 384, format: 'pem', passphrase: PASSPHRASE }),
  },
  {
    name: 'PEM dsa',
    format: 'pem',
    type: 'ssh-dss',
    encrypted: false,
    keepsComment: true,
    make: (dir) => makeOpenSshKey(dir, { type: 'dsa', format: 'pem' }),
  },
];

// ssh-keygen cannot write Ed25519 as PKCS#8 (it falls back to OpenSSH format), so openssl makes those.
const withOpenssl = peersAvailable('openssl');
if (withOpenssl) {
  for (const encrypted of [false, true]) {
    cases.push({
      name: `PKCS8 ed25519 from openssl${encrypted ? ' with passphrase' : ''}`,
      format: 'pkcs8',
      type: 'ssh-ed25519',
      encrypted,
      keepsComment: false,
      make: (dir) => makeOpenSslEd25519Key(dir, pass(encrypted)),
    });
  }
}

/** Runs key generators two at a time: the machine has two cores. */
async function generateAll(dir: string, list: KeyCase[]): Promise<Map<string, RigKey>> {
  const made = new Map<string, RigKey>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const item = list[next++]!;
      made.set(item.name, await item.make(dir));
    }
  };
  await Promise.all([worker(), worker()]);
  return made;
}

async function caught(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JumpgateError);
    return error as JumpgateError;
  }
  throw new Error('expected the key loader to throw');
}

async function expectKeyError(
  promise: Promise<unknown>,
  code: ErrorCode,
  messageIncludes?: RegExp,
): Promise<JumpgateError> {
  const error = await caught(promise);
  expect(error.code).toBe(code);
  if (messageIncludes) expect(error.message).toMatch(messageIncludes);
  // Neither passphrase may ever reach a message a user, log or crash report sees.
  for (const secret of [PASSPHRASE, WRONG_PASSPHRASE]) {
    expect(error.message).not.toContain(secret);
    expect(error.hint ?? '').not.toContain(secret);
    expect(JSON.stringify(error.toInfo())).not.toContain(secret);
  }
  return error;
}

const base64Of = (publicLine: string): string => publicLine.split(' ')[1] ?? '';

describe('sshWire', () => {
  it('round-trips uint32, string and canonical mpints', () => {
    const data = new SshWriter()
      .uint32(0xfffffffe)
      .string('ssh-ed25519')
      .mpint(Buffer.from([0x00, 0x00, 0x80, 0x01]))
      .mpint(Buffer.from([0x7f]))
      .mpint(Buffer.alloc(0))
      .toBuffer();
    // 0x8001 needs a 0x00 prefix to stay positive; leading zeros of the input are dropped.
    expect(data.subarray(19, 26)).toEqual(Buffer.from([0, 0, 0, 3, 0x00, 0x80, 0x01]));
    const reader = new SshReader(data);
    expect(reader.readUint32()).toBe(0xfffffffe);
    expect(reader.readText()).toBe('ssh-ed25519');
    expect(reader.readMpint()).toEqual(Buffer.from([0x80, 0x01]));
    expect(reader.readMpint()).toEqual(Buffer.from([0x7f]));
    expect(reader.readMpint()).toEqual(Buffer.alloc(0));
    expect(reader.atEnd()).toBe(true);
  });

  it('throws on truncated data instead of reading past the end', () => {
    expect(() => new SshReader(Buffer.from([0, 0, 1])).readUint32()).toThrow(SshWireError);
    // A length field that promises more than there is, including an absurd one.
    expect(() => new SshReader(Buffer.from([0, 0, 0, 5, 1, 2])).readString()).toThrow(SshWireError);
    expect(() => new SshReader(Buffer.from([0xff, 0xff, 0xff, 0xff])).readString()).toThrow(SshWireError);
    expect(() => new SshReader(Buffer.from([0, 0, 0, 1, 0x80])).readMpint()).toThrow(/negative/);
    expect(() => new SshReader(Buffer.from([0, 0, 0, 1, 0xff])).readText()).toThrow(SshWireError);
  });
});

const available = peersAvailable('puttygen', 'ssh-keygen');

describe.skipIf(!available)('keyLoader with keys from PuTTYgen, ssh-keygen and openssl', () => {
  let dir: string;
  let keys: Map<string, RigKey>;
  const key = (name: string): RigKey => {
    const found = keys.get(name);
    if (!found) throw new Error(`no generated key named ${name}`);
    return found;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-keyloader-'));
    keys = await generateAll(dir, cases);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each(cases)('$name', (c) => {
    it('loads, matches the generator public key and fingerprint, and signs with ssh2', async () => {
      const rig = key(c.name);
      const original = await readFile(rig.privatePath);
      expect(detectKeyFormat(original)).toBe(c.format);
      expect(isKeyEncrypted(original)).toBe(c.encrypted);

      const loaded = await loadPrivateKeyFile(rig.privatePath, pass(c.encrypted));
      expect(loaded.format).toBe(c.format);
      expect(loaded.type).toBe(c.type);
      expect(loaded.publicKey.split(' ')[0]).toBe(c.type);
      expect(base64Of(loaded.publicKey)).toBe(base64Of(rig.publicKey));
      expect(loaded.fingerprint).toBe(await sshKeygenFingerprint(rig.publicPath));
      expect(loaded.comment).toBe(c.keepsComment ? rig.comment : '');
      if (c.keepsComment) expect(loaded.publicKey).toBe(`${c.type} ${base64Of(rig.publicKey)} ${rig.comment}`);

      // The output is always an unencrypted OpenSSH key.
      expect(detectKeyFormat(loaded.privateKey)).toBe('openssh');
      expect(isKeyEncrypted(loaded.privateKey)).toBe(false);

      // ssh2 takes it, and its signatures verify with the generator's public key.
      const parsed = utils.parseKey(loaded.privateKey);
      if (parsed instanceof Error) throw parsed;
      expect(parsed.type).toBe(c.type);
      expect(parsed.comment).toBe(loaded.comment);
      const generatorPublic = utils.parseKey(rig.publicKey);
      if (generatorPublic instanceof Error) throw generatorPublic;
      const data = randomBytes(64);
      const signature = parsed.sign(data);
      expect(signature).toBeInstanceOf(Buffer);
      expect(generatorPublic.verify(data, signature)).toBe(true);

      // OpenSSH itself reads the normalized key and derives the same public key.
      const normalizedPath = join(dir, `normalized-${c.format}-${c.type}-${c.encrypted ? 'enc' : 'plain'}-${randomBytes(4).toString('hex')}`);
      await writeFile(normalizedPath, loaded.privateKey, { mode: 0o600 });
      const { stdout } = await run(peerPath('ssh-keygen'), ['-y', '-f', normalizedPath]);
      expect(base64Of(stdout.trim())).toBe(base64Of(rig.publicKey));
      await rm(normalizedPath);
    });

    // Issue #13: the checklist shows the line to send before anything asks for a passphrase.
    if (c.encrypted && (c.format === 'pem' || c.format === 'pkcs8')) {
      it('keeps its public half behind the passphrase (the format encrypts it with the rest)', async () => {
        await expectKeyError(readPublicKeyFile(key(c.name).privatePath), 'PASSPHRASE_REQUIRED');
      });
    } else {
      it("reads its public line without a passphrase, as the generator printed it", async () => {
        const rig = key(c.name);
        const half = await readPublicKeyFile(rig.privatePath);
        expect(half).toMatchObject({ format: c.format, type: c.type, encrypted: c.encrypted, fingerprint: await sshKeygenFingerprint(rig.publicPath) });
        expect(base64Of(half.publicKey)).toBe(base64Of(rig.publicKey));
        if (c.keepsComment) expect(half.publicKey).toBe(`${c.type} ${base64Of(rig.publicKey)} ${rig.comment}`);
      });
    }

    // Plain `if` rather than it.runIf: a skipped test here would read like a missing peer.
    if (c.encrypted) {
      it('asks for the passphrase, and rejects a wrong one', async () => {
        const rig = key(c.name);
        const required = await expectKeyError(loadPrivateKeyFile(rig.privatePath), 'PASSPHRASE_REQUIRED');
        expect(detailsOf(required, 'PASSPHRASE_REQUIRED')?.format).toBe(c.format);
        await expectKeyError(loadPrivateKeyFile(rig.privatePath, { passphrase: '' }), 'PASSPHRASE_REQUIRED');
        const bad = await expectKeyError(loadPrivateKeyFile(rig.privatePath, { passphrase: WRONG_PASSPHRASE }), 'BAD_PASSPHRASE');
        if (c.format.startsWith('ppk')) expect(bad.hint).toMatch(/PuTTYgen/);
      });
    } else {
      it('ignores a passphrase given for an unencrypted key', async () => {
        const loaded = await loadPrivateKeyFile(key(c.name).privatePath, { passphrase: WRONG_PASSPHRASE });
        expect(base64Of(loaded.publicKey)).toBe(base64Of(key(c.name).publicKey));
      });
    }
  });

  describe('damaged and wrong inputs', () => {
    it('reports a flipped byte in the Private-Lines of an unencrypted PPK as unreadable, for v2 and v3', async () => {
      for (const name of ['PPK v2 ed25519', 'PPK v3 rsa']) {
        const text = await readFile(key(name).privatePath, 'latin1');
        const lines = text.split('\n');
        const at = lines.findIndex((line) => line.startsWith('Private-Lines:')) + 1;
        const line = lines[at]!;
        // Change one base64 digit in the middle: one byte of the private key changes.
        const i = Math.floor(line.length / 2);
        lines[at] = line.slice(0, i) + (line[i] === 'A' ? 'B' : 'A') + line.slice(i + 1);
        const error = await expectKeyError(
          parsePrivateKey(lines.join('\n'), { sourceName: 'flipped.ppk' }),
          'KEY_UNREADABLE',
          /PuTTY PPK v[23].*Private-MAC/,
        );
        expect(error.message).toContain('flipped.ppk');
      }
    });

    it('names the truncation in a PPK cut inside its Private-Lines', async () => {
      const text = await readFile(key('PPK v3 rsa-4096 with passphrase (PuTTYgen default Argon2id parameters)').privatePath, 'latin1');
      const cut = text.slice(0, text.indexOf('Private-Lines:') + 200);
      await expectKeyError(parsePrivateKey(cut, { passphrase: PASSPHRASE }), 'KEY_UNREADABLE', /PuTTY PPK v3 .*Private-Lines are truncated/);
      // Missing the MAC line: the last lines of the file are gone.
      const noMac = text.slice(0, text.indexOf('Private-MAC:'));
      await expectKeyError(parsePrivateKey(noMac, { passphrase: PASSPHRASE }), 'KEY_UNREADABLE', /PuTTY PPK v3 .*truncated/);
    });

    it('names the truncation in OpenSSH and PEM files', async () => {
      for (const [name, pattern] of [
        ['OpenSSH ed25519', /OpenSSH private key.*truncated/],
        ['PEM rsa', /PEM RSA private key.*truncated/],
        ['PKCS8 ecdsa with passphrase', /PKCS#8.*truncated/],
      ] as const) {
        const text = await readFile(key(name).privatePath, 'latin1');
        await expectKeyError(parsePrivateKey(text.slice(0, Math.floor(text.length / 2)), { passphrase: PASSPHRASE }), 'KEY_UNREADABLE', pattern);
      }
    });

    it('reports lines cut out of the middle of an OpenSSH key as damaged', async () => {
      const lines = (await readFile(key('OpenSSH rsa').privatePath, 'latin1')).split('\n');
      lines.splice(3, 2);
      await expectKeyError(parsePrivateKey(lines.join('\n')), 'KEY_UNREADABLE', /OpenSSH private key but it is damaged or truncated/);
    });

    it('refuses a public key given as the private key', async () => {
      const rig = key('OpenSSH ed25519');
      await expectKeyError(loadPrivateKeyFile(rig.publicPath), 'KEY_UNREADABLE', /not a private key: found a public key/);
      const rfc4716 = (await run(peerPath('ssh-keygen'), ['-e', '-f', rig.publicPath])).stdout;
      await expectKeyError(parsePrivateKey(rfc4716), 'KEY_UNREADABLE', /not a private key: found a public key \(RFC 4716/);
    });

    it('refuses random bytes and empty input', async () => {
      const noise = randomBytes(2048);
      expect(detectKeyFormat(noise)).toBe('unknown');
      expect(isKeyEncrypted(noise)).toBe(false);
      await expectKeyError(parsePrivateKey(noise), 'KEY_UNREADABLE', /unknown format/);
      await expectKeyError(parsePrivateKey(''), 'KEY_UNREADABLE', /empty/);
    });

    it('refuses a PPK whose Argon2 parameters would exhaust memory, without running Argon2', async () => {
      const text = await readFile(key('PPK v3 ed25519 with passphrase').privatePath, 'latin1');
      const greedy = text.replace(/^Argon2-Memory: \d+$/m, 'Argon2-Memory: 4194304');
      await expectKeyError(parsePrivateKey(greedy, { passphrase: PASSPHRASE }), 'KEY_KDF_TOO_EXPENSIVE', /Argon2-Memory 4194304 KiB/);
    });

    it('says which PPK version it cannot read', async () => {
      const text = await readFile(key('PPK v3 ed25519').privatePath, 'latin1');
      expect(detectKeyFormat(text.replace('File-3', 'File-4'))).toBe('unknown');
      await expectKeyError(parsePrivateKey(text.replace('File-3', 'File-4')), 'KEY_UNREADABLE', /version 4 is newer/);
    });

    it('reports a missing file as KEY_NOT_FOUND and a folder as unreadable', async () => {
      await expectKeyError(loadPrivateKeyFile(join(dir, 'no-such-key')), 'KEY_NOT_FOUND', /no-such-key/);
      const folder = join(dir, 'a-folder');
      await mkdir(folder, { recursive: true });
      await expectKeyError(loadPrivateKeyFile(folder), 'KEY_UNREADABLE', /folder/);
    });
  });

  describe('input handling', () => {
    it('reads a PPK saved with Windows line endings, given as a string', async () => {
      const rig = key('PPK v2 rsa with passphrase');
      const crlf = (await readFile(rig.privatePath, 'utf8')).replace(/\n/g, '\r\n');
      const loaded = await parsePrivateKey(crlf, { passphrase: PASSPHRASE });
      expect(base64Of(loaded.publicKey)).toBe(base64Of(rig.publicKey));
    });

    it('takes a PEM comment from the .pub beside it only when the key matches', async () => {
      const rig = key('PEM rsa');
      const loaded = await parsePrivateKey(await readFile(rig.privatePath));
      // Without the file beside it, PEM has no comment to offer.
      expect(loaded.comment).toBe('');
      expect(loaded.publicKey).toBe(`ssh-rsa ${base64Of(rig.publicKey)}`);

      // A .pub beside it that belongs to another key lends nothing.
      const copy = join(dir, 'pem-with-foreign-pub');
      await writeFile(copy, await readFile(rig.privatePath), { mode: 0o600 });
      await writeFile(`${copy}.pub`, `${key('PKCS8 rsa').publicKey}\n`);
      expect((await loadPrivateKeyFile(copy)).comment).toBe('');
    });
  });

  // Characterization of ssh2 1.17, the reason this loader exists. If one of
  // these starts failing, ssh2 learned a format and the conversion may be dropped.
  describe('what ssh2 cannot read by itself', () => {
    it.each([
      ['PPK v3 ed25519', false],
      ['PPK v3 rsa', false],
      ['PPK v2 ed25519', false],
      ['PPK v2 ecdsa', false],
      ['PKCS8 rsa', false],
      ['PKCS8 ecdsa with passphrase', true],
    ] as const)('%s', async (name, encrypted) => {
      const data = await readFile(key(name).privatePath);
      expect(utils.parseKey(data, encrypted ? PASSPHRASE : undefined)).toBeInstanceOf(Error);
    });
  });
});
