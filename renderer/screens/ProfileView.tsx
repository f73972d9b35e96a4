import { useId, useState } from 'react';
import { aggregateStatus } from '../../shared/model/aggregate';
import type { Profile } from '../../shared/model/profile';
import { jobKey, pendingQuestionOf, summaryState } from '../stores/connect';
import { PROFILE_TABS, type ProfileTab } from '../stores/navigation';
import { useStores } from '../storesContext';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { ErrorNote } from '../components/ErrorNote';
import { JumpBoxAccessBanner } from '../components/JumpBoxAccessBanner';
import { RouteDiagram } from '../components/RouteDiagram';
import { TargetRow } from '../components/TargetRow';
import { AccessScreen } from './AccessScreen';
import { DoctorScreen } from './DoctorScreen';
import { EndpointsScreen } from './EndpointsScreen';
import { RollbackScreen } from './RollbackScreen';
import { ShellScreen } from './ShellScreen';
import { isLive } from '../../shared/model/tunnelState';
import { TableHead } from '../components/TableHead';

/** The selected profile: its jump box, the whole-profile actions and one row per target. */
export function ProfileView({ profile }: { profile: Profile }) {
  const { useTunnels, useConnect, useNavigation, useProfiles } = useStores();
  const tunnels = useTunnels((state) => state.byId);
  const busy = useConnect((state) => Boolean(state.busy[jobKey({ profileId: profile.id })]));
  const { connect, disconnect } = useConnect.getState();
  const go = useNavigation((state) => state.go);
  const [asking, setAsking] = useState<'delete' | 'duplicate' | undefined>();
  const dialog = useConnect((state) => state.dialog);
  const stateOf = (targetId: string) => tunnels[`${profile.id}/${targetId}`]?.state ?? { status: 'idle' as const };
  const questionOf = (targetId: string) => pendingQuestionOf(dialog, profile.id, targetId, stateOf(targetId));
  const status = aggregateStatus(profile.targets.map((target) => summaryState(stateOf(target.id), questionOf(target.id))));
  // Something to disconnect: a tunnel holding a port (a failed one has already let go of it).
  const anyLive = profile.targets.some((target) => isLive(stateOf(target.id)));
  const jump = profile.jumpHost;

  return (
    <section aria-labelledby="profile-title">
      <header className="profile-header">
        <h2 id="profile-title">{profile.name}</h2>
        <div className="actions">
          <button onClick={() => void connect({ profileId: profile.id })} disabled={busy || profile.targets.length === 0 || status === 'open'}>
            Connect all
          </button>
          <button className="secondary" onClick={() => void disconnect({ profileId: profile.id })} disabled={busy || !anyLive}>
            Disconnect all
          </button>
          <button className="secondary" onClick={() => go({ kind: 'edit', profileId: profile.id })}>
            Edit profile
          </button>
          <button className="secondary" onClick={() => setAsking('duplicate')}>
            Duplicate profile
          </button>
          <button className="secondary danger" onClick={() => setAsking('delete')}>
            Delete profile
          </button>
        </div>
      </header>
      <p className="jump">
        Jump box{' '}
        <code>
          {jump.user}@{jump.host}:{jump.port}
        </code>
        {jump.via.length > 0 ? ` via ${jump.via.map((hop) => hop.host).join(' → ')}` : ''} · {jump.auth.kind === 'key' ? `key ${jump.auth.keyPath}` : jump.auth.agent === 'pageant' ? 'Pageant' : jump.auth.agent === 'openssh' ? 'OpenSSH agent' : 'SSH agent'} · AWS{' '}
        {profile.aws.profile ?? 'default credentials'} in {profile.aws.region}
      </p>
      <ProfileId id={profile.id} />
      <RouteDiagram profile={profile} />
      <ProfileTabs profile={profile} />
      {asking === 'delete' ? (
        <ConfirmDialog
          title={`Delete profile ${profile.name}?`}
          body={<p>This closes its tunnels and removes the saved profile from this computer. Databases, keys and passwords are not touched.</p>}
          confirmLabel={`Delete ${profile.name}`}
          onCancel={() => setAsking(undefined)}
          onConfirm={() => {
            setAsking(undefined);
            void useProfiles.getState().remove(profile);
          }}
        />
      ) : null}
      {asking === 'duplicate' ? (
        <DuplicateDialog
          original={profile.name}
          onCancel={() => setAsking(undefined)}
          onDuplicate={(name) => {
            setAsking(undefined);
            void useProfiles.getState().duplicate(profile, name);
          }}
        />
      ) : null}
    </section>
  );
}

function DuplicateDialog({ original, onDuplicate, onCancel }: { original: string; onDuplicate: (name: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(`${original} (copy)`);
  const fieldId = useId();
  return (
    <Dialog title={`Duplicate ${original}`} onClose={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() !== '') onDuplicate(name.trim());
        }}
      >
        <label htmlFor={fieldId}>Name of the copy</label>
        <input id={fieldId} autoFocus value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        <p className="muted">The copy gets its own local ports (the next free ones), so both can be connected at once.</p>
        <div className="actions">
          <button type="submit" disabled={name.trim() === ''}>
            Duplicate
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The targets tab: one row per database with its live state and actions. */
function TargetsPanel({ profile }: { profile: Profile }) {
  const { useTunnels, useNavigation, useConnect } = useStores();
  const tunnels = useTunnels((state) => state.byId);
  const go = useNavigation((state) => state.go);
  const dialog = useConnect((state) => state.dialog);
  // Why "Connect all" failed (the jump box refused the login, say): it belongs to the whole profile.
  const profileError = useConnect((state) => state.errors[profile.id]);
  const stateOf = (targetId: string) => tunnels[`${profile.id}/${targetId}`]?.state ?? { status: 'idle' as const };
  return (
    <>
      {profileError ? <ErrorNote error={profileError} onDismiss={() => useConnect.getState().dismissError({ profileId: profile.id })} /> : null}
      {profile.targets.length === 0 ? (
        <p>
          No targets yet. <button className="link" onClick={() => go({ kind: 'edit', profileId: profile.id })}>Add a database</button> to tunnel to.
        </p>
      ) : (
        <table className="targets">
          <TableHead columns={['Target', 'Local port → endpoint', 'State']} actions />
          <tbody>
            {profile.targets.map((target) => (
              <TargetRow
                key={target.id}
                profileId={profile.id}
                profileName={profile.name}
                target={target}
                state={stateOf(target.id)}
                question={pendingQuestionOf(dialog, profile.id, target.id, stateOf(target.id))}
                idleLimitMinutes={profile.options.idleAutoCloseMinutes}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The id the CLI takes (`jumpgate connect <id>`), with a copy button: names may change, the id does not. */
function ProfileId({ id }: { id: string }) {
  const { showError, showNotice } = useStores().useFeedback.getState();
  return (
    <p className="profile-id">
      Profile id <code aria-label="Profile id">{id}</code>{' '}
      <button
        className="secondary"
        aria-label="Copy profile id"
        onClick={() =>
          void navigator.clipboard.writeText(id).then(
            () => showNotice(`Copied the profile id ${id}: jumpgate connect ${id}`),
            () => showError({ code: 'CLIPBOARD_UNAVAILABLE', message: 'The browser did not allow copying.', hint: `Type it instead: ${id}.` }),
          )
        }
      >
        Copy id
      </button>{' '}
      <span className="muted">for the command line: jumpgate connect {id}</span>
    </p>
  );
}

const TAB_LABELS: Record<ProfileTab, string> = {
  targets: 'Targets',
  endpoints: 'Endpoints',
  access: 'Access',
  rollback: 'Rollback',
  doctor: 'Doctor',
  shell: 'Shell',
};

/**
 * The profile's sections as tabs (arrow keys move between them). The shell
 * stays mounted once opened, so switching tabs does not hang it up.
 */
function ProfileTabs({ profile }: { profile: Profile }) {
  const { useNavigation } = useStores();
  const view = useNavigation((state) => state.view);
  const go = useNavigation((state) => state.go);
  const current: ProfileTab = view.kind === 'profile' ? (view.tab ?? 'targets') : 'targets';
  const [shellVisited, setShellVisited] = useState(current === 'shell');
  if (current === 'shell' && !shellVisited) setShellVisited(true);
  const select = (tab: ProfileTab) => go({ kind: 'profile', tab });
  return (
    <>
      <div
        role="tablist"
        aria-label="Profile sections"
        className="tabs"
        onKeyDown={(event) => {
          const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
          if (step === 0) return;
          const next = PROFILE_TABS[(PROFILE_TABS.indexOf(current) + step + PROFILE_TABS.length) % PROFILE_TABS.length] as ProfileTab;
          select(next);
          document.getElementById(`tab-${next}`)?.focus();
        }}
      >
        {PROFILE_TABS.map((tab) => (
          <button
            key={tab}
            id={`tab-${tab}`}
            role="tab"
            aria-selected={tab === current}
            aria-controls={`panel-${tab}`}
            tabIndex={tab === current ? 0 : -1}
            className="tab"
            onClick={() => select(tab)}
          >
            {TAB_LABELS[tab]}
          </button>
        ))}
      </div>
      {/* The Access tab shows the same and more: the banner would only repeat it. */}
      {current !== 'access' ? <JumpBoxAccessBanner profile={profile} /> : null}
      {current !== 'shell' ? (
        <div role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`} className="tabpanel">
          {current === 'targets' ? <TargetsPanel profile={profile} /> : null}
          {current === 'endpoints' ? <EndpointsScreen profile={profile} /> : null}
          {current === 'access' ? <AccessScreen profile={profile} /> : null}
          {current === 'rollback' ? <RollbackScreen profile={profile} /> : null}
          {current === 'doctor' ? <DoctorScreen profile={profile} /> : null}
        </div>
      ) : null}
      {shellVisited ? (
        <div role="tabpanel" id="panel-shell" aria-labelledby="tab-shell" className="tabpanel" hidden={current !== 'shell'}>
          <ShellScreen key={profile.id} profile={profile} />
        </div>
      ) : null}
    </>
  );
}
