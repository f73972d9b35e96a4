import { useEffect, useState } from 'react';
import type { JumpgateBridge } from '../shared/bridge';
import { aggregateStatus } from '../shared/model/aggregate';
import type { ErrorInfo } from '../shared/model/errors';
import type { Profile } from '../shared/model/profile';
import { ErrorNote } from './components/ErrorNote';
import { HostKeyMismatch, HostKeyPrompt, PassphrasePrompt } from './components/Prompts';
import { TargetRow } from './components/TargetRow';
import { useProfiles } from './stores/profiles';
import { useTunnels } from './stores/tunnels';

type Pending = { profileId: string; targetId: string };
type Dialog =
  | { kind: 'hostKey'; error: ErrorInfo; retry: Pending }
  | { kind: 'mismatch'; error: ErrorInfo }
  | { kind: 'passphrase'; keyPath: string; wrong: boolean; retry: Pending };

/** Ticks once a second so uptimes and countdowns move; the data itself comes from events. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function App({ bridge }: { bridge: JumpgateBridge }) {
  const { profiles, problem, selectedId, select } = useProfiles();
  const tunnels = useTunnels((state) => state.byId);
  const now = useNow();
  const [dialog, setDialog] = useState<Dialog | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  const profile = profiles.find((entry) => entry.id === selectedId);
  const stateOf = (profileId: string, targetId: string) => tunnels[`${profileId}/${targetId}`]?.state ?? { status: 'idle' as const };

  async function connect(target: Pending, unlock?: { passphrase: string; remember: boolean }): Promise<void> {
    setBusy(`${target.profileId}/${target.targetId}`);
    setError(undefined);
    const reply = await bridge.invoke('tunnels:start', { ...target, ...(unlock ? { unlock } : {}) });
    setBusy(undefined);
    if (reply.ok) return;
    const failure = reply.error;
    const owner = profiles.find((entry) => entry.id === target.profileId);
    const keyPath = owner?.jumpHost.auth.kind === 'key' ? owner.jumpHost.auth.keyPath : '';
    if (failure.code === 'HOST_KEY_UNKNOWN') setDialog({ kind: 'hostKey', error: failure, retry: target });
    else if (failure.code === 'HOST_KEY_MISMATCH') setDialog({ kind: 'mismatch', error: failure });
    else if (failure.code === 'PASSPHRASE_REQUIRED' || failure.code === 'BAD_PASSPHRASE') {
      setDialog({ kind: 'passphrase', keyPath, wrong: failure.code === 'BAD_PASSPHRASE', retry: target });
    } else setError(failure);
  }

  async function trust(dialogError: ErrorInfo, retry: Pending): Promise<void> {
    setDialog(undefined);
    const details = dialogError.details ?? {};
    const reply = await bridge.invoke('hostKeys:trust', { host: String(details.host), port: Number(details.port), publicKey: String(details.publicKey) });
    if (!reply.ok) setError(reply.error);
    else await connect(retry);
  }

  async function copyPassword(profileId: string, targetId: string): Promise<void> {
    const reply = await bridge.invoke('secrets:copyPassword', { profileId, targetId });
    if (reply.ok) setNotice(`${reply.value.label} copied; the clipboard is cleared at ${new Date(reply.value.clearsAt).toLocaleTimeString()} if it still holds it.`);
    else setError(reply.error);
  }

  return (
    <div className="app">
      <nav aria-label="Profiles">
        <h1>Jumpgate</h1>
        <ul>
          {profiles.map((entry: Profile) => {
            const status = aggregateStatus(entry.targets.map((target) => stateOf(entry.id, target.id)));
            return (
              <li key={entry.id}>
                <button aria-current={entry.id === selectedId ? 'page' : undefined} onClick={() => select(entry.id)}>
                  <span className={`dot dot-${status}`} aria-label={`status ${status}`} />
                  {entry.name}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
      <main>
        {problem ? <ErrorNote error={problem} /> : null}
        {error ? <ErrorNote error={error} /> : null}
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        {profile ? (
          <section aria-labelledby="profile-title">
            <h2 id="profile-title">{profile.name}</h2>
            <p className="jump">
              Jump box <code>{profile.jumpHost.user}@{profile.jumpHost.host}:{profile.jumpHost.port}</code>
              {profile.jumpHost.via.length > 0 ? ` via ${profile.jumpHost.via.map((hop) => hop.host).join(' → ')}` : ''} · AWS {profile.aws.profile ?? 'default'} in {profile.aws.region}
            </p>
            <table>
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
                  <TargetRow
                    key={target.id}
                    target={target}
                    state={stateOf(profile.id, target.id)}
                    now={now}
                    busy={busy === `${profile.id}/${target.id}`}
                    onConnect={() => void connect({ profileId: profile.id, targetId: target.id })}
                    onDisconnect={() => void bridge.invoke('tunnels:stop', { profileId: profile.id, targetId: target.id })}
                    onCopyPassword={() => void copyPassword(profile.id, target.id)}
                  />
                ))}
              </tbody>
            </table>
          </section>
        ) : (
          <p>No profile selected.</p>
        )}
      </main>
      {dialog?.kind === 'hostKey' ? <HostKeyPrompt error={dialog.error} onTrust={() => void trust(dialog.error, dialog.retry)} onCancel={() => setDialog(undefined)} /> : null}
      {dialog?.kind === 'mismatch' ? <HostKeyMismatch error={dialog.error} onClose={() => setDialog(undefined)} /> : null}
      {dialog?.kind === 'passphrase' ? (
        <PassphrasePrompt
          keyPath={dialog.keyPath}
          wrong={dialog.wrong}
          onCancel={() => setDialog(undefined)}
          onSubmit={(passphrase, remember) => {
            setDialog(undefined);
            void connect(dialog.retry, { passphrase, remember });
          }}
        />
      ) : null}
    </div>
  );
}
