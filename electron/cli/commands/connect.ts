import { detailsOf, type ErrorInfo } from '../../../shared/model/errors';
import { formatBytes } from '../../../shared/format';
import { trustRequestFor } from '../../../shared/model/hostKeyTrust';
import type { Profile } from '../../../shared/model/profile';
import type { TunnelSnapshotEntry, TunnelState } from '../../../shared/model/tunnelState';
import { CliFailure, findProfile, findTargets, unwrap, type CliSession } from '../session';
import { askPassphrase, canAskPassphrase, hostKeyTrusted, PASSPHRASE_HINT, passphraseFromEnv, trustHostKeyHint } from '../sshAnswers';

export interface ConnectOptions {
  /** Name of an environment variable holding the key's passphrase (for scripts). */
  passphraseEnv?: string;
  /** A host key fingerprint the user has verified out of band: trusted without a prompt. */
  trustHostKey?: string;
}

function describe(state: TunnelState): string {
  switch (state.status) {
    case 'open':
      return `open on 127.0.0.1:${state.localPort}`;
    case 'reconnecting':
      return `reconnecting (attempt ${state.attempt}, ${state.lastError.code}: ${state.lastError.message})`;
    case 'failed':
      return `failed ${state.error.code}: ${state.error.message}${state.error.hint ? ` (${state.error.hint})` : ''}`;
    case 'connecting':
      return `connecting, 127.0.0.1:${state.localPort} reserved`;
    default:
      return state.status;
  }
}

/**
 * Open one target, answering the questions a first connection asks: the key's
 * passphrase and the jump box's host key. On a terminal the user is asked; in a
 * script the flags answer, or the command fails with the flag to use.
 */
export async function openTarget(session: CliSession, profile: Profile, targetId: string, options: ConnectOptions): Promise<TunnelSnapshotEntry> {
  const fromEnv = passphraseFromEnv(options.passphraseEnv);
  let unlock = fromEnv;
  for (let attempt = 0; attempt < 4; attempt++) {
    const reply = await session.invoke('tunnels:start', { profileId: profile.id, targetId, ...(unlock ? { unlock } : {}) });
    if (reply.ok) return reply.value;
    const error: ErrorInfo = reply.error;
    if (canAskPassphrase(error, fromEnv !== undefined)) {
      unlock = await askPassphrase(profile, error);
      continue;
    }
    if (error.code === 'PASSPHRASE_REQUIRED') throw new CliFailure({ ...error, hint: PASSPHRASE_HINT });
    const fingerprint = detailsOf(error, 'HOST_KEY_UNKNOWN')?.fingerprint;
    if (fingerprint !== undefined) {
      if (!(await hostKeyTrusted(error, options.trustHostKey, 'connect'))) throw new CliFailure({ ...error, hint: trustHostKeyHint(fingerprint) });
      unwrap(await session.invoke('hostKeys:trust', trustRequestFor(error)));
      continue;
    }
    throw new CliFailure(error);
  }
  throw new CliFailure({ code: 'AUTH_FAILED', message: 'Gave up after several attempts.' });
}

/** On a terminal, one line redrawn every second: each tunnel's state, uptime, traffic and clients. */
function liveStatus(session: CliSession, names: Map<string, string>): () => void {
  const draw = async (): Promise<void> => {
    const snapshot = await session.invoke('tunnels:snapshot', {});
    if (!snapshot.ok) return;
    const parts = snapshot.value.tunnels
      .filter((entry) => names.has(entry.id))
      .map((entry) => {
        const state = entry.state;
        const name = names.get(entry.id);
        if (state.status === 'open') {
          const up = Math.round((Date.now() - state.openedAt) / 1000);
          return `${name} open ${up}s in ${formatBytes(state.bytesIn, '')} out ${formatBytes(state.bytesOut, '')} ${state.activeConnections} conn`;
        }
        if (state.status === 'reconnecting') return `${name} reconnecting in ${Math.max(0, Math.round((state.nextRetryAt - Date.now()) / 1000))}s`;
        return `${name} ${state.status}`;
      });
    process.stdout.write(`\r\x1b[2K${parts.join(' | ')}`);
  };
  const timer = setInterval(() => void draw(), 1000);
  void draw();
  return () => {
    clearInterval(timer);
    process.stdout.write('\r\x1b[2K');
  };
}

/** `jumpgate connect <profile> [target...]`: tunnels in the foreground until Ctrl-C. */
export async function connect(session: CliSession, profileName: string, targetNames: string[], options: ConnectOptions): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const targets = findTargets(profile, targetNames);
  if (targets.length === 0) throw new CliFailure({ code: 'TARGET_NOT_FOUND', message: `Profile "${profile.id}" has no targets.` }, 2);

  const names = new Map(targets.map((target) => [`${profile.id}/${target.id}`, target.id]));
  const lastStatus = new Map<string, string>();
  const stopEvents = session.jumpgate.on('tunnels:state', (event) => {
    const name = names.get(event.tunnelId);
    // Counter refreshes arrive as events too; a line is printed only when the status changes.
    if (lastStatus.get(event.tunnelId) === event.state.status && event.state.status !== 'reconnecting') return;
    lastStatus.set(event.tunnelId, event.state.status);
    if (name && event.state.status !== 'connecting') {
      process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[2K' : ''}${new Date().toISOString()} ${name} ${describe(event.state)}\n`);
    }
  });

  const done = new Promise<number>((resolve) => {
    const stop = (): void => resolve(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  try {
    // The first target settles the passphrase and host key questions; the rest share its connection.
    const [first, ...rest] = targets;
    const opened = [await openTarget(session, profile, (first as Profile['targets'][number]).id, options)];
    opened.push(...(await Promise.all(rest.map((target) => openTarget(session, profile, target.id, options)))));
    for (const entry of opened) {
      process.stdout.write(
        `ready ${names.get(entry.id)} 127.0.0.1:${entry.endpoint.localPort} -> ${entry.endpoint.remoteHost}:${entry.endpoint.remotePort} via ${entry.endpoint.jumpHost}\n`,
      );
    }
    process.stdout.write('Press Ctrl-C to close the tunnels.\n');
    const stopStatus = process.stdout.isTTY ? liveStatus(session, names) : undefined;
    try {
      return await done;
    } finally {
      stopStatus?.();
    }
  } finally {
    stopEvents();
  }
}
