import { useId, useState } from 'react';
import { aggregateStatus } from '../../shared/model/aggregate';
import type { Profile } from '../../shared/model/profile';
import { useBridge } from '../bridgeContext';
import { jobKey, useConnect } from '../stores/connect';
import { useFeedback } from '../stores/feedback';
import { useNavigation } from '../stores/navigation';
import { useProfiles } from '../stores/profiles';
import { useTunnels } from '../stores/tunnels';
import { ConfirmDialog, Dialog } from './Dialog';
import { TargetRow } from './TargetRow';

/** The selected profile: its jump box, the whole-profile actions and one row per target. */
export function ProfileView({ profile, now }: { profile: Profile; now: number }) {
  const bridge = useBridge();
  const tunnels = useTunnels((state) => state.byId);
  const busy = useConnect((state) => Boolean(state.busy[jobKey({ profileId: profile.id })]));
  const { connect, disconnect } = useConnect.getState();
  const go = useNavigation((state) => state.go);
  const [asking, setAsking] = useState<'delete' | 'duplicate' | undefined>();
  const stateOf = (targetId: string) => tunnels[`${profile.id}/${targetId}`]?.state ?? { status: 'idle' as const };
  const status = aggregateStatus(profile.targets.map((target) => stateOf(target.id)));
  const anyLive = status !== 'none';
  const jump = profile.jumpHost;

  return (
    <section aria-labelledby="profile-title">
      <header className="profile-header">
        <h2 id="profile-title">{profile.name}</h2>
        <div className="actions">
          <button onClick={() => void connect(bridge, { profileId: profile.id })} disabled={busy || profile.targets.length === 0 || status === 'open'}>
            Connect all
          </button>
          <button className="secondary" onClick={() => void disconnect(bridge, { profileId: profile.id })} disabled={busy || !anyLive}>
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
        {jump.via.length > 0 ? ` via ${jump.via.map((hop) => hop.host).join(' → ')}` : ''} · {jump.auth.kind === 'key' ? `key ${jump.auth.keyPath}` : 'SSH agent'} · AWS{' '}
        {profile.aws.profile ?? 'default credentials'} in {profile.aws.region}
      </p>
      {profile.targets.length === 0 ? (
        <p>
          No targets yet. <button className="link" onClick={() => go({ kind: 'edit', profileId: profile.id })}>Add a database</button> to tunnel to.
        </p>
      ) : (
        <table className="targets">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Local port → endpoint</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {profile.targets.map((target) => (
              <TargetRow key={target.id} profileId={profile.id} target={target} state={stateOf(target.id)} now={now} />
            ))}
          </tbody>
        </table>
      )}
      {asking === 'delete' ? (
        <ConfirmDialog
          title={`Delete profile ${profile.name}?`}
          body={<p>This closes its tunnels and removes the saved profile from this computer. Databases, keys and passwords are not touched.</p>}
          confirmLabel={`Delete ${profile.name}`}
          onCancel={() => setAsking(undefined)}
          onConfirm={() => {
            setAsking(undefined);
            void bridge.invoke('profiles:delete', { id: profile.id }).then((reply) => {
              if (reply.ok) useFeedback.getState().showNotice(`Deleted ${profile.name}.`);
              else useFeedback.getState().showError(reply.error);
            });
          }}
        />
      ) : null}
      {asking === 'duplicate' ? (
        <DuplicateDialog
          original={profile.name}
          onCancel={() => setAsking(undefined)}
          onDuplicate={(name) => {
            setAsking(undefined);
            void bridge.invoke('profiles:duplicate', { id: profile.id, name }).then((reply) => {
              if (reply.ok) useProfiles.getState().select(reply.value.id);
              else useFeedback.getState().showError(reply.error);
            });
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
