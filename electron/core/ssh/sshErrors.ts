import { JumpgateError } from '../../../shared/model/errors';
import { sshFingerprint, type HostKey, type HostKeyVerdict } from './knownHosts';

/** Where a connection attempt got to, so an error can be named precisely. */
export interface AttemptContext {
  host: string;
  port: number;
  user: string;
  /** What was presented in the handshake and how it was judged (absent if the handshake never got there). */
  hostKey?: { key: HostKey; verdict: HostKeyVerdict; pinned: HostKey[] };
  /** The client key's fingerprint, to name it in AUTH_FAILED. */
  clientKeyFingerprint?: string;
  /** The SSH agent offering the keys, when the hop uses one: named in AUTH_FAILED and AGENT_UNAVAILABLE. */
  agent?: { label: string; unavailable(reason: string): JumpgateError };
  readyTimeoutMs: number;
  /** Jumpgate's known_hosts, where the pins live: a changed key's hint says where to look. */
  knownHostsPath?: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

/** Errors worth retrying once a jump host has been reached before: the network, not the configuration. */
export function isTransient(error: JumpgateError): boolean {
  return error.code === 'JUMP_HOST_UNREACHABLE' || error.code === 'JUMP_HOST_TIMEOUT' || error.code === 'JUMP_HOST_LOST';
}

export function hostKeyUnknownError(context: AttemptContext, key: HostKey): JumpgateError {
  const fingerprint = sshFingerprint(key.blob);
  return new JumpgateError(
    'HOST_KEY_UNKNOWN',
    `Jumpgate has not seen the jump box ${context.host}:${context.port} before. Its ${key.type} host key fingerprint is ${fingerprint}.`,
    {
      hint: 'Compare this fingerprint with the one your administrator published for the jump box, then trust it to connect.',
      details: { host: context.host, port: context.port, keyType: key.type, fingerprint, publicKey: key.blob.toString('base64') },
    },
  );
}

export function hostKeyMismatchError(context: AttemptContext, key: HostKey, pinned: HostKey[]): JumpgateError<'HOST_KEY_MISMATCH'> {
  const fingerprint = sshFingerprint(key.blob);
  const expected = pinned.map((entry) => `${entry.type} ${sshFingerprint(entry.blob)}`).join(', ');
  return new JumpgateError(
    'HOST_KEY_MISMATCH',
    `The jump box ${context.host}:${context.port} presented ${key.type} key ${fingerprint}, but the pinned key is ${expected}. The connection was refused and nothing was forwarded.`,
    {
      hint:
        'Do not connect. Someone may be intercepting the connection, or the jump box was rebuilt: ask your administrator for the new fingerprint. ' +
        `The pinned key is in ${context.knownHostsPath ?? "Jumpgate's known_hosts"} (jumpgate host-key show <profile> lists it); once the administrator confirms ${fingerprint}, ` +
        `replace it with: jumpgate host-key trust <profile> --fingerprint ${fingerprint} --replace`,
      details: {
        host: context.host,
        port: context.port,
        keyType: key.type,
        fingerprint,
        expected,
        publicKey: key.blob.toString('base64'),
        ...(context.knownHostsPath ? { knownHostsPath: context.knownHostsPath } : {}),
      },
    },
  );
}

/**
 * The presented key is `@revoked` in known_hosts: refused whatever else is pinned,
 * and never offered for trust (pinning it again would not help, and must not).
 */
export function hostKeyRevokedError(context: AttemptContext, key: HostKey): JumpgateError {
  const fingerprint = sshFingerprint(key.blob);
  return new JumpgateError(
    'HOST_KEY_REVOKED',
    `The jump box ${context.host}:${context.port} presented ${key.type} key ${fingerprint}, which is marked @revoked in Jumpgate's known_hosts. The connection was refused and nothing was forwarded.`,
    {
      hint: 'Do not connect. The key was revoked (compromised or retired): ask your administrator for the jump box\'s current host key.',
      details: { host: context.host, port: context.port, keyType: key.type, fingerprint },
    },
  );
}

/** Map an ssh2 or socket error from a connection attempt onto a stable code and a hint. */
export function classifyConnectError(error: unknown, context: AttemptContext): JumpgateError {
  if (error instanceof JumpgateError) return error;
  const where = `${context.host}:${context.port}`;
  const hostKey = context.hostKey;
  if (hostKey && hostKey.verdict === 'revoked') return hostKeyRevokedError(context, hostKey.key);
  if (hostKey && hostKey.verdict === 'unknown') return hostKeyUnknownError(context, hostKey.key);
  if (hostKey && hostKey.verdict === 'mismatch') return hostKeyMismatchError(context, hostKey.key, hostKey.pinned);

  const err = error as (Error & { code?: string; level?: string }) | undefined;
  const message = err?.message ?? String(error);
  // ssh2 marks every failure to reach or use the agent (cannot connect, Pageant not running, refused to sign).
  if (err?.level === 'agent' && context.agent) {
    return Object.assign(context.agent.unavailable(message.replace(/\.$/, '')), { cause: error });
  }
  if (err?.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    if (context.agent) {
      return new JumpgateError('AUTH_FAILED', `The jump box ${where} refused user "${context.user}" with every key ${context.agent.label} offered.`, {
        hint: `Check the user name, that ${context.agent.label} holds your key (an agent with no keys offers none), and that its public key is in ~/.ssh/authorized_keys for "${context.user}" on the jump box.`,
        cause: error,
      });
    }
    const key = context.clientKeyFingerprint ? ` with key ${context.clientKeyFingerprint}` : '';
    return new JumpgateError('AUTH_FAILED', `The jump box ${where} refused user "${context.user}"${key}.`, {
      hint: `Check the user name, and that this public key is in ~/.ssh/authorized_keys for "${context.user}" on the jump box.`,
      cause: error,
    });
  }
  if (err?.code && UNREACHABLE_CODES.has(err.code)) {
    return new JumpgateError('JUMP_HOST_UNREACHABLE', `Could not reach the jump box at ${where} (${err.code}).`, {
      hint: 'Check the host and port, that the jump box is running, and that its security group allows your IP on the SSH port.',
      cause: error,
    });
  }
  if (err?.level === 'client-timeout' || err?.code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) {
    return new JumpgateError(
      'JUMP_HOST_TIMEOUT',
      `The jump box at ${where} did not answer within ${Math.round(context.readyTimeoutMs / 1000)} s.`,
      {
        hint: 'Packets are probably being dropped: check that the security group allows your current public IP on the SSH port, and your VPN.',
        cause: error,
      },
    );
  }
  return new JumpgateError('JUMP_HOST_LOST', `The connection to the jump box at ${where} closed: ${message}.`, {
    hint: 'Jumpgate retries on its own; if this repeats, run the doctor for this profile.',
    cause: error,
  });
}
