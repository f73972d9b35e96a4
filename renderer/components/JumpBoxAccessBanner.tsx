import { useEffect } from 'react';
import { jumpBoxSshPort, type Profile } from '../../shared/model/profile';
import { accessEntry, knowsJumpBoxGroup } from '../stores/access';
import { useStores } from '../storesContext';
import { ErrorNote } from './ErrorNote';

/**
 * Issue #16: whether this computer's IP may reach the jump box, where Connect is, looked at (read
 * only) when the profile is opened; "Allow my IP" right there when it may not, through the same
 * intent as the Access tab (only the user's own rule is added or replaced). A look that fails says
 * why quietly: nobody asked for it, and connecting works all the same where the IP is allowed.
 */
export function JumpBoxAccessBanner({ profile }: { profile: Profile }) {
  const { useAccess, useNavigation } = useStores();
  const entry = useAccess((state) => accessEntry(state, profile.id));
  const go = useNavigation((state) => state.go);
  const guarded = knowsJumpBoxGroup(profile);
  // Looked at again when what decides the answer changes, not on every save of the profile.
  const scope = JSON.stringify([profile.id, profile.aws, jumpBoxSshPort(profile)]);
  useEffect(() => {
    if (guarded) void useAccess.getState().glance(profile);
    // `scope` stands for the profile's fields that matter here: the profile object itself is new after any save.
  }, [scope, guarded, useAccess]);

  if (!guarded) return null;
  const port = jumpBoxSshPort(profile);
  const { glance } = entry;
  const check = glance.value;
  const openAccess = (
    <button className="secondary" onClick={() => go({ kind: 'profile', tab: 'access' })}>
      Open Access
    </button>
  );
  return (
    <section aria-label="Your IP on the jump box" className={`ip-banner ${check ? (check.allowed ? 'allowed' : 'blocked') : 'unknown'}`}>
      {glance.error && !check ? (
        <p className="muted" role="note">
          Jumpgate could not check whether this computer may reach the jump box: {glance.error.message}
          {glance.error.hint ? ` ${glance.error.hint}` : ''} Connecting still works wherever your IP is allowed. {openAccess}
        </p>
      ) : !check ? (
        <p className="muted" role="status">
          Checking whether this computer&apos;s IP may reach the jump box…
        </p>
      ) : check.allowed ? (
        <p role="status">
          Your IP <code>{check.ip}</code> may reach the jump box on port {port}
          {check.matchingRule ? (
            <>
              {' '}
              (<code>{check.matchingRule.cidr}</code> in {check.matchingRule.groupId})
            </>
          ) : null}
          .
        </p>
      ) : (
        <div className="actions">
          <p role="status">
            Your IP <code>{check.ip}</code> may not reach the jump box on port {port} yet: {check.checkedGroupIds.join(', ')} has no rule for it.
          </p>
          <button onClick={() => void useAccess.getState().allow(profile, undefined)} disabled={entry.busy !== undefined} aria-busy={entry.busy === 'allow'}>
            Allow my IP
          </button>
        </div>
      )}
      {entry.change ? (
        <p className="notice" role="status" aria-label="Last change">
          {entry.change}
        </p>
      ) : null}
      {entry.denied ? <ErrorNote error={entry.denied.error} actions={openAccess} /> : entry.error && entry.busy === undefined && check ? <ErrorNote error={entry.error} /> : null}
    </section>
  );
}
