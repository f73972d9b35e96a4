import { useState } from 'react';
import { DbEngineSchema, type DbEngine, type Profile } from '../../shared/model/profile';
import { endpointKindsOf, existingTargetFor, targetFromDiscovered, type DiscoveredDatabase, type RdsEndpointKind } from '../awsTargets';
import { Dialog } from '../components/Dialog';
import { EndpointText } from '../components/EndpointText';
import { ErrorNote } from '../components/ErrorNote';
import { FormField } from '../components/FormField';
import { endpointsEntry, type Discovery } from '../stores/endpoints';
import { useStores } from '../storesContext';
import { TableHead } from '../components/TableHead';

const ENGINE_LABELS: Record<DbEngine, string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  postgres: 'PostgreSQL',
  'aurora-mysql': 'Aurora MySQL',
  'aurora-postgresql': 'Aurora PostgreSQL',
};

/** Commercial regions offered in the picker; the profile's own is added if it is not among them. */
const REGIONS = [
  'eu-west-2', 'eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'me-central-1', 'af-south-1',
];

const KIND_LABELS: Record<RdsEndpointKind, string> = { instance: 'Add as target', 'cluster-writer': 'Add writer', 'cluster-reader': 'Add reader' };

/**
 * Issue #6: the profile's databases as RDS lists them (instances and Aurora
 * clusters), filtered by engine and name, each one click from being a target
 * with its conventional local port and its linked secret.
 */
export function EndpointsScreen({ profile }: { profile: Profile }) {
  // Keyed by profile: what is typed or picked here never carries over to another profile.
  return <EndpointsPanel key={profile.id} profile={profile} />;
}

function EndpointsPanel({ profile }: { profile: Profile }) {
  const { useEndpoints } = useStores();
  const entry = useEndpoints((state) => endpointsEntry(state, profile.id));
  const { list, chooseRegion } = useEndpoints.getState();
  const region = entry.region ?? profile.aws.region;
  const regions = REGIONS.includes(profile.aws.region) ? REGIONS : [profile.aws.region, ...REGIONS];
  const credentials = profile.aws.profile ? `AWS profile ${profile.aws.profile}` : 'your default AWS credentials';

  return (
    <section aria-labelledby="endpoints-title" className="aws-screen">
      <h3 id="endpoints-title">Databases in RDS</h3>
      <p className="muted">
        RDS instances and Aurora clusters that {credentials} can see. A target added here is looked up by its identifier at every connect, so a
        replaced or restored instance is followed.
      </p>
      <form
        className="toolbar"
        aria-label="Find databases"
        onSubmit={(event) => {
          event.preventDefault();
          void list(profile.id, region);
        }}
      >
        <FormField label="Region" narrow>
          {(props) => (
            <select {...props} value={region} onChange={(event) => chooseRegion(profile.id, event.target.value)}>
              {regions.map((name) => (
                <option key={name} value={name}>
                  {name}
                  {name === profile.aws.region ? ' (this profile)' : ''}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <button type="submit" disabled={entry.pending} aria-busy={entry.pending}>
          List databases
        </button>
        {entry.pending ? (
          <span role="status" className="muted">
            Asking RDS in {region}…
          </span>
        ) : null}
      </form>
      {entry.error ? <ErrorNote error={entry.error} /> : null}
      {entry.value && !entry.pending ? (
        entry.value.databases.length === 0 ? (
          <NothingFound result={entry.value} onLookIn={(other) => void list(profile.id, other)} />
        ) : (
          <DatabaseList profile={profile} result={entry.value} />
        )
      ) : null}
    </section>
  );
}

/** An empty region explained: where Jumpgate looked, where databases are, what it could not check or cannot tunnel to. */
function NothingFound({ result, onLookIn }: { result: Discovery; onLookIn: (region: string) => void }) {
  return (
    <div className="notice nothing-found" role="status" aria-label={`No databases in ${result.region}`}>
      <strong>{result.note ?? `No RDS databases in ${result.region}.`}</strong>
      {result.foundIn.length > 0 ? (
        <div className="actions">
          {result.foundIn.map((found) => (
            <button key={found.region} className="secondary" onClick={() => onLookIn(found.region)}>
              Look in {found.region} ({found.count})
            </button>
          ))}
        </div>
      ) : null}
      {result.notChecked.length > 0 ? (
        <p>
          Could not check {result.notChecked.map((entry) => `${entry.region} (${entry.code})`).join(', ')}: those regions may be disabled for the
          account, or your role may not list databases there.
        </p>
      ) : null}
      <Unsupported result={result} />
    </div>
  );
}

function Unsupported({ result }: { result: Discovery }) {
  if (result.unsupported.length === 0) return null;
  return (
    <p className="muted">
      Not listed, Jumpgate cannot tunnel to their engines: {result.unsupported.map((entry) => `${entry.identifier} (${entry.engine})`).join(', ')}.
    </p>
  );
}

function DatabaseList({ profile, result }: { profile: Profile; result: Discovery }) {
  const { useProfiles, useNavigation } = useStores();
  const profiles = useProfiles((state) => state.profiles);
  const go = useNavigation((state) => state.go);
  const [engine, setEngine] = useState<DbEngine | 'all'>('all');
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<{ db: DiscoveredDatabase; endpoint: RdsEndpointKind } | undefined>();
  const needle = name.trim().toLowerCase();
  const shown = result.databases.filter(
    (db) =>
      (engine === 'all' || db.engine === engine) &&
      (needle === '' || db.identifier.includes(needle) || (db.members ?? []).some((member) => member.identifier.includes(needle))),
  );
  const otherRegion = result.region !== profile.aws.region;

  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter databases">
        <FormField label="Engine" narrow>
          {(props) => (
            <select {...props} value={engine} onChange={(event) => setEngine(event.target.value as DbEngine | 'all')}>
              <option value="all">All engines</option>
              {DbEngineSchema.options.map((option) => (
                <option key={option} value={option}>
                  {ENGINE_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label="Name contains">
          {(props) => <input {...props} type="search" value={name} onChange={(event) => setName(event.target.value)} placeholder="orders" />}
        </FormField>
      </div>
      <p className="muted" role="status">
        {shown.length === result.databases.length
          ? `${result.databases.length} database${result.databases.length === 1 ? '' : 's'} in ${result.region}.`
          : `Showing ${shown.length} of ${result.databases.length} databases in ${result.region}.`}
      </p>
      {otherRegion ? (
        <p className="notice">
          This profile works in {profile.aws.region}: its targets are looked up there. To add a database from {result.region},{' '}
          <button className="link" onClick={() => go({ kind: 'edit', profileId: profile.id })}>
            change the profile&apos;s region
          </button>{' '}
          first.
        </p>
      ) : null}
      <table className="databases" aria-label={`Databases in ${result.region}`}>
        <TableHead columns={['Database', 'Engine', 'Endpoint', 'Local port', 'Password']} actions />
        <tbody>
          {shown.map((db) => (
            <tr key={`${db.kind}:${db.identifier}`} aria-label={`Database ${db.identifier}`}>
              <th scope="row">
                {db.identifier}
                <small>
                  {db.kind === 'cluster' ? `Aurora cluster · ${(db.members ?? []).length} instance(s)` : db.clusterIdentifier ? `instance of ${db.clusterIdentifier}` : 'instance'}
                  {db.status ? ` · ${db.status}` : ''}
                </small>
              </th>
              <td>
                {ENGINE_LABELS[db.engine]}
                {db.engineVersion ? <small>{db.engineVersion}</small> : null}
              </td>
              <td className="endpoint">
                <EndpointText endpoint={db.endpoint} />
                {db.readerEndpoint ? (
                  <small>
                    reader <EndpointText endpoint={db.readerEndpoint} />
                  </small>
                ) : null}
              </td>
              <td>
                <LocalPort db={db} profile={profile} profiles={profiles} />
              </td>
              <td>{db.secretArn ? 'RDS-managed secret' : <span className="muted">none linked</span>}</td>
              <td>
                <div className="row-actions">
                  {endpointKindsOf(db).map((endpoint) => {
                    const existing = existingTargetFor(profile, db.identifier, endpoint);
                    const what = endpoint === 'instance' ? db.identifier : `${db.identifier} ${endpoint === 'cluster-writer' ? 'writer' : 'reader'}`;
                    return existing ? (
                      <small key={endpoint}>Target {existing.name}</small>
                    ) : (
                      <button key={endpoint} className="secondary" aria-label={`Add ${what} as a target`} disabled={otherRegion} onClick={() => setAdding({ db, endpoint })}>
                        {KIND_LABELS[endpoint]}
                      </button>
                    );
                  })}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Unsupported result={result} />
      {adding ? <AddTargetDialog profile={profile} db={adding.db} endpoint={adding.endpoint} onClose={() => setAdding(undefined)} /> : null}
    </>
  );
}

/** The port of the target that already points here, or the one a new target would get. */
function LocalPort({ db, profile, profiles }: { db: DiscoveredDatabase; profile: Profile; profiles: Profile[] }) {
  const first = endpointKindsOf(db)[0] ?? 'instance';
  const existing = existingTargetFor(profile, db.identifier, first);
  if (existing) return <code aria-label={`Local port of ${existing.name}`}>{existing.localPort}</code>;
  return <code aria-label={`Proposed local port for ${db.identifier}`}>{targetFromDiscovered(db, first, profile, profiles).localPort}</code>;
}

/** The target about to be added, with its name and local port still editable; saved with the whole profile. */
function AddTargetDialog({ profile, db, endpoint, onClose }: { profile: Profile; db: DiscoveredDatabase; endpoint: RdsEndpointKind; onClose: () => void }) {
  const { useProfiles, useEndpoints } = useStores();
  const profiles = useProfiles((state) => state.profiles);
  const proposed = targetFromDiscovered(db, endpoint, profile, profiles);
  const [name, setName] = useState(proposed.name);
  const [port, setPort] = useState(String(proposed.localPort));
  const [problem, setProblem] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const portNumber = /^\d+$/.test(port.trim()) ? Number(port.trim()) : undefined;
  const which = endpoint === 'cluster-reader' ? 'reader endpoint' : endpoint === 'cluster-writer' ? 'writer endpoint' : 'endpoint';

  return (
    <Dialog title={`Add ${db.identifier} as a target`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (portNumber === undefined) {
            setProblem('Local port: enter a whole number.');
            return;
          }
          setSaving(true);
          const target = targetFromDiscovered(db, endpoint, profile, profiles, { name: name.trim(), localPort: portNumber });
          void useEndpoints
            .getState()
            .addTarget(profile, target)
            .then((result) => {
              setSaving(false);
              if (result.ok) onClose();
              else setProblem(result.problem);
            });
        }}
      >
        <p>
          {ENGINE_LABELS[db.engine]} through the jump box to the {which} of <code>{db.identifier}</code>, looked up in RDS at each connect.
        </p>
        <div className="row">
          <FormField label="Target name">{(props) => <input {...props} value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />}</FormField>
          <FormField label="Local port" narrow help="On 127.0.0.1 only.">
            {(props) => <input {...props} inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value)} />}
          </FormField>
        </div>
        <dl className="facts">
          <dt>Database</dt>
          <dd>{proposed.database ?? 'the server default'}</dd>
          <dt>User</dt>
          <dd>{proposed.username ?? 'you type it'}</dd>
          <dt>Password</dt>
          <dd>{proposed.secret.kind === 'rds-managed' ? 'the RDS-managed secret linked to the database, fetched when you ask for it' : 'none linked: you type it'}</dd>
        </dl>
        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={saving || name.trim() === ''}>
            Add target
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
