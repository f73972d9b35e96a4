import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import { detailsOf, type ErrorInfo } from '../../shared/model/errors';
import { jumpBoxSshPort, type Profile } from '../../shared/model/profile';
import { publicIpv4Problem } from '../../shared/model/publicIpv4';
import type { AccessRequest } from '../awsTargets';
import type { FeedbackState } from './feedback';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

export type AccessCheck = ResponseOf<'aws:checkAccess'>;

/** One profile's Access screen: the last check, the last change, and a refusal with what to ask for instead. */
export interface AccessEntry {
  busy: 'check' | 'allow' | 'remove' | undefined;
  check: AccessCheck | undefined;
  /** Whether the last check used the address the user typed rather than the lookup's. */
  checkedTypedIp: boolean;
  /**
   * The public-IP lookup failed in this page (issue #13), so the screen offers a
   * field for the address. Once offered it stays, showing what is in use.
   */
  offerIpField: boolean;
  /**
   * What the user typed there. Kept only in this page's memory, never saved: a
   * typed address goes stale when the network changes, and the lookup is the
   * better source whenever it works.
   */
  ipText: string;
  /** What the last allow or remove did, as a sentence. */
  change: string | undefined;
  /** The account may not change the group: the facts for the administrator, and the service's own words. */
  denied: { request: AccessRequest; error: ErrorInfo } | undefined;
  error: ErrorInfo | undefined;
  /**
   * Whether this computer's IP may reach the jump box, as the profile view shows it (issue #16): looked
   * at when the profile is opened, and again by every check here. A failure is only reported there,
   * quietly: nobody asked, and connecting may work all the same.
   */
  glance: Remote<AccessCheck>;
}

export interface AccessState {
  byProfile: Record<string, AccessEntry>;
  /** The address typed in the field (validated by typedIpProblem before anything is sent). */
  setIpText(profileId: string, text: string): void;
  check(profile: Profile): Promise<void>;
  /** Look whether my IP may reach the jump box (read only), leaving the Access screen's check, errors and fields as they are. */
  glance(profile: Profile): Promise<void>;
  /**
   * Allow my IP on the jump box's SSH port (replacing my older rule with the same label), then check again.
   * No check is needed first: the service looks the address and the rules up itself, touching only mine.
   */
  allow(profile: Profile, label: string | undefined): Promise<void>;
  remove(profile: Profile, label: string | undefined): Promise<void>;
}

const EMPTY: AccessEntry = {
  busy: undefined,
  check: undefined,
  checkedTypedIp: false,
  offerIpField: false,
  ipText: '',
  change: undefined,
  denied: undefined,
  error: undefined,
  glance: NOT_ASKED,
};

export function accessEntry(state: Pick<AccessState, 'byProfile'>, profileId: string): AccessEntry {
  return state.byProfile[profileId] ?? EMPTY;
}

/** The address to send instead of the lookup's: what is typed in the offered field, trimmed; none when it is empty. */
export function typedIp(entry: AccessEntry): string | undefined {
  const text = entry.ipText.trim();
  return entry.offerIpField && text !== '' ? text : undefined;
}

/** Why the typed address cannot be used (the page's own check; the service checks again), or undefined. */
export function typedIpProblem(entry: AccessEntry): string | undefined {
  const ip = typedIp(entry);
  return ip === undefined ? undefined : publicIpv4Problem(ip)?.message;
}

/** Whether the profile says which security group guards its jump box (directly, or through its EC2 instance). */
export function knowsJumpBoxGroup(profile: Profile): boolean {
  return Boolean(profile.aws.securityGroupId || profile.aws.jumpHostInstanceId);
}

function cidrs(rules: ReadonlyArray<{ cidr: string }>): string {
  return rules.map((rule) => rule.cidr).join(', ');
}

/**
 * The Access screen's state per profile. Every AWS call starts from a click;
 * the results stay here so switching tabs does not lose them.
 */
export function createAccessStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const checkAccess = remoteCall(bridge, 'aws:checkAccess');
  const allowMyIp = remoteCall(bridge, 'aws:allowMyIp');
  const removeMyIp = remoteCall(bridge, 'aws:removeMyIp');

  return create<AccessState>()((set, get) => {
    const patch = (profileId: string, change: Partial<AccessEntry>): void =>
      set({ byProfile: { ...get().byProfile, [profileId]: { ...accessEntry(get(), profileId), ...change } } });

    /**
     * What an administrator needs when the account may not change the group: the
     * refusal itself carries the IP, port and group (the service adds them), else
     * the last check found them.
     */
    const requestFor = (profile: Profile, action: AccessRequest['action'], error: ErrorInfo): AccessRequest | undefined => {
      const check = accessEntry(get(), profile.id).check;
      const facts = detailsOf(error, 'AWS_ACCESS_DENIED');
      const ip = facts?.ip ?? check?.ip;
      const groupId = facts?.groupId ?? profile.aws.securityGroupId ?? check?.checkedGroupIds[0];
      const port = facts?.port ?? jumpBoxSshPort(profile);
      if (!ip || !groupId) return undefined;
      const ruleCidr = action === 'remove' && check?.matchingRule ? check.matchingRule.cidr : undefined;
      return { action, ip, groupId, port, region: profile.aws.region, ...(ruleCidr ? { ruleCidr } : {}) };
    };

    const refused = (profile: Profile, action: AccessRequest['action'], error: ErrorInfo): void => {
      const request = error.code === 'AWS_ACCESS_DENIED' ? requestFor(profile, action, error) : undefined;
      patch(profile.id, { busy: undefined, ...(request ? { denied: { request, error }, error: undefined } : { error, denied: undefined }) });
    };

    /** The typed address for a request, or nothing (the service looks it up); undefined when what is typed is not usable. */
    const given = (profileId: string): { ip?: string } | undefined => {
      const entry = accessEntry(get(), profileId);
      if (typedIpProblem(entry)) return undefined;
      const ip = typedIp(entry);
      return ip === undefined ? {} : { ip };
    };

    /** A failed lookup offers the field for the address (and keeps it offered). */
    const failed = (profile: Profile, action: AccessRequest['action'], error: ErrorInfo): void => {
      if (error.code === 'PUBLIC_IP_UNKNOWN') patch(profile.id, { offerIpField: true });
      refused(profile, action, error);
    };

    const check = async (profile: Profile, keep: Partial<AccessEntry> = {}): Promise<void> => {
      const typed = given(profile.id);
      // What is typed is not an address (the field says why): nothing is asked, what an allow or remove did still shows.
      if (!typed) return patch(profile.id, { busy: undefined, ...keep });
      patch(profile.id, { busy: 'check', error: undefined, ...keep });
      const reply = await checkAccess.send({ profileId: profile.id, ...typed });
      if (reply.ok) patch(profile.id, { busy: undefined, check: reply.value, checkedTypedIp: typed.ip !== undefined, glance: { pending: false, value: reply.value, error: undefined } });
      // May not even look at the group: what to ask for is the same as for adding the rule.
      else failed(profile, 'allow', reply.error);
    };

    return {
      byProfile: {},
      setIpText: (profileId, text) => patch(profileId, { ipText: text }),
      glance: async (profile) => {
        // An address typed on the Access screen is used here too; one that is not usable yet is left to that screen.
        const typed = given(profile.id) ?? {};
        await checkAccess.track(`glance:${profile.id}`, { profileId: profile.id, ...typed }, (change) =>
          patch(profile.id, { glance: { ...accessEntry(get(), profile.id).glance, ...change } }),
        );
      },
      check: (profile) => {
        feedback.getState().clear();
        return check(profile, { change: undefined, denied: undefined });
      },
      allow: async (profile, label) => {
        feedback.getState().clear();
        const typed = given(profile.id);
        if (!typed) return;
        patch(profile.id, { busy: 'allow', error: undefined, denied: undefined, change: undefined });
        const reply = await allowMyIp.send({ profileId: profile.id, ...(label ? { label } : {}), ...typed });
        if (!reply.ok) return failed(profile, 'allow', reply.error);
        const { ip, outcome, rule, revoked, migrated } = reply.value;
        const where = `${rule.groupId} on port ${rule.fromPort ?? jumpBoxSshPort(profile)}`;
        const change =
          outcome === 'added'
            ? `Added ${ip}/32 to ${where}.`
            : outcome === 'replaced'
              ? `Replaced your rule: ${cidrs(revoked) || 'the old address'} → ${ip}/32 in ${where}.`
              : outcome === 'unchanged'
                ? `Your rule already allows ${ip}/32 in ${where}; nothing changed.`
                : `${ip}/32 is already allowed in ${where} by ${rule.description ? `the rule "${rule.description}"` : 'another rule'}; nothing was added.`;
        // Issue #17: a rule an older Jumpgate made for this address now says whose it is.
        const relabelled = migrated ? ` Your rule from an older Jumpgate ("${migrated.description ?? ''}") now carries your AWS identity.` : '';
        await check(profile, { change: change + relabelled });
      },
      remove: async (profile, label) => {
        feedback.getState().clear();
        patch(profile.id, { busy: 'remove', error: undefined, denied: undefined, change: undefined });
        const reply = await removeMyIp.send({ profileId: profile.id, ...(label ? { label } : {}) });
        if (!reply.ok) return refused(profile, 'remove', reply.error);
        const { revoked } = reply.value;
        const change = revoked.length === 0 ? 'You had no rule with this label to remove.' : `Removed your rule for ${cidrs(revoked)}.`;
        await check(profile, { change });
      },
    };
  });
}
