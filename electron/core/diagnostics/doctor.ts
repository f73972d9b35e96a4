import { connect as netConnect } from 'node:net';
import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import { engineFamily, type DbTarget, type Profile } from '../../../shared/model/profile';
import type { JumpHostPool } from '../ssh/jumpHostPool';
import { loadPrivateKeyFile } from '../ssh/keyLoader';
import type { DbCredentials } from '../aws/secrets';
import { readDbGreeting } from './dbGreeting';
import { checkDbLogin } from './dbLogin';

/** The doctor's steps, in the order a connection needs them. */
export const CHECKS = [
  { id: 'aws-credentials', title: 'AWS credentials' },
  { id: 'region', title: 'AWS region' },
  { id: 'ip-allowed', title: 'Your IP allowed on the jump box' },
  { id: 'tcp', title: 'Jump box reachable (TCP)' },
  { id: 'key', title: 'SSH key readable' },
  { id: 'host-key', title: 'Jump box host key' },
  { id: 'auth', title: 'SSH login' },
  { id: 'forward', title: 'Jump box reaches the database' },
  { id: 'db-greeting', title: 'Database answers' },
  { id: 'db-login', title: 'Database accepts the password' },
] as const;

export type CheckId = (typeof CHECKS)[number]['id'];

export interface CheckResult {
  id: CheckId;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  /** What was found (pass), why it was skipped, or the failure's message. */
  detail: string;
  error?: ErrorInfo;
}

export interface DoctorReport {
  checks: CheckResult[];
  /** The first failing step: where to look. */
  firstFailure?: CheckId;
}

/** What the doctor needs from the service: each AWS step is a function so profiles without AWS skip them. */
export interface DoctorDeps {
  profile: Profile;
  target?: DbTarget;
  /** A pool of its own, so the doctor's probe never disturbs running tunnels. */
  pool: JumpHostPool;
  passphraseFor: (keyPath: string) => Promise<string | undefined>;
  whoAmI: () => Promise<string>;
  regionCheck: () => Promise<string>;
  /** Undefined when the profile names no security group or instance. */
  ipCheck?: () => Promise<{ allowed: boolean; ip: string; groups: string[] }>;
  resolveRemote: (target: DbTarget) => Promise<{ host: string; port: number }>;
  /** The target's credentials, read from Secrets Manager on each call. */
  credentialsFor: (target: DbTarget) => Promise<DbCredentials>;
  usesAws: boolean;
  timeoutMs?: number;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * The ordered checks: AWS credentials -> region -> IP allowed -> TCP -> key ->
 * host key -> login -> forward -> database greeting -> database login. After the first failure
 * the later steps are skipped ("not reached"), so the report points at one place.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const { profile, target } = deps;
  const firstHop = profile.jumpHost.via[0] ?? profile.jumpHost;
  let failed: CheckId | undefined;

  const step = async (id: CheckId, run: () => Promise<string | { skip: string }>): Promise<void> => {
    const title = CHECKS.find((check) => check.id === id)?.title ?? id;
    if (failed) {
      results.push({ id, title, status: 'skip', detail: `not reached: "${CHECKS.find((check) => check.id === failed)?.title}" failed first` });
      return;
    }
    try {
      const outcome = await run();
      results.push(typeof outcome === 'string' ? { id, title, status: 'pass', detail: outcome } : { id, title, status: 'skip', detail: outcome.skip });
    } catch (error) {
      const info = toErrorInfo(error);
      failed = id;
      results.push({ id, title, status: 'fail', detail: info.message, error: info });
    }
  };

  await step('aws-credentials', async () => (deps.usesAws ? deps.whoAmI() : { skip: 'this profile does not use AWS' }));
  await step('region', async () => (deps.usesAws ? deps.regionCheck() : { skip: 'this profile does not use AWS' }));
  await step('ip-allowed', async () => {
    if (!deps.ipCheck) return { skip: "no security group or instance id in the profile's AWS settings" };
    const { allowed, ip, groups } = await deps.ipCheck();
    if (!allowed) {
      throw new JumpgateError('IP_NOT_ALLOWED', `Your IP ${ip} is not allowed on port ${firstHop.port} in ${groups.join(', ')}.`, {
        hint: `Allow it with "Access -> Allow my IP" (or jumpgate allow-ip ${profile.id}), or ask an administrator to add ${ip}/32 on TCP ${firstHop.port} to ${groups.join(', ')}.`,
      });
    }
    return `${ip} is allowed in ${groups.join(', ')}`;
  });
  await step('tcp', async () => {
    try {
      await tcpProbe(firstHop.host, firstHop.port, timeoutMs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new JumpgateError(code === 'ETIMEDOUT' ? 'JUMP_HOST_TIMEOUT' : 'JUMP_HOST_UNREACHABLE', `Nothing answered on ${firstHop.host}:${firstHop.port} (${code}).`, {
        hint: code === 'ETIMEDOUT' ? 'Packets are dropped: usually the security group does not allow your IP, or a VPN is needed.' : 'Check the host and port, and that the jump box is running.',
      });
    }
    return `${firstHop.host}:${firstHop.port} accepts connections`;
  });
  await step('key', async () => {
    if (profile.jumpHost.auth.kind === 'agent') return { skip: 'the profile uses ssh-agent' };
    const passphrase = await deps.passphraseFor(profile.jumpHost.auth.keyPath);
    const key = await loadPrivateKeyFile(profile.jumpHost.auth.keyPath, passphrase === undefined ? {} : { passphrase });
    return `${key.type} key ${key.fingerprint} (${key.format})`;
  });

  // One connection answers both "host key" and "login": ssh checks the host key first.
  let connectError: JumpgateError | undefined;
  const lease = failed ? undefined : deps.pool.acquire(profile.jumpHost);
  if (lease) {
    try {
      await lease.connection.whenReady();
    } catch (error) {
      connectError = error instanceof JumpgateError ? error : new JumpgateError('INTERNAL', String(error));
    }
  }
  try {
    await step('host-key', async () => {
      if (connectError && (connectError.code === 'HOST_KEY_UNKNOWN' || connectError.code === 'HOST_KEY_MISMATCH')) throw connectError;
      if (connectError && connectError.code !== 'AUTH_FAILED') throw connectError;
      return 'matches the pinned key';
    });
    await step('auth', async () => {
      if (connectError) throw connectError;
      return `logged in as ${profile.jumpHost.user}`;
    });
    const remote = target && !failed ? await deps.resolveRemote(target).catch((error: unknown) => error) : undefined;
    await step('forward', async () => {
      if (!target) return { skip: 'no target chosen' };
      if (remote instanceof Error) throw remote;
      const where = remote as { host: string; port: number };
      try {
        const channel = await (lease as NonNullable<typeof lease>).connection.forwardOut(where.host, where.port);
        channel.destroy();
      } catch (error) {
        throw new JumpgateError('ENDPOINT_UNREACHABLE', `The jump box could not connect to ${where.host}:${where.port} (${(error as Error).message.replace(/^\(SSH\) /, '')}).`, {
          hint: `The jump box is fine; the database endpoint is not reachable from it. Check the endpoint and that the database's security group allows the jump box on port ${where.port}.`,
        });
      }
      return `${where.host}:${where.port} reachable from the jump box`;
    });
    await step('db-greeting', async () => {
      if (!target) return { skip: 'no target chosen' };
      const where = remote as { host: string; port: number };
      const channel = await (lease as NonNullable<typeof lease>).connection.forwardOut(where.host, where.port);
      try {
        return await readDbGreeting(channel, engineFamily(target.engine), timeoutMs);
      } catch (error) {
        throw new JumpgateError('ENDPOINT_UNREACHABLE', `${where.host}:${where.port} did not greet like ${engineFamily(target.engine) === 'postgres' ? 'PostgreSQL' : 'MySQL'}: ${(error as Error).message}.`, {
          hint: "Check the target's engine and port: this looks like a different service.",
        });
      }
    });
    await step('db-login', async () => {
      if (!target) return { skip: 'no target chosen' };
      if (target.secret.kind === 'none') return { skip: 'this target names no secret, so Jumpgate does not know its password' };
      const where = remote as { host: string; port: number };
      const connection = (lease as NonNullable<typeof lease>).connection;
      return checkDbLogin({
        family: engineFamily(target.engine),
        where,
        openChannel: () => connection.forwardOut(where.host, where.port),
        fetchCredentials: () => deps.credentialsFor(target),
        ...(target.database ? { database: target.database } : {}),
        timeoutMs,
      });
    });
  } finally {
    await lease?.release();
  }

  return { checks: results, ...(failed ? { firstFailure: failed } : {}) };
}
