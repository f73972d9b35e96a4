import { describe, expect, it } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import type { Settings } from '../../shared/model/settings';
import { createFeedbackStore } from './feedback';
import { createSettingsStore } from './settings';

type Changed = EventOf<'settings:changed'>;

/**
 * A bridge whose settings:update replies the test releases, in any order (a slow first write, a
 * quick second), and whose settings:changed events the test sends when it likes.
 */
function slowBridge() {
  const waiting: Array<() => void> = [];
  let seq = 0;
  let emit: (event: Changed) => void = () => undefined;
  const bridge = {
    invoke: (channel: string, request: Partial<Settings>) => {
      if (channel !== 'settings:update') return Promise.resolve({ ok: true, value: { theme: 'system' } });
      const written = { theme: request.theme ?? 'system', seq: ++seq };
      return new Promise((resolve) => waiting.push(() => resolve({ ok: true, value: written })));
    },
    on: (channel: string, listener: (event: Changed) => void) => {
      if (channel === 'settings:changed') emit = listener;
      return () => undefined;
    },
    onStatus: () => () => undefined,
  } as unknown as JumpgateBridge;
  return { bridge, release: (index: number) => waiting[index]?.(), emit: (event: Changed) => emit(event) };
}

describe('the settings store', () => {
  it("keeps the user's last pick when an earlier pick's reply or event arrives after it", async () => {
    const { bridge, release, emit } = slowBridge();
    const settings = createSettingsStore(bridge, createFeedbackStore());
    await settings.getState().init();
    const first = settings.getState().update({ theme: 'light' });
    // Shown at once, before the service answered anything.
    expect(settings.getState().settings?.theme).toBe('light');
    const second = settings.getState().update({ theme: 'dark' });
    expect(settings.getState().settings?.theme).toBe('dark');
    // The first write's event arrives while the second is in flight: no flash back to light.
    emit({ seq: 1, settings: { theme: 'light' } });
    expect(settings.getState().settings?.theme).toBe('dark');
    release(1);
    await second;
    release(0);
    await first;
    emit({ seq: 2, settings: { theme: 'dark' } });
    expect(settings.getState().settings?.theme).toBe('dark');
  });

  it("shows another window's later change once this window's own writes are answered", async () => {
    const { bridge, release, emit } = slowBridge();
    const settings = createSettingsStore(bridge, createFeedbackStore());
    await settings.getState().init();
    const mine = settings.getState().update({ theme: 'dark' });
    emit({ seq: 1, settings: { theme: 'dark' } });
    emit({ seq: 2, settings: { theme: 'light' } });
    expect(settings.getState().settings?.theme).toBe('dark');
    release(0);
    await mine;
    expect(settings.getState().settings?.theme).toBe('light');
  });
});
