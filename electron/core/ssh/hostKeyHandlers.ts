import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import type { JumpHostHop } from '../../../shared/model/jumpHost';
import type { ServiceContext } from '../serviceContext';
import type { HostKeyProbe } from './jumpHostConnection';
import { JumpHostPool } from './jumpHostPool';
import { hostKeyFromBlob, knownHostsName, sshFingerprint, type HostKey } from './knownHosts';
import { hostKeyMismatchError, hostKeyRevokedError } from './sshErrors';
import { tuningOf } from './profileTuning';

type HostKeyChannels = 'hostKeys:trust' | 'hostKeys:list' | 'hostKeys:forget' | 'hostKeys:probe' | 'hostKeys:trustPresented';

/** A key as the contract carries it: what `ssh-keygen -l` shows, and the blob. */
function entryOf(key: HostKey): { keyType: string; fingerprint: string; publicKey: string } {
  return { keyType: key.type, fingerprint: sshFingerprint(key.blob), publicKey: key.blob.toString('base64') };
}

/**
 * The jump boxes' host keys: pin one the user confirmed by its fingerprint, list and forget
 * the pins for a host, ask each hop what it presents now, and pin what a hop presents once
 * the user's fingerprint confirms it (the way forward after a rebuilt jump box, issue #18).
 */
export function hostKeyHandlers({ deps, pool, profiles, knownHosts, passphrases }: ServiceContext): Pick<Handlers, HostKeyChannels> {
  /**
   * Each hop's key now, up to hop `upTo` (all of them by default), on a pool of its own: a probe
   * must not share (or drop) the connection running tunnels use.
   */
  async function probeRoute(profileId: string, upTo?: number) {
    const profile = profiles.get(profileId);
    const { via, ...last } = profile.jumpHost;
    const route = upTo === undefined ? { ...last, via } : { ...([...via, last][upTo] as JumpHostHop), via: via.slice(0, upTo) };
    const probePool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor: passphrases.passphraseFor });
    try {
      // With the profile's algorithm opt-in: an old box's ssh-rsa key can be shown and pinned where the profile allows it.
      return await probePool.probeHostKeys(route, tuningOf(profile));
    } finally {
      await probePool.dispose();
    }
  }

  /** The one hop the user means: an index into the `via` hops then the jump host, the jump host by default. */
  function hopOf(profileId: string, index: number | undefined): { hop: JumpHostHop; index: number } {
    const { via, ...last } = profiles.get(profileId).jumpHost;
    const chain: JumpHostHop[] = [...via, last];
    const chosen = index ?? chain.length - 1;
    const hop = chain[chosen];
    if (!hop) {
      throw new JumpgateError('BAD_REQUEST', `Profile "${profileId}" has ${chain.length} hop(s) to its jump box; there is no hop ${chosen}.`, {
        hint: 'Name a hop by its place on the route: 0 for the first, the last for the jump host itself.',
        details: { rule: 'hop' },
      });
    }
    return { hop, index: chosen };
  }

  return {
    'hostKeys:trust': async ({ host, port, publicKey, replace }) => {
      let key;
      try {
        key = hostKeyFromBlob(Buffer.from(publicKey, 'base64'));
      } catch {
        throw new JumpgateError('BAD_REQUEST', 'That is not an SSH host key.', { hint: 'Trust the key exactly as Jumpgate presented it.' });
      }
      await pool.trustHostKey(host, port, key, { replace });
      return { fingerprint: sshFingerprint(key.blob) };
    },
    'hostKeys:list': async ({ host, port }) => {
      const { pinned, revoked } = await knownHosts.knownFor(host, port);
      return { knownHostsPath: knownHosts.path, name: knownHostsName(host, port), pinned: pinned.map(entryOf), revoked: revoked.map(entryOf) };
    },
    'hostKeys:forget': async ({ host, port }) => {
      const removed = await knownHosts.forget(host, port);
      return { knownHostsPath: knownHosts.path, removed: removed.map(entryOf) };
    },
    'hostKeys:probe': async ({ profileId }) => {
      const results = await probeRoute(profileId);
      return {
        hops: results.map(({ hop, probe, error }) => ({
          host: hop.host,
          port: hop.port,
          ...(probe ? { presented: entryOf(probe.key), verdict: probe.verdict } : {}),
          ...(error ? { error: error.toInfo() } : {}),
        })),
      };
    },
    'hostKeys:trustPresented': async ({ profileId, hop: hopIndex, fingerprint, replace }) => {
      const { hop, index } = hopOf(profileId, hopIndex);
      // Asked again here, whatever the caller showed: what is pinned is what the server presents now.
      const result = (await probeRoute(profileId, index))[index];
      if (result?.error) throw result.error;
      const probe = result?.probe as HostKeyProbe;
      const presented = sshFingerprint(probe.key.blob);
      // The refusals a connection gives, named for this hop (no attempt ran, so no timeout to name).
      const context = { host: hop.host, port: hop.port, user: hop.user, readyTimeoutMs: 0, knownHostsPath: knownHosts.path };
      if (probe.verdict === 'revoked') throw hostKeyRevokedError(context, probe.key);
      if (fingerprint !== presented) {
        throw new JumpgateError('HOST_KEY_NOT_CONFIRMED', `The jump box ${hop.host}:${hop.port} presents ${probe.key.type} key ${presented}, not the ${fingerprint} given. Nothing was trusted.`, {
          hint: "Do not trust it until you know why: compare the jump box's fingerprint with your administrator again (a rebuilt jump box has a new key; an unexpected one may be someone in between).",
          details: { host: hop.host, port: hop.port, keyType: probe.key.type, fingerprint: presented, given: fingerprint },
        });
      }
      const common = { host: hop.host, port: hop.port, knownHostsPath: knownHosts.path, pinned: entryOf(probe.key) };
      if (probe.verdict === 'trusted') return { ...common, outcome: 'unchanged' as const, replaced: [] };
      if (probe.verdict === 'mismatch' && !replace) {
        const refused = hostKeyMismatchError(context, probe.key, probe.pinned);
        throw new JumpgateError('HOST_KEY_MISMATCH', `${refused.message.replace(/ The connection was refused and nothing was forwarded\.$/, '')} Nothing was changed: a pinned key is replaced only when asked to.`, {
          hint: `If your administrator confirmed ${presented} as the jump box's new key, replace the pin: jumpgate host-key trust ${profileId} --fingerprint ${presented} --replace`,
          ...(refused.details ? { details: refused.details } : {}),
        });
      }
      const replacing = probe.verdict === 'mismatch';
      await knownHosts.pin(hop.host, hop.port, probe.key, { replace: replacing });
      return { ...common, outcome: replacing ? ('replaced' as const) : ('pinned' as const), replaced: replacing ? probe.pinned.map(entryOf) : [] };
    },
  };
}
