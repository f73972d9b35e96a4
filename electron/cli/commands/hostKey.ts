import type { ResponseOf } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/model/errors';
import type { JumpHostHop } from '../../../shared/model/jumpHost';
import type { Profile } from '../../../shared/model/profile';
import { ask, interactive } from '../prompt';
import { CliFailure, findProfile, unwrap, type CliSession } from '../session';

/**
 * `jumpgate host-key show|forget|trust <profile>`: the way forward after HOST_KEY_MISMATCH (a
 * rebuilt jump box) from a terminal (issue #18). Every rule (which lines go, which key may be
 * pinned, when a pinned key may be replaced) is the core's: this only asks and shows.
 */

export interface HopOption {
  /** `host` or `host:port` of a hop on the profile's route (a ProxyJump `via` hop); the jump host itself by default. */
  hop?: string;
}

type Listed = ResponseOf<'hostKeys:list'>;
type Probed = ResponseOf<'hostKeys:probe'>['hops'][number];
type KeyEntry = Listed['pinned'][number];

/** The route, outermost first: the `via` hops, then the jump host. */
function routeOf(profile: Profile): JumpHostHop[] {
  const { via, ...last } = profile.jumpHost;
  return [...via, last];
}

/** The hop --hop names (by host:port, or by host where that is unique); the jump host without it. A name not on the route is a usage error. */
function chosenHop(profile: Profile, wanted: string | undefined): { hop: JumpHostHop; index: number } {
  const route = routeOf(profile);
  if (wanted === undefined) return { hop: route[route.length - 1] as JumpHostHop, index: route.length - 1 };
  const matches = route.map((hop, index) => ({ hop, index })).filter(({ hop }) => `${hop.host}:${hop.port}` === wanted || hop.host === wanted);
  const exact = matches.find(({ hop }) => `${hop.host}:${hop.port}` === wanted) ?? (matches.length === 1 ? matches[0] : undefined);
  if (exact) return exact;
  throw new CliFailure(
    {
      code: 'BAD_REQUEST',
      message: `--hop ${wanted} is not ${matches.length > 1 ? 'one hop' : 'a hop'} of profile "${profile.id}"'s route.`,
      hint: `Its hops: ${route.map((hop) => `${hop.host}:${hop.port}`).join(', ')} (the last is the jump host).`,
    },
    2,
  );
}

const keyText = (key: KeyEntry): string => `${key.keyType} ${key.fingerprint}`;

/** What the server's key is, in words, for each verdict. */
const VERDICT_WORDS: Record<NonNullable<Probed['verdict']>, string> = {
  trusted: 'trusted: it is the pinned key',
  mismatch: 'MISMATCH: not the pinned key (a rebuilt jump box, or someone in between: ask your administrator)',
  unknown: 'unknown: nothing is pinned for this host yet',
  revoked: 'REVOKED: known_hosts marks this key @revoked; do not connect',
};

/** Like unwrap, but a request the contract refuses (a malformed --fingerprint) is a usage error, exit 2. */
function unwrapUsage<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (!reply.ok && reply.error.code === 'BAD_REQUEST') throw new CliFailure(reply.error, 2);
  return unwrap(reply);
}

/** `jumpgate host-key show <profile> [--json]`: the pins for each hop, the file, and what each server presents now. */
export async function showHostKeys(session: CliSession, profileName: string, options: { json?: boolean }): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const route = routeOf(profile);
  const [listed, probed] = await Promise.all([
    Promise.all(route.map(async (hop) => unwrap(await session.invoke('hostKeys:list', { host: hop.host, port: hop.port })))),
    session.invoke('hostKeys:probe', { profileId: profile.id }).then(unwrap),
  ]);
  const hops = route.map((hop, index) => {
    const pins = listed[index] as Listed;
    const now = probed.hops[index];
    return {
      role: index === route.length - 1 ? ('jump host' as const) : ('via' as const),
      host: hop.host,
      port: hop.port,
      user: hop.user,
      name: pins.name,
      knownHostsPath: pins.knownHostsPath,
      pinned: pins.pinned,
      revoked: pins.revoked,
      ...(now?.presented ? { presented: now.presented, verdict: now.verdict } : {}),
      ...(now?.error ? { unreachable: now.error } : {}),
    };
  });
  if (options.json) {
    process.stdout.write(JSON.stringify({ profile: profile.id, hops }, null, 2) + '\n');
    return 0;
  }
  for (const hop of hops) {
    process.stdout.write(`${hop.role === 'via' ? 'via hop' : 'jump host'} ${hop.user}@${hop.host}:${hop.port}\n`);
    process.stdout.write(`  known_hosts: ${hop.knownHostsPath} (as ${hop.name})\n`);
    process.stdout.write(hop.pinned.length > 0 ? hop.pinned.map((key) => `  pinned:      ${keyText(key)}\n`).join('') : '  pinned:      nothing\n');
    for (const key of hop.revoked) process.stdout.write(`  revoked:     ${keyText(key)}\n`);
    if (hop.presented && hop.verdict) {
      process.stdout.write(`  presents:    ${keyText(hop.presented)}\n  verdict:     ${VERDICT_WORDS[hop.verdict]}\n`);
    } else if (hop.unreachable) {
      process.stdout.write(`  presents:    not known: the server could not be asked (${hop.unreachable.code}: ${hop.unreachable.message})\n`);
    }
  }
  return 0;
}

/** `jumpgate host-key forget <profile> [--hop host:port]`: remove the pins for that host:port and say which. */
export async function forgetHostKeys(session: CliSession, profileName: string, options: HopOption): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const { hop } = chosenHop(profile, options.hop);
  const { knownHostsPath, removed } = unwrap(await session.invoke('hostKeys:forget', { host: hop.host, port: hop.port }));
  if (removed.length === 0) {
    process.stdout.write(`Nothing was pinned for ${hop.host}:${hop.port} in ${knownHostsPath}; nothing removed.\n`);
    return 0;
  }
  process.stdout.write(`Removed from ${knownHostsPath} for ${hop.host}:${hop.port}:\n${removed.map((key) => `  ${keyText(key)}\n`).join('')}`);
  process.stdout.write('The next connection asks about the host key as on a first visit.\n');
  return 0;
}

export interface TrustOptions extends HopOption {
  /** The fingerprint the administrator confirmed: the key is pinned only if the server presents exactly it. */
  fingerprint?: string;
  /** Replace a different pinned key (after HOST_KEY_MISMATCH). */
  replace?: boolean;
}

/**
 * `jumpgate host-key trust <profile> [--fingerprint SHA256:...] [--replace] [--hop host:port]`: show
 * what the server presents and what is pinned, then have the core pin it. Without --fingerprint a
 * terminal is asked to confirm the fingerprint shown; a script is told to pass it.
 */
export async function trustHostKey(session: CliSession, profileName: string, options: TrustOptions): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const { hop, index } = chosenHop(profile, options.hop);
  const where = `${hop.host}:${hop.port}`;
  const now = unwrap(await session.invoke('hostKeys:probe', { profileId: profile.id })).hops[index];
  if (now?.error) throw new CliFailure(now.error);
  if (!now?.presented) throw new CliFailure({ code: 'INTERNAL', message: `${where} presented no host key.` });
  const pins = unwrap(await session.invoke('hostKeys:list', { host: hop.host, port: hop.port }));
  process.stderr.write(`${where} presents: ${keyText(now.presented)}\n`);
  process.stderr.write(
    pins.pinned.length > 0 ? `pinned now (${pins.knownHostsPath}): ${pins.pinned.map(keyText).join(', ')}\n` : `nothing pinned for ${where} in ${pins.knownHostsPath} yet\n`,
  );

  let fingerprint = options.fingerprint;
  // A changed key without --replace is refused by the core whatever is confirmed: no question to ask,
  // let it say so with the way forward.
  if (fingerprint === undefined && now.verdict === 'mismatch' && !options.replace) fingerprint = now.presented.fingerprint;
  if (fingerprint === undefined) {
    const rerun = `jumpgate host-key trust ${profile.id}${options.hop ? ` --hop ${options.hop}` : ''} --fingerprint ${now.presented.fingerprint}${now.verdict === 'mismatch' ? ' --replace' : ''}`;
    if (!interactive()) {
      throw new CliFailure({
        code: now.verdict === 'mismatch' ? 'HOST_KEY_MISMATCH' : 'HOST_KEY_UNKNOWN',
        message: `Nothing was trusted: no --fingerprint confirms the key ${where} presents, and there is no terminal to ask.`,
        hint: `Compare ${now.presented.fingerprint} with the fingerprint your administrator published, then run: ${rerun}`,
      } as ErrorInfo);
    }
    const question = `Trust ${keyText(now.presented)} for ${where}${now.verdict === 'mismatch' ? `, replacing ${pins.pinned.map(keyText).join(', ')}` : ''}? [y/N] `;
    if (!/^y(es)?$/i.test((await ask(question)).trim())) {
      process.stderr.write('Nothing was trusted.\n');
      return 1;
    }
    fingerprint = now.presented.fingerprint;
  }
  // The core asks the server again and pins only the key that matches the confirmed fingerprint.
  const result = unwrapUsage(await session.invoke('hostKeys:trustPresented', { profileId: profile.id, hop: index, fingerprint, replace: options.replace ?? false }));
  if (result.outcome === 'unchanged') {
    process.stdout.write(`${keyText(result.pinned)} is already pinned for ${where} in ${result.knownHostsPath}; nothing changed.\n`);
  } else {
    const replacing = result.replaced.length > 0 ? ` (replacing ${result.replaced.map(keyText).join(', ')})` : '';
    process.stdout.write(`Pinned ${keyText(result.pinned)} for ${where} in ${result.knownHostsPath}${replacing}.\n`);
  }
  return 0;
}
