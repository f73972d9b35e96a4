/**
 * The test side of the run's shared rig (e2e/rig/rigBroker.ts). A vitest run
 * starts one broker in its main process (e2e/rig/globalSetup.ts) and puts its
 * address in the environment every test worker inherits; outside such a run
 * (bench/, a script under tsx) there is no broker and each caller starts its
 * own peers exactly as before.
 */
export const RIG_BROKER_ENV = 'JUMPGATE_RIG_BROKER';

/** The broker's base URL in this run, or undefined when peers are private. */
export function rigBrokerUrl(): string | undefined {
  return process.env[RIG_BROKER_ENV] || undefined;
}

/** One call to the broker; its errors (a peer that failed to start, say) come back as thrown errors. */
export async function askRig<T>(path: string): Promise<T> {
  const base = rigBrokerUrl();
  if (!base) throw new Error('no shared test rig in this process');
  const response = await fetch(`${base}/${path}`, { method: 'POST' });
  const body = (await response.json()) as { ok: true; value: T } | { ok: false; error: string };
  if (!body.ok) throw new Error(`shared test rig: ${path}: ${body.error}`);
  return body.value;
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
