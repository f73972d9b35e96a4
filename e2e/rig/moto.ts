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
