import { useEffect, useId, useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import { checklistItems, keyPassphraseAsked, unmappedFailure, type ChecklistItem, type ItemState } from '../checklistItems';
import { SshQuestionDialog } from '../components/Prompts';
import type { Unlock } from '../sshQuestions';
import { TrustHostKey } from '../components/TrustHostKey';
import { notRememberedNotice } from '../stores/connect';
import { stepOf } from '../stores/doctor';
import { useStores } from '../storesContext';

const STATE_LABELS: Record<ItemState, string> = { passed: 'Passed', failed: 'Failed', unchecked: 'Not checked yet', 'not-needed': 'Not needed' };
const MARKS: Record<ItemState, string> = { passed: '✓', failed: '✗', unchecked: '○', 'not-needed': '–' };

/**
 * The new starter checklist (issue #6): from a new laptop to a working database
 * connection in six items. Each is verified live by "Check now" (the doctor and
 * the key file), except sending the public key, which only the user can tick.
 */
export function ChecklistScreen() {
  const { useProfiles } = useStores();
  const { profiles, selectedId, select } = useProfiles();
  const profile = profiles.find((entry) => entry.id === selectedId) ?? profiles[0];
  const selectId = useId();
  return (
    <section aria-labelledby="checklist-title" className="tool-page">
      <h2 id="checklist-title">New starter checklist</h2>
      <p className="muted">
        From a new laptop to a working database connection. Jumpgate checks each step for real when you press Check now; the one thing it cannot see is whether
        you sent your public key, so you tick that yourself.
      </p>
      <TeamStep />
      {profile ? (
        <>
          <div className="toolbar">
            <div className="field">
              <label htmlFor={selectId}>Profile</label>
              <select id={selectId} value={profile.id} onChange={(event) => select(event.target.value)}>
                {profiles.map((entry) => (
                  <option key={entry.id} value={entry.id}>
                    {entry.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Checklist key={profile.id} profile={profile} />
        </>
      ) : (
        <p>Create a profile first, or follow your team&apos;s: the checklist checks a jump box and its databases.</p>
      )}
    </section>
  );
}

function Checklist({ profile }: { profile: Profile }) {
  const { useDoctor, useChecklist, useNavigation, useFeedback } = useStores();
  const run = useDoctor((state) => state.runs[profile.id]);
  const key = useChecklist((state) => state.keys[profile.id]);
  const sentAt = useChecklist((state) => state.sent[profile.id]);
  const checking = useChecklist((state) => Boolean(state.checking[profile.id]));
  const items = checklistItems(profile, run, key, sentAt);
  const done = items.filter((item) => item.state === 'passed' || item.state === 'not-needed').length;
  const blocker = unmappedFailure(run, items);
  const check = () => void useChecklist.getState().check(profile);
  const checkedAt = run?.at ?? key?.at;
  // The key's passphrase, asked as Connect asks it (issue #13): the checklist logs in with it and checks again.
  const asked = keyPassphraseAsked(run);
  const [asking, setAsking] = useState<{ wrong: boolean } | undefined>();
  const keyPath = profile.jumpHost.auth.kind === 'key' ? profile.jumpHost.auth.keyPath : undefined;
  const unlock = async (answer: Unlock): Promise<void> => {
    setAsking(undefined);
    const done = await useChecklist.getState().check(profile, answer);
    if (done.report?.notRemembered) useFeedback.getState().showNotice(notRememberedNotice(done.report.notRemembered));
    // A wrong one: the same question again, saying so.
    if (keyPassphraseAsked(done) === 'wrong' && useDoctor.getState().runs[profile.id] === done) setAsking({ wrong: true });
  };

  return (
    <>
      <div className="toolbar">
        <button onClick={check} disabled={checking}>
          Check now
        </button>
        <p className="checklist-progress" role="status">
          {checking
            ? `Checking ${profile.name}…`
            : `${done} of ${items.length} done${checkedAt ? `, checked at ${new Date(checkedAt).toLocaleTimeString()}` : ', not checked yet'}.`}
        </p>
      </div>
      <ol className="checklist" aria-label={`Checklist for ${profile.name}`}>
        {items.map((item) => (
          <Item
            key={item.id}
            item={item}
            profile={profile}
            onRecheck={check}
            onUnlock={item.id === 'key' && asked && !checking ? () => setAsking({ wrong: asked === 'wrong' }) : undefined}
          />
        ))}
      </ol>
      {asking && keyPath ? (
        <SshQuestionDialog
          question={{ kind: 'passphrase', keyPath, wrong: asking.wrong }}
          action="check"
          onClose={() => setAsking(undefined)}
          onTrust={() => setAsking(undefined)}
          onUnlock={(answer) => void unlock(answer)}
        />
      ) : null}
      {blocker && run?.report ? (
        <div className="error">
          <strong>
            The doctor stopped at {stepOf(run.report, blocker)}, {blocker.title}: {blocker.detail}
          </strong>
          {blocker.error?.hint ? <p>{blocker.error.hint}</p> : null}
          <button className="secondary" onClick={() => useNavigation.getState().go({ kind: 'profile', tab: 'doctor' })}>
            Open Doctor
          </button>
        </div>
      ) : null}
    </>
  );
}

function Item({ item, profile, onRecheck, onUnlock }: { item: ChecklistItem; profile: Profile; onRecheck: () => void; onUnlock: (() => void) | undefined }) {
  const titleId = useId();
  const { useNavigation } = useStores();
  const go = useNavigation((state) => state.go);
  return (
    <li className={`check item-${item.state}`} aria-labelledby={titleId}>
      <span className="check-mark" aria-hidden="true">
        {item.id === 'sent' ? '' : MARKS[item.state]}
      </span>
      <div className="check-body">
        <div className="check-line">
          {item.id === 'sent' ? (
            <SentTick profileId={profile.id} titleId={titleId} title={item.title} />
          ) : (
            <strong id={titleId}>{item.title}</strong>
          )}
          <span className="check-status">{item.id === 'sent' ? (item.state === 'passed' ? 'Done' : 'To do') : STATE_LABELS[item.state]}</span>
        </div>
        {item.detail ? <p className="check-detail">{item.detail}</p> : null}
        {item.error?.hint ? <p className="check-hint">What to do: {item.error.hint}</p> : null}
        {item.state === 'failed' && item.error ? <TrustHostKey error={item.error} onTrusted={onRecheck} /> : null}
        {item.state === 'failed' && item.id === 'ip' ? (
          <button className="link" onClick={() => go({ kind: 'profile', tab: 'access' })}>
            Open Access
          </button>
        ) : null}
        {item.state === 'failed' && item.id === 'key' ? (
          <button className="link" onClick={() => go({ kind: 'keys' })}>
            Open Keys
          </button>
        ) : null}
        {onUnlock ? (
          <button className="secondary" onClick={onUnlock}>
            Enter the passphrase
          </button>
        ) : null}
        {item.id === 'sent' ? <PublicKey profileId={profile.id} /> : null}
      </div>
    </li>
  );
}

/** The only item the user ticks; kept per profile in localStorage. */
function SentTick({ profileId, titleId, title }: { profileId: string; titleId: string; title: string }) {
  const { useChecklist } = useStores();
  const sent = useChecklist((state) => Boolean(state.sent[profileId]));
  const boxId = useId();
  return (
    <span className="tick">
      <input id={boxId} type="checkbox" checked={sent} onChange={(event) => useChecklist.getState().setSent(profileId, event.target.checked)} />
      <label htmlFor={boxId} id={titleId}>
        {title}
      </label>
    </span>
  );
}

/** The line to send: the public half of the profile's key, once a check has read it. */
function PublicKey({ profileId }: { profileId: string }) {
  const { useChecklist, useFeedback } = useStores();
  const key = useChecklist((state) => state.keys[profileId]);
  if (!key?.ok) return <p className="muted">Check now shows your public key here, ready to send to the jump box's administrator.</p>;
  const line = key.value.publicKey;
  return (
    <div className="public-key">
      <code aria-label="Your public key">{line}</code>
      <button
        className="secondary"
        onClick={() =>
          void navigator.clipboard.writeText(line).then(
            () => useFeedback.getState().showNotice('Copied the public key. Send it to the jump box administrator.'),
            () => useFeedback.getState().showError({ code: 'CLIPBOARD_UNAVAILABLE', message: 'The browser did not allow copying.', hint: 'Select the public key line and copy it by hand.' }),
          )
        }
      >
        Copy public key
      </button>
    </div>
  );
}

/**
 * The step after AWS access (issue #16): follow the team's profiles, which bring the jump box, its
 * pinned host key, the security group and the databases, so the items below check a real profile.
 */
function TeamStep() {
  const { useTeam, useNavigation } = useStores();
  const status = useTeam((state) => state.status.value);
  const loadStatus = useTeam((state) => state.loadStatus);
  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);
  const followed = status?.sources.filter((entry) => entry.followed) ?? [];
  return (
    <section className="notice" aria-label="Team profiles step">
      {followed.length > 0 ? (
        followed.map((entry) => (
          <p key={entry.source}>
            ✓ Following <code>{entry.source}</code>, version {entry.applied?.revision}: {entry.profileIds.join(', ')}. Their jump box, host key, security group and
            databases come from your team; the items below check them.
          </p>
        ))
      ) : (
        <p>
          Does your team publish its profiles in AWS? Once AWS access works (aws configure), follow them: they bring the jump box, its host key, the security group
          and the databases, so you type none of it.
        </p>
      )}
      <button className="secondary" onClick={() => useNavigation.getState().go({ kind: 'team' })}>
        {followed.length > 0 ? 'Open Team profiles' : "Follow the team's profiles"}
      </button>
    </section>
  );
}
