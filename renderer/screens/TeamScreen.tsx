import { useEffect, useRef, useState } from 'react';
import { describeAge } from '../../shared/model/age';
import { targetChanges } from '../../shared/model/teamPlanText';
import { FormField } from '../components/FormField';
import type { DefaultIdentity } from '../stores/keys';
import type { Remote } from '../stores/remoteCall';
import type { PublishPreview, TeamDiscovery, TeamPreview, TeamStatus } from '../stores/team';

type TeamPlan = TeamPreview['fetched']['plan'];
import { useStores } from '../storesContext';
import { TableHead } from '../components/TableHead';

/**
 * Team profiles published in AWS (issue #16): follow a team's source, see what a version changes
 * here before it is applied, and the sources followed with how old their copy is and why it could
 * not be refreshed. Your own login, options and moved ports stay yours; the service keeps them.
 */
export function TeamScreen() {
  const { useTeam, useKeys } = useStores();
  const { status, preview, busy, discovery, loadStatus, fetchPreview, discover } = useTeam();
  const [source, setSource] = useState('');
  const [region, setRegion] = useState('');
  // Undefined until the person types: the field then shows the key proposed (the one made here, else ~/.ssh's).
  const [typedKey, setTypedKey] = useState<string | undefined>();
  const [proposed, setProposed] = useState<DefaultIdentity | undefined>();
  // The person has started on a source of their own: a team found later is offered, not previewed over it.
  const chosen = useRef(false);
  const isFollowed = (name: string) => status.value?.sources.some((entry) => entry.followed && entry.source === name) ?? false;
  /**
   * The key a follow of `name` sets as the login: what is typed, else the key proposed, but only for a
   * source not followed yet (a followed one keeps each profile's own login); none: the agent for a new profile.
   */
  const keyFor = (name: string): string | undefined => {
    const key = (typedKey ?? (isFollowed(name) ? '' : (proposed?.keyPath ?? ''))).trim();
    return key === '' ? undefined : key;
  };
  const previewSource = (input: { source: string; region?: string }) => {
    chosen.current = true;
    const keyPath = keyFor(input.source.trim());
    void fetchPreview({ ...input, ...(keyPath ? { keyPath } : {}) });
  };

  useEffect(() => {
    let live = true;
    // Issue #16: the key proposed and the teams published are looked up together; exactly one team,
    // not followed yet, is previewed at once, so what is left to do is "Follow".
    void Promise.all([useKeys.getState().defaultIdentity(), discover(), loadStatus()]).then(([identity, found]) => {
      if (!live) return;
      setProposed(identity);
      const only = found?.sources.length === 1 ? found.sources[0] : undefined;
      if (!found || !only || chosen.current || useTeam.getState().preview) return;
      if (useTeam.getState().status.value?.sources.some((entry) => entry.followed && entry.source === only.source)) return;
      setSource(only.source);
      chosen.current = true;
      void useTeam.getState().fetchPreview({ source: only.source, region: found.region, ...(identity?.keyPath ? { keyPath: identity.keyPath } : {}) });
    });
    return () => {
      live = false;
    };
  }, [discover, loadStatus, useKeys, useTeam]);

  return (
    <section aria-labelledby="team-title">
      <h2 id="team-title">Team profiles</h2>
      <p>
        Your administrator publishes the team&apos;s profiles in AWS: jump boxes, databases, local ports and the jump boxes&apos; host keys, never a
        secret or a key. Follow them here; your own key, options and the local ports you move stay yours.
      </p>
      {status.value ? <FollowedSources status={status.value} busy={busy} onCheck={(followed) => previewSource({ source: followed.source, region: followed.region })} /> : null}
      <Discovered
        discovery={discovery}
        busy={busy}
        onPreview={(found) => {
          setSource(found);
          previewSource({ source: found, ...(discovery.value ? { region: discovery.value.region } : {}) });
        }}
        onLookAgain={() => void discover(region.trim() || undefined)}
      />
      <form
        aria-label="Follow a team"
        onSubmit={(event) => {
          event.preventDefault();
          previewSource({ source, ...(region.trim() ? { region: region.trim() } : {}) });
        }}
      >
        <FormField label="Team source" help="ssm:/jumpgate/<team> (Parameter Store) or s3://<bucket>/<key>, as your administrator gave it.">
          {(props) => (
            <input
              {...props}
              value={source}
              spellCheck={false}
              placeholder="ssm:/jumpgate/acme"
              onChange={(event) => {
                chosen.current = true;
                setSource(event.target.value);
              }}
            />
          )}
        </FormField>
        <FormField label="AWS region" help="Leave empty for eu-west-2." narrow>
          {(props) => <input {...props} value={region} spellCheck={false} placeholder="eu-west-2" onChange={(event) => setRegion(event.target.value)} />}
        </FormField>
        <FormField label="Your SSH key" help={keyHelp(typedKey, proposed)}>
          {(props) => <input {...props} value={typedKey ?? proposed?.keyPath ?? ''} spellCheck={false} placeholder="~/.ssh/id_ed25519" onChange={(event) => setTypedKey(event.target.value)} />}
        </FormField>
        <div className="actions">
          <button type="submit" disabled={busy || source.trim() === ''}>
            Preview changes
          </button>
        </div>
      </form>
      {preview ? <ChangePreview preview={preview} keyPath={keyFor(preview.fetched.source)} keeps={isFollowed(preview.fetched.source)} /> : null}
      <PublishForm />
    </section>
  );
}

/** Where the key field's proposal came from, so the person knows what they are accepting. */
function keyHelp(typed: string | undefined, proposed: DefaultIdentity | undefined): string {
  const empty = 'Empty: this computer\'s SSH agent.';
  if (typed !== undefined || !proposed) return `The private key you log in to the jump box with. ${empty}`;
  if (proposed.source === 'created') return `The key you made in Jumpgate's Keys screen; change it to log in with another. ${empty}`;
  if (proposed.source === 'found') return `Found in your ~/.ssh (as OpenSSH would try it); change it to log in with another. ${empty}`;
  return `No key was found in ~/.ssh, so this computer's SSH agent is used; or type the private key you log in with.`;
}

/**
 * The teams published in this AWS account, found without typing (issue #16). Nothing found, or not
 * allowed to look: said quietly, since typing the source the administrator gave works all the same.
 */
function Discovered({ discovery, busy, onPreview, onLookAgain }: { discovery: Remote<TeamDiscovery>; busy: boolean; onPreview: (source: string) => void; onLookAgain: () => void }) {
  const found = discovery.value;
  const lookAgain = (
    <button type="button" className="secondary" onClick={onLookAgain} disabled={discovery.pending}>
      Look again
    </button>
  );
  if (discovery.pending && !found) {
    return (
      <p className="muted" role="status">
        Looking for your team&apos;s profiles in AWS…
      </p>
    );
  }
  if (discovery.error) {
    return (
      <p className="muted" role="note" aria-label="Teams published in AWS">
        Jumpgate could not list the teams published in AWS, so type your team&apos;s source below. {discovery.error.message}
        {discovery.error.hint ? ` ${discovery.error.hint}` : ''} {lookAgain}
      </p>
    );
  }
  if (!found) return null;
  if (found.sources.length === 0) {
    return (
      <p className="muted" role="note" aria-label="Teams published in AWS">
        No team publishes its profiles under /jumpgate in Parameter Store ({found.region}); type the source your administrator gave you (an S3 one is never
        listed), or the region it is in. {lookAgain}
      </p>
    );
  }
  return (
    <section aria-label="Teams published in AWS" className="panel">
      <h3>Teams published in your AWS account ({found.region})</h3>
      <ul>
        {found.sources.map((entry) => (
          <li key={entry.source}>
            <code>{entry.source}</code>, version {entry.revision}{' '}
            <button type="button" className="secondary" disabled={busy} onClick={() => onPreview(entry.source)}>
              Preview {entry.source}
            </button>
          </li>
        ))}
      </ul>
      {lookAgain}
    </section>
  );
}

/** For the administrator: publish some profiles to a team source, after seeing what that changes there. */
function PublishForm() {
  const { useTeam, useProfiles } = useStores();
  const { busy, publishPreview, planPublish } = useTeam();
  const profiles = useProfiles((state) => state.profiles);
  const [chosen, setChosen] = useState<string[]>([]);
  const [source, setSource] = useState('');
  const [region, setRegion] = useState('');
  return (
    <section aria-labelledby="team-publish-title">
      <h3 id="team-publish-title">Publish to your team</h3>
      <p>
        For the administrator: the profiles you choose go to the source as your team gets them, with the host keys you pinned for their jump boxes; never your key,
        options or anything else of yours. A version published by someone else since you looked is never overwritten.
      </p>
      <form
        aria-label="Publish to a team source"
        onSubmit={(event) => {
          event.preventDefault();
          void planPublish({ source, profileIds: chosen, ...(region.trim() ? { region: region.trim() } : {}) });
        }}
      >
        <fieldset>
          <legend>Profiles to publish</legend>
          {profiles.map((profile) => (
            <label key={profile.id} className="tick">
              <input
                type="checkbox"
                checked={chosen.includes(profile.id)}
                onChange={(event) => setChosen(event.target.checked ? [...chosen, profile.id] : chosen.filter((id) => id !== profile.id))}
              />
              {profile.name}
            </label>
          ))}
        </fieldset>
        <FormField label="Publish to" help="ssm:/jumpgate/<team> (Parameter Store) or s3://<bucket>/<key>.">
          {(props) => <input {...props} value={source} spellCheck={false} placeholder="ssm:/jumpgate/acme" onChange={(event) => setSource(event.target.value)} />}
        </FormField>
        <FormField label="Region of the source" help="Leave empty for the first profile's region." narrow>
          {(props) => <input {...props} value={region} spellCheck={false} onChange={(event) => setRegion(event.target.value)} />}
        </FormField>
        <div className="actions">
          <button type="submit" disabled={busy || chosen.length === 0 || source.trim() === ''}>
            Preview publish
          </button>
        </div>
      </form>
      {publishPreview ? <PublishChanges preview={publishPreview} /> : null}
    </section>
  );
}

function PublishChanges({ preview }: { preview: PublishPreview }) {
  const { useTeam } = useStores();
  const { busy, publish, discardPublish } = useTeam();
  const { planned } = preview;
  const seen = planned.published?.revision;
  return (
    <section aria-label={`Publishing to ${planned.source}`} className="plan">
      <h4>
        {planned.source} ({planned.region}): {seen ? `now at version ${seen}` : 'nothing published yet'}
      </h4>
      <PlanLines plan={planned.plan} />
      <div className="actions">
        <button disabled={busy} onClick={() => void publish()}>
          Publish to {planned.source}
        </button>
        <button className="secondary" onClick={discardPublish}>
          Cancel
        </button>
      </div>
    </section>
  );
}


function FollowedSources({ status, busy, onCheck }: { status: TeamStatus; busy: boolean; onCheck: (entry: TeamStatus['sources'][number]) => void }) {
  const followed = status.sources.filter((entry) => entry.followed);
  if (followed.length === 0) return null;
  return (
    <table aria-label="Team sources followed">
      <TableHead columns={['Source', 'Profiles', 'Version', 'Last refresh']} actions />
      <tbody>
        {followed.map((entry) => (
          <tr key={entry.source}>
            <th scope="row">
              <code>{entry.source}</code> ({entry.region})
            </th>
            <td>{entry.profileIds.join(', ')}</td>
            <td>
              {entry.applied?.revision}
              {entry.fetched ? ` · fetched ${describeAge(status.now - entry.fetched.at)} ago` : ''}
              {entry.pending ? ' · a newer version is not applied yet' : ''}
            </td>
            <td>
              {entry.lastError ? (
                <span role="note">
                  Could not refresh {describeAge(status.now - entry.lastError.at)} ago: {entry.lastError.error.message}
                  {entry.lastError.error.hint ? ` ${entry.lastError.error.hint}` : ''}
                </span>
              ) : (
                'ok'
              )}
            </td>
            <td>
              <button className="secondary" disabled={busy} onClick={() => onCheck(entry)}>
                Check {entry.source} for changes
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What following a fetched version does here, line by line, and the one button that applies it (with the key field as it is now). */
function ChangePreview({ preview, keyPath, keeps }: { preview: TeamPreview; keyPath: string | undefined; keeps: boolean }) {
  const { useTeam, useNavigation, useProfiles } = useStores();
  const { busy, follow, discard } = useTeam();
  const go = useNavigation((state) => state.go);
  const { fetched } = preview;
  const { plan } = fetched;
  const changes = plan.add.length + plan.change.length + plan.remove.length + plan.hostKeys.filter((key) => key.change !== 'same').length;
  const refused = plan.hostKeys.some((key) => key.change === 'conflict');
  return (
    <section aria-label={`Changes from ${fetched.source}`} className="plan">
      <h3>
        {fetched.source}, version {fetched.teamRevision}
      </h3>
      {changes === 0 ? <p>Nothing changes here: you have this version.</p> : null}
      <PlanLines plan={plan} />
      <p className="muted">{keyPath ? `You log in with your key ${keyPath}.` : keeps ? 'Each profile keeps the login you gave it.' : "You log in with this computer's SSH agent."}</p>
      <div className="actions">
        <button
          disabled={busy || refused}
          onClick={() =>
            void follow(keyPath).then((followed) => {
              if (!followed) return;
              // Issue #16: straight to what was followed, where Connect is, when it is one profile.
              const [only, ...more] = followed.profiles;
              if (only && more.length === 0) useProfiles.getState().select(only.id);
              go({ kind: 'profile', tab: 'targets' });
            })
          }
        >
          Follow {fetched.source}
        </button>
        <button className="secondary" onClick={discard}>
          Cancel
        </button>
      </div>
    </section>
  );
}

/** A team plan line by line: profiles added, changed (a line per changed target), removed; host keys pinned, dropped or refused. */
function PlanLines({ plan }: { plan: TeamPlan }) {
  return (
    <ul>
      {plan.add.map((profile) => (
        <li key={`add-${profile.id}`}>
          Adds {profile.name} ({profile.targets.length} target{profile.targets.length === 1 ? '' : 's'}, jump host {profile.jumpHost.user}@{profile.jumpHost.host}:{profile.jumpHost.port})
        </li>
      ))}
      {plan.change.map(({ before, after, fields }) => (
        <li key={`change-${after.id}`}>
          Changes {after.name}: {fields.join(', ')}
          {fields.includes('targets') ? (
            <ul>
              {targetChanges(before, after).map((line) => (
                <li key={line}>
                  <code>{line}</code>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
      {plan.remove.map((profile) => (
        <li key={`remove-${profile.id}`}>Removes {profile.name}</li>
      ))}
      {plan.hostKeys
        .filter((key) => key.change !== 'same')
        .map((key) => (
          <li key={`key-${key.host}-${key.port}-${key.fingerprint}`}>
            {key.change === 'conflict' ? 'Refuses' : key.change === 'add' ? 'Pins' : 'Drops'} the host key of {key.host}:{key.port}: {key.keyType} <code>{key.fingerprint}</code>
            {key.change === 'conflict' ? ' (another key of this type is pinned here: ask your administrator which is right)' : ''}
          </li>
        ))}
    </ul>
  );
}
