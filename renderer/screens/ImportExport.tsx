import { useId, useState } from 'react';
import type { ImportPlan, SshConfigHosts } from '../stores/profiles';
import { useStores } from '../storesContext';
import { TableHead } from '../components/TableHead';

/** Hosts from ~/.ssh/config, each a click away from a new profile with its jump host filled in. */
export function SshConfigImport({ hosts: found }: { hosts: SshConfigHosts }) {
  const { useNavigation } = useStores();
  const go = useNavigation((state) => state.go);
  const { hosts, skipped } = found;
  return (
    <section aria-labelledby="ssh-import-title">
      <h2 id="ssh-import-title">Import from SSH config</h2>
      {skipped.length > 0 ? (
        <div className="notice" role="note" aria-label="Hosts that cannot become profiles">
          <p>These hosts cannot become profiles as they are:</p>
          <ul>
            {skipped.map(({ alias, why }) => (
              <li key={alias}>
                <code>{alias}</code>: {why}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {hosts.length === 0 ? (
        <p>No hosts with a HostName were found in ~/.ssh/config.</p>
      ) : (
        <table>
          <TableHead columns={['Host', 'Connects to']} actions />
          <tbody>
            {hosts.map(({ alias, jumpHost }) => (
              <tr key={alias}>
                <th scope="row">{alias}</th>
                <td>
                  <code>
                    {jumpHost.user}@{jumpHost.host}:{jumpHost.port}
                  </code>
                  {jumpHost.via.length > 0 ? ` via ${jumpHost.via.map((hop) => hop.host).join(' → ')}` : ''}
                  {jumpHost.auth.kind === 'key' ? ` · key ${jumpHost.auth.keyPath}` : ' · SSH agent'}
                </td>
                <td>
                  <button onClick={() => go({ kind: 'new', from: { name: alias, jumpHost } })}>Create profile from {alias}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A team file pasted or chosen, previewed (what it adds and changes), then applied. */
export function TeamImport() {
  const { useNavigation, useProfiles } = useStores();
  const go = useNavigation((state) => state.go);
  const [text, setText] = useState('');
  const [plan, setPlan] = useState<ImportPlan | undefined>();
  const fieldId = useId();
  const { planImport, applyImport } = useProfiles.getState();

  return (
    <section aria-labelledby="team-import-title">
      <h2 id="team-import-title">Import team file</h2>
      <p>A team file holds profiles without any secret. You see what it adds and changes before anything is saved.</p>
      {/* Labelled by id, not by wrapping: a wrapping label's name would include the text typed into it. */}
      <label htmlFor={fieldId}>Team file</label>
      <textarea
        id={fieldId}
        rows={10}
        value={text}
        spellCheck={false}
        onChange={(event) => {
          setText(event.target.value);
          setPlan(undefined);
        }}
      />
      <label>
        Or choose a file
        <input
          type="file"
          accept=".json,application/json"
          onChange={(event) =>
            void event.target.files?.[0]?.text().then((content) => {
              setText(content);
              setPlan(undefined);
            })
          }
        />
      </label>
      <div className="actions">
        <button
          disabled={text.trim() === ''}
          onClick={() =>
            void planImport(text).then((planned) => {
              if (planned) setPlan(planned);
            })
          }
        >
          Preview import
        </button>
      </div>
      {plan ? (
        <section aria-label="Import preview" className="plan">
          <h3>What importing does</h3>
          <ul>
            {plan.add.map((profile) => (
              <li key={`add-${profile.id}`}>Adds {profile.name}</li>
            ))}
            {plan.change.map(({ after, fields }) => (
              <li key={`change-${after.id}`}>
                Changes {after.name}: {fields.join(', ')}
              </li>
            ))}
            {plan.unchanged.map((name) => (
              <li key={`same-${name}`}>Leaves {name} as it is</li>
            ))}
          </ul>
          <div className="actions">
            <button
              disabled={plan.add.length + plan.change.length === 0}
              onClick={() =>
                void applyImport(text, plan).then((imported) => {
                  if (imported) go({ kind: 'profile' });
                })
              }
            >
              Import {plan.add.length + plan.change.length} profile(s)
            </button>
          </div>
        </section>
      ) : null}
    </section>
  );
}

/** The team file of every profile: no passwords, passphrases or keys in it, ready to share. */
export function TeamExport({ text }: { text: string }) {
  const href = `data:application/json;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <section aria-labelledby="team-export-title">
      <h2 id="team-export-title">Export team file</h2>
      <p>Share this file with your team. It holds no password, passphrase or key, only where things are.</p>
      <textarea aria-label="Team file contents" readOnly rows={14} value={text} spellCheck={false} />
      <div className="actions">
        <a className="button" href={href} download="jumpgate-team.json">
          Download jumpgate-team.json
        </a>
      </div>
    </section>
  );
}
