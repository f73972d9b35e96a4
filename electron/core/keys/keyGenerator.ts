import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JumpgateError } from '../../../shared/model/errors';
import { platformFilePrivacy, type FilePrivacy } from '../files/filePrivacy';
import { expandHome } from '../platform/homePath';
import { loadPrivateKeyFile } from '../ssh/keyLoader';
import { generateKeyPair, parseKey } from '../ssh/ssh2Parts';

export type GeneratedKeyType = 'ed25519' | 'rsa';

export interface GenerateKeyOptions {
  type: GeneratedKeyType;
  /** Where the private key goes; the public key is written beside it as `<path>.pub`. */
  path: string;
  /** Encrypts the private key (bcrypt KDF, aes256-ctr, as ssh-keygen does); empty or absent leaves it unencrypted. */
  passphrase?: string;
  /** The public key's comment, e.g. "alice@laptop": how the administrator tells keys apart. */
  comment: string;
}

export interface GeneratedKey {
  privatePath: string;
  publicPath: string;
  /** The one line to send to the jump box's administrator (authorized_keys format, with the comment). */
  publicKey: string;
  fingerprint: string;
}

/** RSA is offered at 4096 bits only: smaller keys are what security reviews flag. */
const RSA_BITS = 4096;
/** ssh-keygen's defaults for new-format keys. */
const CIPHER = 'aes256-ctr';
const KDF_ROUNDS = 16;

export interface KeyPairText {
  private: string;
  public: string;
}

/** Makes one pair in OpenSSH text form; ssh2's generator in the app, a stand-in where a test needs a bad draw. */
export type PairMaker = (options: GenerateKeyOptions) => Promise<KeyPairText>;

function generateWithSsh2(options: GenerateKeyOptions): Promise<KeyPairText> {
  const encryption = options.passphrase ? { passphrase: options.passphrase, cipher: CIPHER, rounds: KDF_ROUNDS } : {};
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, pair: KeyPairText) => (error ? reject(error) : resolve(pair));
    if (options.type === 'rsa') generateKeyPair('rsa', { bits: RSA_BITS, comment: options.comment, ...encryption }, done);
    else generateKeyPair('ed25519', { comment: options.comment, ...encryption }, done);
  });
}

/**
 * ssh2 1.17's generator strips every leading zero byte from an ed25519 public
 * key, not only the BIT STRING's padding byte, so about one key in 256 comes out
 * 31 bytes long and no SSH implementation reads it (mscdex/ssh2#1390, #1513,
 * open). The draw is random, so a pair that does not parse is simply drawn
 * again before anything touches the disk; eight bad draws in a row would take
 * odds of 256^-8.
 */
const MAX_DRAWS = 8;

async function wellFormedPair(options: GenerateKeyOptions, makePair: PairMaker): Promise<KeyPairText> {
  let problem = '';
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const pair = await makePair(options);
    const parsed = parseKey(pair.public);
    if (!(parsed instanceof Error)) return pair;
    problem = parsed.message;
  }
  throw new JumpgateError('INTERNAL', `The key generator made ${MAX_DRAWS} unreadable ${options.type} keys in a row (${problem}); nothing was written.`, {
    hint: 'Try again; if it keeps failing, create the key with ssh-keygen and load it instead.',
  });
}

/**
 * Create a file that must not exist yet, with the given mode from the first byte (no chmod window);
 * with `privacy`, made the user's alone (an access list on Windows) while it is still empty.
 */
async function writeNew(path: string, text: string, mode: number, privacy?: FilePrivacy): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await privacy?.restrict(path);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A new SSH key pair in OpenSSH format, as ssh-keygen would write it: the
 * private key readable by the user only (0600), the public key beside it. An
 * existing file is never overwritten: losing a key that is authorized somewhere
 * locks its owner out.
 */
export async function generateKey(
  options: GenerateKeyOptions,
  makePair: PairMaker = generateWithSsh2,
  privacy: FilePrivacy = platformFilePrivacy(),
): Promise<GeneratedKey> {
  const privatePath = expandHome(options.path.trim());
  const publicPath = `${privatePath}.pub`;
  if (options.comment.includes('\n')) throw new JumpgateError('BAD_REQUEST', 'The key comment must be one line.');
  const pair = await wellFormedPair(options, makePair);
  await mkdir(dirname(privatePath), { recursive: true, mode: 0o700 });
  try {
    await writeNew(privatePath, pair.private, 0o600, privacy);
  } catch (error) {
    throw existsOr(error, privatePath);
  }
  try {
    await writeNew(publicPath, `${pair.public}\n`, 0o644);
  } catch (error) {
    // Half a pair is worse than none: the private key we just wrote goes too.
    await rm(privatePath, { force: true });
    throw existsOr(error, publicPath);
  }
  // Read back through the same loader the engine uses: proves the file is what a connect will accept.
  // A pair that fails it is taken back: a key on disk that never loads only misleads its owner.
  let loaded;
  try {
    loaded = await loadPrivateKeyFile(privatePath, options.passphrase ? { passphrase: options.passphrase } : {});
  } catch (error) {
    await Promise.all([rm(privatePath, { force: true }), rm(publicPath, { force: true })]);
    throw error;
  }
  return { privatePath, publicPath, publicKey: loaded.publicKey, fingerprint: loaded.fingerprint };
}

function existsOr(error: unknown, path: string): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return error;
  return new JumpgateError('KEY_EXISTS', `There is already a file at ${path}; it was left as it is.`, {
    hint: 'Choose another file name, or load the existing key instead of replacing it.',
    details: { path },
  });
}
