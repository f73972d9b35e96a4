import { describe, expect, it } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import type { Settings } from '../../shared/model/settings';
import { createFeedbackStore } from './feedback';
import { createSettingsStore } from './settings';

/** A bridge whose settings:update replies the test releases, in any order (a slow first write, a quick second). */
function slowBridge() {
  const waiting: Array<(settings: Settings) => void> = [];
  const bridge = {
    invoke: (channel: string, request: Partial<Settings>) =>
      channel === 'settings:update'
        ? new Promise((resolve) => waiting.push(() => resolve({ ok: true, value: { theme: request.theme ?? 'system' } })))
        : Promise.resolve({ ok: true, value: { theme: 'system' } }),
    on: () => () => undefined,
    onStatus: () => () => undefined,
  } as unknown as JumpgateBridge;
  return { bridge, release: (index: number) => waiting[index]?.({ theme: 'system' }) };
}

describe('the settings store', () => {
  it("keeps the user's last pick when an earlier pick's reply arrives after it", async () => {
    const { bridge, release } = slowBridge();
    const settings = createSettingsStore(bridge, createFeedbackStore());
    const first = settings.getState().update({ theme: 'light' });
    // Shown at once, before the service answered anything.
    expect(settings.getState().settings?.theme).toBe('light');
    const second = settings.getState().update({ theme: 'dark' });
    expect(settings.getState().settings?.theme).toBe('dark');
    release(1);
    await second;
    release(0);
    await first;
    expect(settings.getState().settings?.theme).toBe('dark');
  });
});
