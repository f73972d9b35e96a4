import { startDaemon, type Daemon } from './daemon';
import { peerPath } from './peers';

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

export async function startMoto(): Promise<MotoPeer> {
  // Port 0: the OS picks a free port and moto prints it; no race with other tests.
  const daemon: Daemon = await startDaemon(peerPath('moto_server'), ['-H', '127.0.0.1', '-p', '0'], {
    ready: /Running on http:\/\/127\.0\.0\.1:\d+/,
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  const port = Number(/Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.log())?.[1]);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    credentials: { ...MOTO_CREDENTIALS },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    dispose: () => daemon.stop(),
  };
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
  const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
  if (!response.ok) throw new Error(`moto reset-auth failed: ${response.status}`);
}
