/**
 * The test side of the run's shared rig (e2e/rig/rigBroker.ts). A vitest run
 * starts one broker in its main process (e2e/rig/globalSetup.ts) and puts its
 * address in the environment every test worker inherits; outside such a run
 * (bench/, a script under tsx) there is no broker and each caller starts its
 * own peers exactly as before.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const RIG_BROKER_ENV = 'JUMPGATE_RIG_BROKER';

/** This process (one test file: vitest isolates files in processes) as the broker tells holders apart. */
export const RIG_HOLDER = randomUUID();

/** The broker's base URL in this run, or undefined when peers are private. */
export function rigBrokerUrl(): string | undefined {
  return process.env[RIG_BROKER_ENV] || undefined;
}

/**
 * One call to the broker; its errors (a peer that failed to start, say) come back as thrown
 * errors. One connection per call, closed before this resolves: a pooled keep-alive socket
 * would linger in the test's process and then vanish mid-test, and tests count their process's
 * descriptors (reconnect.test.ts).
 */
export function askRig<T>(path: string): Promise<T> {
  const base = rigBrokerUrl();
  if (!base) return Promise.reject(new Error('no shared test rig in this process'));
  return new Promise<T>((resolve, reject) => {
    let text = '';
    const request = httpRequest(`${base}/${path}`, { method: 'POST', agent: false, headers: { connection: 'close' } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
    });
    request.once('error', reject);
    // 'close' comes after the whole response and after the socket is gone.
    request.once('close', () => {
      try {
        const body = JSON.parse(text) as { ok: true; value: T } | { ok: false; error: string };
        if (body.ok) resolve(body.value);
        else reject(new Error(`shared test rig: ${path}: ${body.error}`));
      } catch {
        reject(new Error(`shared test rig: ${path}: no answer (${text.slice(0, 200)})`));
      }
    });
    request.end();
  });
}

/** A peer lent to this test file alone until it gives it back; the broker resets it before anyone else gets it. */
export interface Lease<T> {
  readonly info: T;
  release(): Promise<void>;
}

export async function leasePeer<T>(kind: string): Promise<Lease<T>> {
  const { id, info } = await askRig<{ id: string; info: T }>(`lease/${kind}`);
  let released: Promise<void> | undefined;
  return {
    info,
    // Idempotent: a test's afterAll and a failed beforeAll may both dispose.
    release: () => (released ??= askRig<void>(`release/${id}`)),
  };
}
