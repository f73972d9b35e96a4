import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';

type Pending = NonNullable<EventOf<'secrets:clipboard'>['pending']>;

/**
 * What Jumpgate has put on the clipboard, from the service's own events: the
 * countdown ends when the clear really ran, not when this page's clock says so.
 */
interface ClipboardState {
  seq: number;
  pending: Pending | undefined;
  /** The label of the last copy that left the clipboard, for "cleared" feedback. */
  lastCleared: string | undefined;
  init(bridge: JumpgateBridge): () => void;
}

export const useClipboard = create<ClipboardState>((set, get) => ({
  seq: 0,
  pending: undefined,
  lastCleared: undefined,
  init: (bridge) =>
    bridge.on('secrets:clipboard', (event) => {
      if (event.seq <= get().seq) return;
      const before = get().pending;
      set({ seq: event.seq, pending: event.pending, lastCleared: !event.pending && before ? before.label : get().lastCleared });
    }),
}));
