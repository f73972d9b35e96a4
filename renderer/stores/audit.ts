import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { AuditEntry } from '../../shared/model/audit';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

/** How many of the newest entries the page holds. */
export const AUDIT_LIMIT = 1000;

export interface AuditState {
  /** Newest first: what the log held when read, plus every entry that arrived since. */
  entries: AuditEntry[];
  /** The last read of the log (audit:list); a value means it has been read at least once (live entries alone are not the whole log). */
  read: Remote<AuditEntry[]>;
  seq: number;
  /** Subscribe to audit:entry once at start-up; returns the unsubscribe. */
  init(): () => void;
  /** Read the log (audit:list) when the user opens it; entries that arrive meanwhile are kept. */
  load(): Promise<void>;
}

function sameEntry(entry: AuditEntry): string {
  return JSON.stringify([entry.at, entry.user, entry.kind, entry.profileId ?? '', entry.targetId ?? '', entry.detail]);
}

/**
 * The local audit log as the Audit page shows it: read with audit:list when
 * the page is opened, then kept live by the service's audit:entry events.
 */
export function createAuditStore(bridge: JumpgateBridge) {
  const list = remoteCall(bridge, 'audit:list');
  // Per read in flight, the entries that arrived meanwhile: the file may or may not have had them yet.
  const arrivals = new Set<AuditEntry[]>();

  return create<AuditState>()((set, get) => ({
    entries: [],
    read: NOT_ASKED,
    seq: 0,
    init: () =>
      bridge.on('audit:entry', (event) => {
        if (event.seq <= get().seq) return;
        for (const arrived of arrivals) arrived.push(event.entry);
        set({ seq: event.seq, entries: [event.entry, ...get().entries].slice(0, AUDIT_LIMIT) });
      }),
    load: async () => {
      const arrived: AuditEntry[] = [];
      arrivals.add(arrived);
      try {
        await list.track('', { limit: AUDIT_LIMIT }, (change) => {
          const read = { ...get().read, ...change };
          if (!change.value) return set({ read });
          const onDisk = new Set(change.value.map(sameEntry));
          const missing = arrived.filter((entry) => !onDisk.has(sameEntry(entry))).reverse();
          set({ read, entries: [...missing, ...change.value].slice(0, AUDIT_LIMIT) });
        });
      } finally {
        arrivals.delete(arrived);
      }
    },
  }));
}
