import { startDaemon, type Daemon } from './daemon';
import { peerPath } from './peers';
import { leasePeer, rigBrokerUrl } from './sharedRig';

/**
 * moto in server mode: the AWS APIs (RDS, Secrets Manager, EC2, STS) on a random
 * 127.0.0.1 port. Tests reach it through the real AWS SDK v3 with `endpoint` set
 * and these static credentials, and seed it through the SDK too.
 */
export interface MotoPeer {
  readonly endpoint: string;
  readonly port: number;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Forget every resource (moto's reset API), for test isolation. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** What the shared rig hands a test file: where its moto listens. */
export interface MotoAddress {
  endpoint: string;
  port: number;
}

/**
 * A moto for this test file alone. In a vitest run it is lent by the shared rig
 * (one moto per concurrently running file, reused across files, each handed
 * over as fresh as a new one: see resetMoto); elsewhere a private moto_server.
 */
export async function startMoto(): Promise<MotoPeer> {
  if (!rigBrokerUrl()) return startMotoServer();
  const lease = await leasePeer<MotoAddress>('moto');
  return motoPeer(lease.info, () => lease.release());
}

function motoPeer(address: MotoAddress, dispose: () => Promise<void>): MotoPeer {
  return {
    ...address,
    credentials: { ...MOTO_CREDENTIALS },
    reset: () => motoApi(address.endpoint, 'reset'),
    dispose,
  };
}

async function motoApi(endpoint: string, action: 'reset' | 'reset-auth', body?: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/${action}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
  if (!response.ok) throw new Error(`moto ${action} failed: ${response.status}`);
}

/**
 * Back to the state of a just-started moto_server: IAM enforcement off (a test
 * may have left it on with enforceIam) and every resource forgotten.
 */
export async function resetMoto(endpoint: string): Promise<void> {
  await motoApi(endpoint, 'reset-auth', 'inf');
  await motoApi(endpoint, 'reset');
}

/** A private moto_server process; the shared rig starts its pooled ones with this too. */
export async function startMotoServer(): Promise<MotoPeer & { readonly pid: number }> {
  // Port 0: the OS picks a free port and moto prints it; no race with other tests.
  const daemon: Daemon = await startDaemon(peerPath('moto_server'), ['-H', '127.0.0.1', '-p', '0'], {
    ready: /Running on http:\/\/127\.0\.0\.1:\d+/,
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  const port = Number(/Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.log())?.[1]);
  return { ...motoPeer({ endpoint: `http://127.0.0.1:${port}`, port }, () => daemon.stop()), pid: daemon.pid };
}

/**
 * IAM calls straight to moto's query API (the project has no IAM client: the
 * app never manages IAM). moto does not check signatures while auth is off; it
 * only reads the service name from the credential scope.
 */
async function iamQuery(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${params.Action} failed: ${text}`);
  return text;
}

/** An IAM user whose inline policy allows only `allow`, with an access key: for AccessDenied tests. */
export async function createIamUser(moto: MotoPeer, name: string, allow: string[]): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  await iamQuery(moto.endpoint, { Action: 'CreateUser', UserName: name });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: allow, Resource: '*' }] };
  await iamQuery(moto.endpoint, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'jumpgate-test', PolicyDocument: JSON.stringify(policy) });
  const key = await iamQuery(moto.endpoint, { Action: 'CreateAccessKey', UserName: name });
  const accessKeyId = /<AccessKeyId>([^<]+)</.exec(key)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(key)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`no access key in ${key}`);
  return { accessKeyId, secretAccessKey };
}

/** moto's switch for IAM enforcement: on = every following request is authenticated and authorized. */
export async function enforceIam(moto: MotoPeer, on: boolean): Promise<void> {
  await motoApi(moto.endpoint, 'reset-auth', on ? '0' : 'inf');
}
