import { getCiphers } from 'node:crypto';
import type { Algorithms, AnyAuthMethod, Client, ParsedKey, SignCallback, SigningRequestOptions } from 'ssh2';
import { JumpgateError } from '../../../shared/model/errors';
import { BaseAgent, createAgent, parseKey } from './ssh2Parts';

/**
 * What Jumpgate offers a jump box in the SSH handshake and signs with at login (issue #17):
 * what OpenSSH 9's client offers by default, and no more. ssh2's own defaults go further: they
 * offer the `ssh-rsa` (SHA-1) host-key algorithm, zlib before authentication and two extra
 * Diffie-Hellman groups, and sign with an RSA user key using SHA-1 whenever the server does not
 * send `server-sig-algs`. SHA-1 `ssh-rsa` comes back only for a profile that opts in
 * (`options.allowSshRsaSha1`), for a jump box too old to speak anything else.
 */

/** The legacy algorithm a profile may opt in to, by name: RSA with SHA-1, for host keys and user-key signatures. */
export const LEGACY_RSA = 'ssh-rsa';

/** OpenSSH 9's KexAlgorithms default, less sntrup761 (ssh2 does not implement it). */
const KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
] as const;

/**
 * OpenSSH 9's HostKeyAlgorithms default, less certificates and security keys (ssh2 verifies
 * neither). Never `ssh-rsa`: an RSA host key is still accepted, signed with SHA-2 (RFC 8332).
 */
const HOST_KEY = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'] as const;

/**
 * OpenSSH 9's Ciphers default, in ssh2's order (AES-GCM first: hardware AES makes it the fastest
 * here, and throughput is what a tunnel is for). Each only where this runtime's crypto has it
 * (Electron's BoringSSL may lack ChaCha20); ssh2 refuses a name it cannot run.
 */
const CIPHERS = [
  ['aes128-gcm@openssh.com', 'aes-128-gcm'],
  ['aes256-gcm@openssh.com', 'aes-256-gcm'],
  ['aes128-ctr', 'aes-128-ctr'],
  ['aes192-ctr', 'aes-192-ctr'],
  ['aes256-ctr', 'aes-256-ctr'],
  ['chacha20-poly1305@openssh.com', 'chacha20'],
] as const;

/** OpenSSH 9's MACs default, less UMAC (ssh2 does not implement it). Unused with the AEAD ciphers above. */
const MACS = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1'] as const;

/** OpenSSH's client compresses only when asked (Compression no); ssh2 would offer zlib before login. */
const COMPRESSION = ['none'] as const;

export interface AlgorithmPolicy {
  /** Offer `ssh-rsa` host keys and sign with RSA/SHA-1 if nothing better is accepted: the profile's opt-in. */
  allowSshRsaSha1: boolean;
}

/** The key type a host-key algorithm verifies (`rsa-sha2-512` signs with an `ssh-rsa` key). */
function keyTypeOf(algorithm: string): string {
  return algorithm.startsWith('rsa-sha2-') ? LEGACY_RSA : algorithm;
}

/**
 * The host-key algorithms to offer, those of a type pinned for this host first: a box with an
 * Ed25519 and an RSA key presents the one Jumpgate pinned, not whichever it prefers.
 */
export function hostKeyAlgorithms(pinnedTypes: Iterable<string>, policy: AlgorithmPolicy): string[] {
  const offered: string[] = [...HOST_KEY, ...(policy.allowSshRsaSha1 ? [LEGACY_RSA] : [])];
  const pinned = new Set(pinnedTypes);
  const preferred = offered.filter((algorithm) => pinned.has(keyTypeOf(algorithm)));
  return [...preferred, ...offered.filter((algorithm) => !preferred.includes(algorithm))];
}

/** Everything a connection offers in its key exchange, as ssh2's `algorithms` option (exact lists, not edits of ssh2's defaults). */
export function offeredAlgorithms(pinnedTypes: Iterable<string>, policy: AlgorithmPolicy): Algorithms {
  const available = new Set(getCiphers());
  return {
    kex: [...KEX],
    serverHostKey: hostKeyAlgorithms(pinnedTypes, policy),
    cipher: CIPHERS.filter(([, openssl]) => available.has(openssl)).map(([name]) => name),
    hmac: [...MACS],
    compress: [...COMPRESSION],
  } as Algorithms;
}

/**
 * An RSA key that ssh2 signs with exactly `algorithm`. ssh2 picks an RSA key's signature from
 * the server's `server-sig-algs` and falls back to SHA-1 `ssh-rsa` when the server sends none;
 * a key whose type is the signature algorithm itself skips that choice (ssh2 names the request
 * after the type and signs with what `sign` does), so Jumpgate decides, not the server.
 */
function signingAs(key: ParsedKey, algorithm: 'rsa-sha2-512' | 'rsa-sha2-256', hash: 'sha512' | 'sha256'): ParsedKey {
  return signedAtOnce(
    Object.create(key, {
      type: { value: algorithm },
      sign: { value: (data: Buffer | string) => key.sign(data, hash) },
    }) as ParsedKey,
  );
}

/** Marks a key file's key whose login request goes out signed, without the "would you accept" query first. */
const SIGN_AT_ONCE = Symbol('jumpgate.signAtOnce');

/**
 * A key from a file, sent signed at once (as OpenSSH does for a private key it holds without a
 * .pub beside it): the query first costs a round trip, 50-150 ms to a jump box abroad, and tells
 * the server nothing the signed request does not. Agent keys keep the query, so an agent that
 * confirms each signature (ssh-add -c, Pageant's confirm) is asked only for a key the box takes.
 */
function signedAtOnce(key: ParsedKey): ParsedKey {
  return Object.create(key, { [SIGN_AT_ONCE]: { value: true } }) as ParsedKey;
}

/** The signature algorithm a key must be offered under, whatever the server's `server-sig-algs` says. */
const OFFER_AS = Symbol('jumpgate.offerAs');

/**
 * An RSA key offered as SHA-1 `ssh-rsa`. ssh2 cannot do that on its own against a box that lists
 * rsa-sha2 in `server-sig-algs` (it renames the request rsa-sha2-256, which such a box refuses),
 * so the key carries the name it is to be offered under, and `sendKeysAsPlanned` makes ssh2 use it.
 * `sign` says what answering the box does: sign with SHA-1 (allowed), or refuse and report.
 */
function offeredAsSshRsa(key: ParsedKey, sign: (data: Buffer | string) => Buffer | Error): ParsedKey {
  return Object.create(key, { [OFFER_AS]: { value: LEGACY_RSA }, sign: { value: sign } }) as ParsedKey;
}

/** The part of ssh2's protocol object that sends a publickey request (not in its typings). */
type PublicKeyRequest = (
  username: string,
  key: ParsedKey,
  keyAlgo?: string | PublicKeySigner,
  cbSign?: PublicKeySigner,
) => void;
/** ssh2's signing step: given the data to sign, answers with the signature, and then sends the request. */
type PublicKeySigner = (data: Buffer, answer: (signature: Buffer) => void) => void;

/**
 * Make the connecting `client` send publickey requests as the login plan marked them: a key
 * marked by `offeredAsSshRsa` under `ssh-rsa` (only an RSA key already refused with both SHA-2
 * signatures), and a key marked by `signedAtOnce` signed in its first request, where ssh2 would
 * send the unsigned query first and sign only after the server's PK_OK. ssh2 handles the answer
 * to a signed request as its own (success, or failure and the next attempt). One of the two
 * places Jumpgate reaches into ssh2's protocol object at login (`Protocol#authPK`, 1.17.0; the
 * tests in sshAlgorithms.test.ts fail if it stops being used); loginPipelining.ts is the other.
 * Call right after `client.connect()`.
 */
export function sendKeysAsPlanned(client: Client): void {
  const protocol = (client as unknown as { _protocol?: { authPK?: PublicKeyRequest } })._protocol;
  const send = protocol?.authPK;
  if (!protocol || typeof send !== 'function') return;
  protocol.authPK = function (this: unknown, username, key, keyAlgo, cbSign) {
    const marked = key as ParsedKey & { [OFFER_AS]?: string; [SIGN_AT_ONCE]?: boolean };
    const signer = typeof keyAlgo === 'function' ? keyAlgo : cbSign;
    const algorithm = marked[OFFER_AS] ?? (typeof keyAlgo === 'function' ? undefined : keyAlgo);
    if (signer === undefined && marked[SIGN_AT_ONCE]) {
      const query = (): void => send.call(this, username, key, algorithm);
      return send.call(this, username, key, algorithm, (data, answer) => {
        const signature = marked.sign(data);
        // A key that cannot sign (it never happens with a parsed private key) falls back to ssh2's own path.
        if (signature instanceof Error) query();
        else answer(signature);
      });
    }
    return send.call(this, username, key, algorithm, signer);
  };
}

/** The key type of an agent identity, whichever form the agent gave it in. */
function identityType(key: string | Buffer | ParsedKey): string | undefined {
  const parsed = typeof key === 'object' && 'getPublicSSH' in key ? key : parseKey(key);
  const single = Array.isArray(parsed) ? parsed[0] : parsed;
  return single && !(single instanceof Error) ? single.type : undefined;
}

/**
 * An SSH agent that never makes a SHA-1 `ssh-rsa` signature unless the profile allows it. ssh2
 * chooses an agent's RSA signature from `server-sig-algs` and asks for SHA-1 when the server
 * sends none (or lists no rsa-sha2); that request is refused here, and `onSha1Wanted` learns the
 * box wanted one, so the failure names it. Everything else goes to the agent unchanged.
 */
class NoSha1Agent extends BaseAgent {
  constructor(
    private readonly inner: BaseAgent,
    private readonly onSha1Wanted: () => void,
  ) {
    super();
  }

  getIdentities(cb: Parameters<BaseAgent['getIdentities']>[0]): void {
    this.inner.getIdentities(cb);
  }

  sign(pubKey: string | Buffer | ParsedKey, data: Buffer, options: SigningRequestOptions, cb?: SignCallback): void;
  sign(pubKey: string | Buffer | ParsedKey, data: Buffer, cb: SignCallback): void;
  sign(pubKey: string | Buffer | ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    const [settings, done]: [SigningRequestOptions, SignCallback] = typeof options === 'function' ? [{}, options] : [options, cb ?? (() => undefined)];
    if (identityType(pubKey) === LEGACY_RSA && (settings.hash ?? 'sha1') === 'sha1') {
      this.onSha1Wanted();
      done(new Error('the jump box accepts this RSA key only with SHA-1 ssh-rsa signatures, which this profile does not allow'));
      return;
    }
    this.inner.sign(pubKey, data, settings, done);
  }
}

export interface LoginPlan {
  /** ssh2's `authHandler`: the attempts in order. */
  attempts: AnyAuthMethod[];
  /** Whether the jump box turned down every SHA-2 signature but would take a SHA-1 one (known once it said so). */
  wantsSha1UserKey(): boolean;
}

/**
 * How to log in: the key, then the agent, and `none` only when there is neither. No `none`
 * probe first (ssh2's and OpenSSH's habit, to learn the methods the box takes): it costs a round
 * trip, and a refused key's answer lists the methods anyway. A key from a file goes out signed at
 * once (see `signedAtOnce`). An RSA key signs with rsa-sha2-512, then rsa-sha2-256 (as OpenSSH
 * orders them); then, with the profile's opt-in, with SHA-1 `ssh-rsa`, and without it only asks
 * whether `ssh-rsa` would have been accepted, to say why the login failed. An agent signs as ssh2
 * negotiates it, except with SHA-1 (NoSha1Agent).
 */
export function loginPlan(username: string, credentials: { privateKey?: Buffer; agent?: string | BaseAgent }, policy: AlgorithmPolicy): LoginPlan {
  let sha1Wanted = false;
  const attempts: AnyAuthMethod[] = [];
  if (credentials.privateKey) {
    const parsed = parseKey(credentials.privateKey);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) throw new JumpgateError('KEY_UNREADABLE', `The SSH library could not use the loaded key: ${key instanceof Error ? key.message : 'no key'}.`);
    if (key.type === LEGACY_RSA) {
      attempts.push({ type: 'publickey', username, key: signingAs(key, 'rsa-sha2-512', 'sha512') });
      attempts.push({ type: 'publickey', username, key: signingAs(key, 'rsa-sha2-256', 'sha256') });
      // The last try asks under SHA-1 `ssh-rsa`. Without the opt-in it only asks (the SSH "would you
      // accept this key" query carries no signature): a yes is refused here and named in the error.
      const sha1 = policy.allowSshRsaSha1
        ? (data: Buffer | string) => key.sign(data, 'sha1')
        : () => {
            sha1Wanted = true;
            return new Error('the jump box accepts this RSA key only with SHA-1 ssh-rsa signatures, which this profile does not allow');
          };
      attempts.push({ type: 'publickey', username, key: offeredAsSshRsa(key, sha1) });
    } else {
      attempts.push({ type: 'publickey', username, key: signedAtOnce(key) });
    }
  }
  if (credentials.agent) {
    const agent = typeof credentials.agent === 'string' ? createAgent(credentials.agent) : credentials.agent;
    attempts.push({ type: 'agent', username, agent: policy.allowSshRsaSha1 ? agent : new NoSha1Agent(agent, () => (sha1Wanted = true)) });
  }
  // Nothing to offer: some boxes let `none` through, and a refusal names what they would take.
  if (attempts.length === 0) attempts.push({ type: 'none', username });
  return { attempts, wantsSha1UserKey: () => sha1Wanted };
}

/** The hint every SSH_ALGORITHM_LEGACY carries: where the per-profile opt-in is, and what the better fix is. */
const ALLOW_LEGACY_HINT =
  'Best: ask the administrator to give the jump box an Ed25519 or ECDSA key, or to accept rsa-sha2-256/512 (OpenSSH 7.2 and later do). ' +
  'If you must connect now, allow ssh-rsa (SHA-1) for this profile only: in the profile editor under Options, tick "Allow ssh-rsa (SHA-1) for this jump box" ' +
  '(options.allowSshRsaSha1 in the profile). Other profiles stay on SHA-2.';

/** The jump box presents only an `ssh-rsa` host key with SHA-1 signatures. */
export function legacyHostKeyError(host: string, port: number, cause?: unknown): JumpgateError<'SSH_ALGORITHM_LEGACY'> {
  return new JumpgateError(
    'SSH_ALGORITHM_LEGACY',
    `The jump box ${host}:${port} offers only the ssh-rsa host-key algorithm (RSA with SHA-1), which Jumpgate, like OpenSSH 8.8 and later, does not accept by default. Nothing was sent to it.`,
    { hint: ALLOW_LEGACY_HINT, details: { host, port, algorithm: LEGACY_RSA, use: 'host-key' }, ...(cause === undefined ? {} : { cause }) },
  );
}

/** The jump box would take the user's RSA key only with an SHA-1 `ssh-rsa` signature. */
export function legacyUserKeyError(host: string, port: number, user: string, cause?: unknown): JumpgateError<'SSH_ALGORITHM_LEGACY'> {
  return new JumpgateError(
    'SSH_ALGORITHM_LEGACY',
    `The jump box ${host}:${port} accepts user "${user}"'s RSA key only with ssh-rsa signatures (SHA-1), which Jumpgate, like OpenSSH 8.8 and later, does not make by default; it refused rsa-sha2-512 and rsa-sha2-256. Nothing was signed with SHA-1.`,
    { hint: ALLOW_LEGACY_HINT, details: { host, port, algorithm: LEGACY_RSA, use: 'user-key' }, ...(cause === undefined ? {} : { cause }) },
  );
}
