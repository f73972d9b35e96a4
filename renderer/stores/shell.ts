import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Unlock } from '../sshQuestions';
import { remoteCall } from './remoteCall';

type Exit = Omit<EventOf<'shell:exit'>, 'seq' | 'shellId'>;

export interface ShellSession {
  shellId: string;
  status: 'open' | 'ended';
  exit?: Exit;
}

export interface ShellState {
  /** The shell of each profile's jump box, if one was opened. */
  byProfile: Record<string, ShellSession>;
  init(): () => void;
  /** Open the profile's shell: the refusal, or (opened) why a passphrase to remember was not stored. */
  open(request: { profileId: string; cols: number; rows: number; unlock?: Unlock }): Promise<{ error?: ErrorInfo; notRemembered?: ErrorInfo }>;
  close(profileId: string): Promise<void>;
  /** Keystrokes typed into the terminal, to the shell as they are. */
  input(shellId: string, data: string): void;
  /** The terminal's new size, so full-screen programs on the jump box redraw to fit. */
  resize(shellId: string, cols: number, rows: number): void;
  /** Send the shell's output to `write` (first what arrived before it attached); returns the detach. */
  attachOutput(shellId: string, write: (data: string) => void): () => void;
}

/** Interactive shells on the jump box, one per profile, as channels of the profile's pooled SSH connection. */
export function createShellStore(bridge: JumpgateBridge) {
  const openShell = remoteCall(bridge, 'shell:open');
  const closeShell = remoteCall(bridge, 'shell:close');
  const sendInput = remoteCall(bridge, 'shell:input');
  const resizeShell = remoteCall(bridge, 'shell:resize');
  // Output is a stream, not state: it goes straight to the terminal that shows
  // the shell, and is kept here only until that terminal attaches.
  const sinks = new Map<string, (data: string) => void>();
  const unread = new Map<string, string[]>();

  return create<ShellState>()((set, get) => ({
    byProfile: {},
    init: () => {
      const offOutput = bridge.on('shell:output', ({ shellId, data }) => {
        const sink = sinks.get(shellId);
        if (sink) sink(data);
        else unread.set(shellId, [...(unread.get(shellId) ?? []), data]);
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
    open: async (request) => {
      const reply = await openShell.send(request);
      if (!reply.ok) return { error: reply.error };
      set({ byProfile: { ...get().byProfile, [request.profileId]: { shellId: reply.value.shellId, status: 'open' } } });
      return reply.value.notRemembered ? { notRemembered: reply.value.notRemembered } : {};
    },
    close: async (profileId) => {
      const session = get().byProfile[profileId];
      if (!session || session.status !== 'open') return;
      const reply = await closeShell.send({ shellId: session.shellId });
      // Already gone on the other side: the exit event has said so, or will.
      if (!reply.ok && reply.error.code !== 'BAD_REQUEST') throw new Error(reply.error.message);
    },
    input: (shellId, data) => void sendInput.send({ shellId, data }),
    resize: (shellId, cols, rows) => void resizeShell.send({ shellId, cols, rows }),
    attachOutput: (shellId, write) => {
      for (const chunk of unread.get(shellId) ?? []) write(chunk);
      unread.delete(shellId);
      sinks.set(shellId, write);
      return () => {
        if (sinks.get(shellId) === write) sinks.delete(shellId);
      };
    },
  }));
}
