import { describe, expect, it } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import { createStores } from './createStores';

type ClipboardEvent = EventOf<'secrets:clipboard'>;

/** The window's stores over a bridge whose clipboard events the test sends. */
function fakeBridge() {
  let emit: (event: ClipboardEvent) => void = () => undefined;
  const bridge = {
    invoke: () => Promise.resolve({ ok: true, value: null }),
    on: (channel: string, listener: (event: ClipboardEvent) => void) => {
      if (channel === 'secrets:clipboard') emit = listener;
      return () => undefined;
    },
    onStatus: (listener: (status: 'connected') => void) => {
      listener('connected');
      return () => undefined;
    },
  } as unknown as JumpgateBridge;
  const { useSecrets } = createStores(bridge);
  return { useSecrets, emit: (event: ClipboardEvent) => emit(event) };
}

const label = 'Password for Prod / Orders';
const failed: ClipboardEvent['failed'] = {
  label,
  error: { code: 'CLIPBOARD_UNAVAILABLE', message: `${label} may still be on the clipboard: Jumpgate could not check and clear it.`, hint: 'Clear the clipboard yourself.' },
};

describe('the secrets store', () => {
  // Issue #17: a clear that failed was shown as "Clipboard cleared".
  it('keeps a failed clear as a failure, never "cleared", until a retry clears it', () => {
    const { useSecrets, emit } = fakeBridge();
    useSecrets.getState().init();
    emit({ seq: 1, pending: { label, clearsAt: 1_000 } });
    emit({ seq: 2, failed });
    expect(useSecrets.getState()).toMatchObject({ pending: undefined, lastCleared: undefined, clearFailed: failed });
    emit({ seq: 3 });
    expect(useSecrets.getState()).toMatchObject({ pending: undefined, lastCleared: label, clearFailed: undefined });
  });
});
