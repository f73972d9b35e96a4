/**
 * Wait for a condition that a user could observe, driven by events, never by a timer.
 * `subscribe` hands each new value to `check`; the current value is checked first.
 * Rejects after `timeoutMs` with what was last seen, so a failure explains itself.
 */
export function waitForValue<T>(
  current: () => T,
  subscribe: (listener: (value: T) => void) => () => void,
  check: (value: T) => boolean,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = current();
    if (check(first)) {
      resolve(first);
      return;
    }
    let last: T = first;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${options.what ?? 'condition'}; last value: ${JSON.stringify(last)}`));
    }, options.timeoutMs ?? 30_000);
    const unsubscribe = subscribe((value) => {
      last = value;
      if (!check(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/**
 * For a test that collects events itself: call `notify()` from its listener,
 * and `until(read)` resolves with the first defined value `read` returns,
 * looked at again after every event.
 */
export class EventWaiters {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  until<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    return waitForValue<T | undefined>(
      read,
      (listener) => {
        const relay = (): void => listener(read());
        this.listeners.add(relay);
        return () => this.listeners.delete(relay);
      },
      (value) => value !== undefined,
      { what, timeoutMs },
    ) as Promise<T>;
  }
}
