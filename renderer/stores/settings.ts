import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import { SettingsSchema, type Settings, type SettingsChange } from '../../shared/model/settings';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

/**
 * The user's app-wide choices as the service keeps them (settings.json), so they survive a
 * restart of `jumpgate serve` (a new port is a new origin, whose storage starts empty) and
 * follow a change made in another window.
 */
export interface SettingsState {
  seq: number;
  /** Undefined until the service answered. */
  settings: Settings | undefined;
  /** Follow settings:changed and read the settings. Returns the unsubscribe. */
  init(): Promise<() => void>;
  /** Read them again whatever the seq (the service was lost and may have restarted). */
  resync(): Promise<void>;
  update(change: SettingsChange): Promise<void>;
}

export function createSettingsStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const get = remoteCall(bridge, 'settings:get');
  const update = remoteCall(bridge, 'settings:update');
  // Numbers each update, so only the latest one's reply is applied.
  let updates = 0;
  // While this window's own changes are in flight, events (its own among them) wait here: an older
  // event must not flash an older choice over the pick just shown.
  let inFlight = 0;
  let heldEvent: EventOf<'settings:changed'> | undefined;
  return create<SettingsState>()((set, getState) => {
    const read = async (): Promise<void> => {
      const seqBefore = getState().seq;
      const reply = await get.send({});
      // A change heard meanwhile is newer than this answer.
      if (reply.ok && getState().seq === seqBefore) set({ settings: reply.value });
    };
    const apply = (event: EventOf<'settings:changed'>): void => {
      if (event.seq <= getState().seq) return;
      set({ seq: event.seq, settings: event.settings });
    };
    return {
      seq: 0,
      settings: undefined,
      init: async () => {
        const unsubscribe = bridge.on('settings:changed', (event) => {
          if (inFlight > 0) {
            if (!heldEvent || event.seq > heldEvent.seq) heldEvent = event;
            return;
          }
          apply(event);
        });
        await read();
        return unsubscribe;
      },
      resync: async () => {
        set({ seq: 0 });
        await read();
      },
      update: async (change) => {
        const call = ++updates;
        inFlight++;
        const before = getState().settings;
        // Shown at once (over the defaults if the service has not answered yet); put back if the service refuses.
        set({ settings: { ...(before ?? SettingsSchema.parse({})), ...change } });
        const reply = await update.send(change);
        inFlight--;
        // A later change (a quick second pick) has its own answer: an earlier reply arriving after it must not undo it.
        if (call === updates) {
          if (reply.ok) {
            const { seq, ...settings } = reply.value;
            set({ settings, seq: Math.max(getState().seq, seq) });
          } else {
            set({ settings: before });
            feedback.getState().showError(reply.error);
          }
        }
        // Nothing of ours in flight: what another window changed after our last write now shows.
        if (inFlight === 0 && heldEvent) {
          const event = heldEvent;
          heldEvent = undefined;
          apply(event);
        }
      },
    };
  });
}
