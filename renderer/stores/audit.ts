import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { AuditEntry } from '../../shared/model/audit';
import type { ErrorInfo } from '../../shared/model/errors';

/** How many of the newest entries the page holds. */
export const AUDIT_LIMIT = 1000;

interface AuditState {
  /** Newest first. */
  entries: AuditEntry[];
  /** The log has been read at least once (live entries alone are not the whole log). */
  loaded: boolean;
  loading: boolean;
  error: ErrorInfo | undefined;
  seq: number;
  /** Subscribe to audit:entry once at start-up; returns the unsubscribe. */
  init(bridge: JumpgateBridge): () => void;
  /** Read the log (audit:list) when the user opens it; entries that arrive meanwhile are kept. */
  load(bridge: JumpgateBridge): Promise<void>;
}

function sameEntry(entry: AuditEntry): string {
  return JSON.stringify([entry.at, entry.user, entry.kind, entry.profileId ?? '', entry.targetId ?? '', entry.detail]);
}

/**
 * The local audit log as the Audit page shows it: read with audit:list when
 * the page is opened, then kept live by the service's audit:entry events.
 */
export const useAudit = create<AuditState>((set, get) => {
  // Entries that arrived while a load was in flight: the file may or may not have had them yet.
  let during: AuditEntry[] | undefined;
  return {
    entries: [],
    loaded: false,
    loading: false,
    error: undefined,
    seq: 0,
    init: (bridge) =>
      bridge.on('audit:entry', (event) => {
        if (event.seq <= get().seq) return;
        during?.push(event.entry);
        set({ seq: event.seq, entries: [event.entry, ...get().entries].slice(0, AUDIT_LIMIT) });
      }),
    load: async (bridge) => {
      during = [];
      set({ loading: true });
      const reply = await bridge.invoke('audit:list', { limit: AUDIT_LIMIT });
      const arrived = during;
      during = undefined;
      if (!reply.ok) {
        set({ loading: false, error: reply.error });
        return;
      }
      const onDisk = new Set(reply.value.map(sameEntry));
      const missing = arrived.filter((entry) => !onDisk.has(sameEntry(entry))).reverse();
      set({ loading: false, loaded: true, error: undefined, entries: [...missing, ...reply.value].slice(0, AUDIT_LIMIT) });
    },
  };
});
