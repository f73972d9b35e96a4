import { useState } from 'react';
import type { DbTarget } from '../../shared/model/profile';
import { isLive, type TunnelState } from '../../shared/model/tunnelState';
import { detailsOf } from '../../shared/model/errors';
import { useNow } from '../hooks/useNow';
import { RemoteText } from './EndpointText';
import { ErrorNote } from './ErrorNote';
import { Sparkline } from './Sparkline';
import { clock, describeState, secondsUntil } from '../format';
import { jobKey, type PendingQuestion } from '../stores/connect';
import type { ConnectionStringFormat, Credentials } from '../stores/secrets';
import { useStores } from '../storesContext';

/** What a row says while the connect dialog waits on the user. */
const WAITING: Record<PendingQuestion, string> = {
  passphrase: "waiting for you: type the key's passphrase",
  hostKey: "waiting for you: check the jump box's fingerprint",
};

/** One target: its port, live state and the buttons a user reaches for while connected. */
export function TargetRow({
  profileId,
  profileName,
  target,
  state,
  question,
  idleLimitMinutes,
}: {
  profileId: string;
  profileName: string;
  target: DbTarget;
  state: TunnelState;
  /** A question the connect dialog is asking for this target: its failed state stands only for that. */
  question?: PendingQuestion | undefined;
  idleLimitMinutes: number;
}) {
  const now = useNow();
  const { useConnect, useConnection } = useStores();
  const error = useConnect((store) => store.errors[jobKey({ profileId, targetId: target.id })]);
  // While the service is lost the last state seen may be long gone (ports closed): never show it as live.
  const reachable = useConnection((store) => store.status !== 'disconnected');
  const job = { profileId, targetId: target.id };
  const busy = useConnect((store) => Boolean(store.busy[jobKey(job)] || store.busy[profileId]));
  const { connect, disconnect, retryNow, usePort, dismissError } = useConnect.getState();
  const live = isLive(state);
  const hint = state.status === 'failed' ? state.error.hint : state.status === 'reconnecting' ? state.lastError.hint : state.status === 'open' ? state.lastForwardError?.message : undefined;
  const suggestedPort = error?.code === 'PORT_IN_USE' ? detailsOf(error, 'PORT_IN_USE')?.suggestedPort : undefined;
  return (
    <>
      <tr aria-label={`Target ${target.name}`}>
        <th scope="row">
          {target.name}
          <small>
            {target.engine}
            {target.database ? ` · ${target.database}` : ''}
            {target.username ? ` · user ${target.username}` : ''}
          </small>
        </th>
        <td>
          <code>127.0.0.1:{target.localPort}</code> → <RemoteText target={target} />
        </td>
        <td>
          <span className={`status status-${!reachable ? 'unknown' : question ? 'waiting' : state.status}`} aria-label={`Status of ${target.name}`}>
            {!reachable ? 'unknown: not connected to Jumpgate' : question ? WAITING[question] : describeState(state, now)}
          </span>
          {hint && reachable && !question ? <small className="hint">{hint}</small> : null}
          {reachable && (state.status === 'open' || state.status === 'reconnecting') ? <Sparkline tunnelId={`${profileId}/${target.id}`} targetName={target.name} /> : null}
          {reachable && state.status === 'open' && state.idleSince !== undefined && idleLimitMinutes > 0 ? (
            <small className="idle" aria-label={`Idle close of ${target.name}`}>
              No client: closes in {clock(secondsUntil(state.idleSince + idleLimitMinutes * 60_000, now))} unless one connects
            </small>
          ) : null}
        </td>
        <td>
          <div className="row-actions">
            {reachable && state.status === 'reconnecting' ? (
              <button className="secondary" onClick={() => void retryNow(job)} aria-label={`Retry ${target.name} now`}>
                Retry now
              </button>
            ) : null}
            {live ? (
              <button onClick={() => void disconnect(job)} disabled={busy} aria-label={`Disconnect ${target.name}`}>
                Disconnect
              </button>
            ) : (
              <button onClick={() => void connect(job)} disabled={busy} aria-label={`Connect ${target.name}`}>
                Connect
              </button>
            )}
            <div className="more-actions">
              <CopyDetails target={target} />
              {target.secret.kind !== 'none' ? <SecretActions profileId={profileId} profileName={profileName} target={target} /> : null}
            </div>
          </div>
        </td>
      </tr>
      {error ? (
        <tr className="row-error" aria-label={`Error of ${target.name}`}>
          <td colSpan={4}>
            <ErrorNote
              error={error}
              onDismiss={() => dismissError(job)}
              actions={
                suggestedPort !== undefined ? (
                  <button type="button" disabled={busy} onClick={() => void usePort(job, suggestedPort)}>
                    Use port {suggestedPort}
                  </button>
                ) : null
              }
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Host, port, user and database are not secret: copied straight from the page, each as the field of a tool's form wants it. */
function CopyDetails({ target }: { target: DbTarget }) {
  const { showError, showNotice } = useStores().useFeedback.getState();
  const hostPort = `127.0.0.1:${target.localPort}`;
  const copy = (what: string, text: string) =>
    void navigator.clipboard.writeText(text).then(
      () => showNotice(`Copied ${what} ${text}.`),
      () => showError({ code: 'CLIPBOARD_UNAVAILABLE', message: 'The browser did not allow copying.', hint: `Type it instead: ${text}.` }),
    );
  return (
    <>
      <button className="secondary" title={hostPort} aria-label={`Copy host and port for ${target.name}`} onClick={() => copy('host:port', hostPort)}>
        Copy host:port
      </button>
      {target.username ? (
        <button className="secondary" title={target.username} aria-label={`Copy user name for ${target.name}`} onClick={() => copy('user name', target.username ?? '')}>
          Copy user
        </button>
      ) : null}
      {target.database ? (
        <button className="secondary" title={target.database} aria-label={`Copy database name for ${target.name}`} onClick={() => copy('database name', target.database ?? '')}>
          Copy database
        </button>
      ) : null}
    </>
  );
}

/** The password and connection strings: fetched from Secrets Manager on each click, never kept by the page beyond showing them. */
function SecretActions({ profileId, profileName, target }: { profileId: string; profileName: string; target: DbTarget }) {
  const { copyPassword, revealPassword, copyConnectionString, revealConnectionString } = useStores().useSecrets.getState();
  const [revealed, setRevealed] = useState<Credentials | undefined>();
  const [format, setFormat] = useState<ConnectionStringFormat>('url');
  const [shownString, setShownString] = useState<string | undefined>();
  const ref = { profileId, targetId: target.id };
  const names = { profile: profileName, target: target.name };

  return (
    <>
      <button className="secondary" aria-label={`Copy password for ${target.name}`} onClick={() => void copyPassword(ref, names)}>
        Copy password
      </button>
      {revealed ? (
        <span className="revealed">
          <span aria-label={`Credentials for ${target.name}`}>
            {revealed.username} / <code>{revealed.password}</code>
          </span>
          <button className="secondary" onClick={() => setRevealed(undefined)} aria-label={`Hide password for ${target.name}`}>
            Hide
          </button>
        </span>
      ) : (
        <button
          className="secondary"
          aria-label={`Reveal password for ${target.name}`}
          onClick={() =>
            void revealPassword(ref).then((credentials) => {
              if (credentials) setRevealed(credentials);
            })
          }
        >
          Reveal
        </button>
      )}
      <span className="inline-group">
        <select
          aria-label={`Connection string format for ${target.name}`}
          value={format}
          onChange={(event) => {
            setFormat(event.target.value as ConnectionStringFormat);
            setShownString(undefined);
          }}
        >
          <option value="url">{target.engine.includes('postgres') ? 'postgresql://' : 'mysql://'} URL</option>
          <option value="prisma">Prisma DATABASE_URL</option>
          <option value="jdbc">JDBC URL</option>
        </select>
        <button className="secondary" aria-label={`Copy connection string for ${target.name}`} onClick={() => void copyConnectionString(ref, format, names)}>
          Copy
        </button>
        {shownString === undefined ? (
          <button
            className="secondary"
            aria-label={`Reveal connection string for ${target.name}`}
            onClick={() =>
              void revealConnectionString(ref, format).then((text) => {
                if (text !== undefined) setShownString(text);
              })
            }
          >
            Show
          </button>
        ) : (
          <button className="secondary" aria-label={`Hide connection string for ${target.name}`} onClick={() => setShownString(undefined)}>
            Hide
          </button>
        )}
      </span>
      {shownString !== undefined ? (
        <code className="revealed-string" aria-label={`Connection string of ${target.name}`}>
          {format === 'prisma' ? `DATABASE_URL="${shownString}"` : shownString}
        </code>
      ) : null}
    </>
  );
}
