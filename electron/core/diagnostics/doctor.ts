import { connect as netConnect } from 'node:net';
import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import { engineFamily, type DbTarget, type Profile } from '../../../shared/model/profile';
import type { JumpHostPool } from '../ssh/jumpHostPool';
import { loadPrivateKeyFile } from '../ssh/keyLoader';
import type { DbCredentials } from '../aws/secrets';
import { readDbGreeting } from './dbGreeting';
import { checkDbLogin } from './dbLogin';

/**
 * The doctor's steps, in the order of the routine a new starter follows (issue #13): make a key;
 * send it and get the IP allowed (the AWS steps, only where the profile needs AWS); reach the
 * jump box, pin its host key and log in; then the database through it.
 */
export const CHECKS = [
  { id: 'key', title: 'SSH key readable' },
  { id: 'aws-credentials', title: 'AWS credentials' },
  { id: 'region', title: 'AWS region' },
  { id: 'ip-allowed', title: 'Your IP allowed on the jump box' },
  { id: 'tcp', title: 'Jump box reachable (TCP)' },
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
  /** Skipped because a step it needs failed: that step (the failure at the root, when several wait in a chain). */
  waitsFor?: CheckId;
}

export interface DoctorReport {
  checks: CheckResult[];
  /** The first failing step in the order above: where to start. */
  firstFailure?: CheckId;
}

/** What the doctor needs from the service: each AWS step is a function, called only where the profile needs AWS. */
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
  timeoutMs?: number;
}

/**
 * Whether this check needs AWS: a security group to check the IP against, an RDS identifier to
 * resolve, or a secret to read the password from. Nothing else (a named AWS profile alone, say)
 * makes the AWS steps run.
 */
export function needsAws(target: DbTarget | undefined, hasIpCheck: boolean): boolean {
  return hasIpCheck || target?.remote.kind === 'rds' || (target !== undefined && target.secret.kind !== 'none');
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
 * The ordered checks: key -> AWS credentials -> region -> IP allowed -> TCP -> host key ->
 * login -> forward -> database greeting -> database login. A failed step holds up only the
 * steps that need it (each says which, "not reached"); the others still run, so a failure in
 * AWS never hides one elsewhere, and the first failure in this order is where to start.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const results = new Map<CheckId, CheckResult>();
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const { profile, target } = deps;
  const firstHop = profile.jumpHost.via[0] ?? profile.jumpHost;
  const usesAws = needsAws(target, deps.ipCheck !== undefined);
  const notNeeded = { skip: 'not needed: nothing this check uses is in AWS (no security group, RDS identifier or secret)' };
  const titleOf = (id: CheckId): string => CHECKS.find((check) => check.id === id)?.title ?? id;

  /** The failed step at the root of `id`'s result: itself when it failed, what it waits for when it was held up. */
  const rootFailure = (id: CheckId): CheckId | undefined => {
    const result = results.get(id);
    return result?.status === 'fail' ? id : result?.waitsFor;
  };

  /**
   * Run one step unless a step it `needs` failed (or waits for a failure). `after` lists steps
   * whose own failure holds this one up but whose wait does not: an IP rule that could not be
   * read (no AWS credentials) does not stop the TCP probe, a rule that refuses the IP does.
   */
  const step = async (id: CheckId, needs: CheckId[], run: () => Promise<string | { skip: string }>, after: CheckId[] = []): Promise<void> => {
    const title = titleOf(id);
    const blocker = needs.map(rootFailure).find((root) => root !== undefined) ?? after.find((other) => results.get(other)?.status === 'fail');
    if (blocker) {
      results.set(id, { id, title, status: 'skip', detail: `not reached: it needs "${titleOf(blocker)}", which failed`, waitsFor: blocker });
      return;
    }
    try {
      const outcome = await run();
      results.set(id, typeof outcome === 'string' ? { id, title, status: 'pass', detail: outcome } : { id, title, status: 'skip', detail: outcome.skip });
    } catch (error) {
      const info = toErrorInfo(error);
      results.set(id, { id, title, status: 'fail', detail: info.message, error: info });
    }
  };

  await step('key', [], async () => {
    // Which agent, and for Pageant whether it answers; an agent that is there but holds no usable key shows at login.
    if (profile.jumpHost.auth.kind === 'agent') return `the key comes from ${(await deps.pool.agentFor(profile.jumpHost.auth)).label}`;
    const { keyPath } = profile.jumpHost.auth;
    const key = await loadPrivateKeyFile(keyPath, { passphraseFor: () => deps.passphraseFor(keyPath) });
    return `${key.type} key ${key.fingerprint} (${key.format})`;
  });
  await step('aws-credentials', [], async () => (usesAws ? deps.whoAmI() : notNeeded));
  await step('region', ['aws-credentials'], async () => (usesAws ? deps.regionCheck() : notNeeded));
  await step('ip-allowed', ['aws-credentials'], async () => {
    if (!deps.ipCheck) return { skip: "not needed: no security group or instance id in the profile's AWS settings" };
    const { allowed, ip, groups } = await deps.ipCheck();
    if (!allowed) {
      throw new JumpgateError('IP_NOT_ALLOWED', `Your IP ${ip} is not allowed on port ${firstHop.port} in ${groups.join(', ')}.`, {
        hint: `Allow it with "Access -> Allow my IP" (or jumpgate allow-ip ${profile.id}), or ask an administrator to add ${ip}/32 on TCP ${firstHop.port} to ${groups.join(', ')}.`,
      });
    }
    return `${ip} is allowed in ${groups.join(', ')}`;
  });
  await step(
    'tcp',
    [],
    async () => {
      try {
        await tcpProbe(firstHop.host, firstHop.port, timeoutMs);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new JumpgateError(code === 'ETIMEDOUT' ? 'JUMP_HOST_TIMEOUT' : 'JUMP_HOST_UNREACHABLE', `Nothing answered on ${firstHop.host}:${firstHop.port} (${code}).`, {
          hint: code === 'ETIMEDOUT' ? 'Packets are dropped: usually the security group does not allow your IP, or a VPN is needed.' : 'Check the host and port, and that the jump box is running.',
        });
      }
      return `${firstHop.host}:${firstHop.port} accepts connections`;
    },
    ['ip-allowed'],
  );

  // One connection answers both "host key" and "login": ssh checks the host key first. It needs
  // the key (the pool loads it before dialling) and a jump box that answers.
  let connectError: JumpgateError | undefined;
  const lease = rootFailure('key') || rootFailure('tcp') ? undefined : deps.pool.acquire(profile.jumpHost);
  if (lease) {
    try {
      await lease.connection.whenReady();
    } catch (error) {
      connectError = error instanceof JumpgateError ? error : new JumpgateError('INTERNAL', String(error));
    }
  }
  try {
    await step('host-key', ['key', 'tcp'], async () => {
      if (connectError && connectError.code !== 'AUTH_FAILED') throw connectError;
      return 'matches the pinned key';
    });
    await step('auth', ['host-key'], async () => {
      if (connectError) throw connectError;
      return `logged in as ${profile.jumpHost.user}`;
    });
    const connection = (): NonNullable<typeof lease>['connection'] => {
      if (!lease) throw new JumpgateError('INTERNAL', 'The doctor has no connection to the jump box.');
      return lease.connection;
    };
    // Where the database is: through RDS (and so AWS) for an RDS identifier, as written otherwise.
    let where: { host: string; port: number } | undefined;
    await step('forward', target?.remote.kind === 'rds' ? ['auth', 'region'] : ['auth'], async () => {
      if (!target) return { skip: 'no target chosen' };
      const remote = await deps.resolveRemote(target);
      try {
        const channel = await connection().forwardOut(remote.host, remote.port);
        channel.destroy();
      } catch (error) {
        throw new JumpgateError('ENDPOINT_UNREACHABLE', `The jump box could not connect to ${remote.host}:${remote.port} (${(error as Error).message.replace(/^\(SSH\) /, '')}).`, {
          hint: `The jump box is fine; the database endpoint is not reachable from it. Check the endpoint and that the database's security group allows the jump box on port ${remote.port}.`,
        });
      }
      where = remote;
      return `${remote.host}:${remote.port} reachable from the jump box`;
    });
    await step('db-greeting', ['forward'], async () => {
      if (!target || !where) return { skip: 'no target chosen' };
      const endpoint = where;
      const channel = await connection().forwardOut(endpoint.host, endpoint.port);
      try {
        return await readDbGreeting(channel, engineFamily(target.engine), timeoutMs);
      } catch (error) {
        throw new JumpgateError('ENDPOINT_UNREACHABLE', `${endpoint.host}:${endpoint.port} did not greet like ${engineFamily(target.engine) === 'postgres' ? 'PostgreSQL' : 'MySQL'}: ${(error as Error).message}.`, {
          hint: "Check the target's engine and port: this looks like a different service.",
        });
      }
    });
    await step('db-login', target && target.secret.kind !== 'none' ? ['db-greeting', 'aws-credentials'] : ['db-greeting'], async () => {
      if (!target || !where) return { skip: 'no target chosen' };
      if (target.secret.kind === 'none') return { skip: 'not needed: this target names no secret, so Jumpgate does not know its password' };
      const endpoint = where;
      const open = connection();
      return checkDbLogin({
        family: engineFamily(target.engine),
        where: endpoint,
        openChannel: () => open.forwardOut(endpoint.host, endpoint.port),
        fetchCredentials: () => deps.credentialsFor(target),
        ...(target.database ? { database: target.database } : {}),
        timeoutMs,
      });
    });
  } finally {
    await lease?.release();
  }

  const checks = CHECKS.map(({ id }) => results.get(id)).filter((result): result is CheckResult => result !== undefined);
  const firstFailure = checks.find((result) => result.status === 'fail')?.id;
  return { checks, ...(firstFailure ? { firstFailure } : {}) };
}
