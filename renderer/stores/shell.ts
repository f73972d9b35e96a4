import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';

type Exit = Omit<EventOf<'shell:exit'>, 'seq' | 'shellId'>;

export interface ShellSession {
  shellId: string;
  status: 'open' | 'ended';
  exit?: Exit;
}

interface ShellState {
  /** The shell of each profile's jump box, if one was opened. */
  byProfile: Record<string, ShellSession>;
  init(bridge: JumpgateBridge): () => void;
  open(bridge: JumpgateBridge, request: { profileId: string; cols: number; rows: number; unlock?: { passphrase: string; remember: boolean } }): Promise<ErrorInfo | undefined>;
  close(bridge: JumpgateBridge, profileId: string): Promise<void>;
}

/**
 * Output is a stream, not state: it goes straight to the terminal that shows
 * the shell, and is kept here only until that terminal attaches.
 */
const sinks = new Map<string, (data: string) => void>();
const pending = new Map<string, string[]>();

export function attachOutput(shellId: string, write: (data: string) => void): () => void {
  for (const chunk of pending.get(shellId) ?? []) write(chunk);
  pending.delete(shellId);
  sinks.set(shellId, write);
  return () => {
    if (sinks.get(shellId) === write) sinks.delete(shellId);
  };
}

export const useShell = create<ShellState>((set, get) => ({
  byProfile: {},
  init: (bridge) => {
    const offOutput = bridge.on('shell:output', ({ shellId, data }) => {
      const sink = sinks.get(shellId);
      if (sink) sink(data);
      else pending.set(shellId, [...(pending.get(shellId) ?? []), data]);
    });
    const offExit = bridge.on('shell:exit', ({ shellId, seq: _seq, ...exit }) => {
      const entry = Object.entries(get().byProfile).find(([, session]) => session.shellId === shellId);
      if (entry) set({ byProfile: { ...get().byProfile, [entry[0]]: { shellId, status: 'ended', exit } } });
    });
    return () => {
      offOutput();
      offExit();
    };
  },
  open: async (bridge, request) => {
    const reply = await bridge.invoke('shell:open', request);
    if (!reply.ok) return reply.error;
    set({ byProfile: { ...get().byProfile, [request.profileId]: { shellId: reply.value.shellId, status: 'open' } } });
    return undefined;
  },
  close: async (bridge, profileId) => {
    const session = get().byProfile[profileId];
    if (!session || session.status !== 'open') return;
    const reply = await bridge.invoke('shell:close', { shellId: session.shellId });
    // Already gone on the other side: the exit event has said so, or will.
    if (!reply.ok && reply.error.code !== 'BAD_REQUEST') throw new Error(reply.error.message);
  },
}));
