import { detailsOf, type ErrorInfo } from '../../../shared/model/errors';
import { formatBytes } from '../../../shared/format';
import { trustRequestFor } from '../../../shared/model/hostKeyTrust';
import type { Profile } from '../../../shared/model/profile';
import type { TunnelSnapshotEntry, TunnelState } from '../../../shared/model/tunnelState';
import { startHeapRelease } from '../../core/platform/heapRelease';
import { CliFailure, findProfile, findTargets, unwrap, type CliSession } from '../session';
import {
  askPassphrase,
  canAskPassphrase,
  EnvPassphraseAnswers,
  hostKeyTrusted,
  lockedKeyPath,
  PASSPHRASE_HINT,
  PASSPHRASE_TRIES,
  passphraseFromEnv,
  tooManyWrongPassphrases,
  trustHostKeyHint,
} from '../sshAnswers';

export interface ConnectOptions {
  /** Name of an environment variable holding the key's passphrase (for scripts). */
  passphraseEnv?: string;
  /** A host key fingerprint the user has verified out of band: trusted without a prompt. */
  trustHostKey?: string;
  /** --port target=NNNNN: local ports for this run only, by target id or name. */
  ports?: ReadonlyMap<string, number>;
}

/** `--port orders=23306` (repeatable) as a map; anything else is a usage error. */
export function parsePortOverrides(values: readonly string[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const value of values) {
    const match = /^([^=\s]+)=(\d{1,5})$/.exec(value);
    const port = Number(match?.[2]);
    if (!match || !Number.isInteger(port) || port < 1024 || port > 65535) {
      throw new CliFailure({ code: 'BAD_REQUEST', message: `--port ${value} is not target=port.`, hint: 'For example --port orders=23306 (a port from 1024 to 65535).' }, 2);
    }
    ports.set(match[1] as string, port);
  }
  return ports;
}

/** The run-only port for a target, if one was given by its id or name. */
function portFor(target: Profile['targets'][number], ports: ReadonlyMap<string, number> | undefined): number | undefined {
  return ports?.get(target.id) ?? ports?.get(target.name);
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
  const target = profile.targets.find((entry) => entry.id === targetId);
  const localPort = target ? portFor(target, options.ports) : undefined;
  const fromEnv = new EnvPassphraseAnswers(profile, passphraseFromEnv(options.passphraseEnv));
  let unlock = fromEnv.first();
  // Passphrases asked, per key: a ProxyJump route asks for each hop's key in turn (issue #17).
  const asked = new Map<string | undefined, number>();
  // Each turn answers one question (a passphrase, a host key) or ends: the number of prompts is
  // bounded by PASSPHRASE_TRIES per key and the one host-key question per hop, and the last answer is always tried.
  for (;;) {
    const reply = await session.invoke('tunnels:start', { profileId: profile.id, targetId, ...(unlock ? { unlock } : {}), ...(localPort ? { localPort } : {}) });
    if (reply.ok) return reply.value;
    const error: ErrorInfo = reply.error;
    const envAnswer = fromEnv.answer(error);
    if (envAnswer) {
      unlock = envAnswer;
      continue;
    }
    if (canAskPassphrase(error, fromEnv.present)) {
      const keyPath = lockedKeyPath(profile, error);
      const times = asked.get(keyPath) ?? 0;
      if (times === PASSPHRASE_TRIES) throw tooManyWrongPassphrases(profile, error);
      asked.set(keyPath, times + 1);
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
}

/** Errors about one target alone: the others can still open beside it. */
const TARGET_OWN_CODES = new Set<ErrorInfo['code']>(['PORT_IN_USE', 'ENDPOINT_UNREACHABLE', 'ENDPOINT_UNRESOLVED', 'TUNNEL_EXISTS', 'AWS_NOT_FOUND']);

/** A failed state that only stands for a question the command is about to ask (or a flag answers): not news. */
function isQuestion(state: TunnelState): boolean {
  return state.status === 'failed' && (state.error.code === 'PASSPHRASE_REQUIRED' || state.error.code === 'HOST_KEY_UNKNOWN');
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
    // A question is not a failure: if it ends in one, the command's own error says so.
    if (name && event.state.status !== 'connecting' && !isQuestion(event.state)) {
      process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[2K' : ''}${new Date().toISOString()} ${name} ${describe(event.state)}\n`);
    }
  });

  const done = new Promise<number>((resolve) => {
    const stop = (): void => resolve(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  try {
    for (const name of options.ports?.keys() ?? []) {
      if (!profile.targets.some((target) => target.id === name || target.name === name)) findTargets(profile, [name]);
    }
    // The first target that opens settles the passphrase and host key questions; the rest share its
    // connection. A target that cannot open on its own (its port taken, its database unreachable)
    // is reported and the others open anyway; what every target would meet (the login) ends the command.
    const opened: TunnelSnapshotEntry[] = [];
    const failed: Array<{ name: string; error: ErrorInfo }> = [];
    const ownFailure = (error: unknown): ErrorInfo | undefined => {
      const info = error instanceof CliFailure ? error.info : undefined;
      return info && TARGET_OWN_CODES.has(info.code) ? info : undefined;
    };
    let index = 0;
    for (; index < targets.length && opened.length === 0; index++) {
      const target = targets[index] as Profile['targets'][number];
      try {
        opened.push(await openTarget(session, profile, target.id, options));
      } catch (error) {
        const own = ownFailure(error);
        if (!own) throw error;
        failed.push({ name: target.id, error: own });
      }
    }
    const rest = await Promise.allSettled(targets.slice(index).map((target) => openTarget(session, profile, target.id, options)));
    rest.forEach((result, offset) => {
      const target = targets[index + offset] as Profile['targets'][number];
      if (result.status === 'fulfilled') opened.push(result.value);
      else failed.push({ name: target.id, error: result.reason instanceof CliFailure ? result.reason.info : { code: 'INTERNAL', message: String(result.reason) } });
    });
    for (const { name, error } of failed) {
      const free = detailsOf(error, 'PORT_IN_USE')?.suggestedPort;
      process.stderr.write(`error ${error.code}: ${name}: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}${free ? `  or run it there now: --port ${name}=${free}\n` : ''}`);
    }
    if (opened.length === 0) throw new CliFailure(failed[0]?.error ?? { code: 'INTERNAL', message: 'No tunnel opened.' });
    for (const entry of opened) {
      process.stdout.write(
        `ready ${names.get(entry.id)} 127.0.0.1:${entry.endpoint.localPort} -> ${entry.endpoint.remoteHost}:${entry.endpoint.remotePort} via ${entry.endpoint.jumpHost}\n`,
      );
    }
    process.stdout.write('Press Ctrl-C to close the tunnels.\n');
    const stopStatus = process.stdout.isTTY ? liveStatus(session, names) : undefined;
    // Tunnels held for hours: what V8 grew for a large transfer goes back once they are quiet.
    const stopHeapRelease = startHeapRelease();
    try {
      await done;
      // Closed by the user; the exit code still says that not every target opened.
      return failed.length > 0 ? 1 : 0;
    } finally {
      stopHeapRelease();
      stopStatus?.();
    }
  } finally {
    stopEvents();
  }
}
