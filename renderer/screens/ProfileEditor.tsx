import { useMemo, useState } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';
import { DbEngineSchema, EXAMPLE_PROFILE_ID, type Profile } from '../../shared/model/profile';
import { ConnectionTest } from '../components/ConnectionTest';
import { ConfirmDialog } from '../components/Dialog';
import { FormField } from '../components/FormField';
import { newTargetDraft, toDraft, toProfile, withEngine, withPortsProposed, type FieldErrors, type ProfileDraft, type TargetDraft } from '../profileDraft';
import type { TunnelsState } from '../stores/tunnels';
import { useStores } from '../storesContext';
import { isLive } from '../../shared/model/tunnelState';

const ENGINE_LABELS: Record<TargetDraft['engine'], string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  postgres: 'PostgreSQL',
  'aurora-mysql': 'Aurora MySQL',
  'aurora-postgresql': 'Aurora PostgreSQL',
};

/**
 * Create or edit a profile: jump box, AWS, options and targets. Checked with the
 * store's own schema before it is sent, and again by the store when saved.
 */
export function ProfileEditor({ existing, start }: { existing?: Profile; start?: Partial<Profile> }) {
  const { useProfiles, useNavigation, useTunnels, useFeedback, useKeys, useApp } = useStores();
  // The desktop app has the system's file dialog; in a browser the path is typed (a page never learns a file's path).
  const canPickFiles = useApp((state) => state.info?.canPickFiles ?? false);
  const profiles = useProfiles((state) => state.profiles);
  const go = useNavigation((state) => state.go);
  const [draft, setDraft] = useState<ProfileDraft>(() => toDraft(existing ?? start ?? {}));
  // What the form opened with (or was reloaded to): Cancel asks before it drops anything typed since.
  const [opened, setOpened] = useState<ProfileDraft>(draft);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(opened);
  // The revision the draft started from: saving names it, so a change made meanwhile (another window, the CLI) is never overwritten.
  const [baseRevision, setBaseRevision] = useState<number | undefined>(() => (existing ? useProfiles.getState().revisions[existing.id] : undefined));
  const [conflict, setConflict] = useState<ErrorInfo | undefined>(undefined);
  // Fields are judged from the first save on, then on every keystroke, so a fixed field stops being red at once.
  const [attempted, setAttempted] = useState(false);
  const [saving, setSaving] = useState(false);

  /** Local ports of every other profile and of this draft's other targets: new targets propose around them. */
  const takenPorts = (except?: number): Set<number> =>
    new Set([
      ...profiles.filter((profile) => profile.id !== existing?.id).flatMap((profile) => profile.targets.map((target) => target.localPort)),
      ...draft.targets.filter((target) => target.key !== except).map((target) => Number(target.localPort)),
    ]);
  const update = (patch: Partial<ProfileDraft>) => setDraft((before) => ({ ...before, ...patch }));
  const updateTarget = (key: number, change: (target: TargetDraft) => TargetDraft) =>
    setDraft((before) => ({ ...before, targets: before.targets.map((target) => (target.key === key ? change(target) : target)) }));

  // The example profile (when it is not the one being edited) holds 13306 and 15432: proposals go around it, and the form offers to remove it.
  const example = profiles.find((profile) => profile.id === EXAMPLE_PROFILE_ID && profile.id !== existing?.id);
  /** Local ports of the other profiles, the example left out. */
  const portsWithoutExample = (): Set<number> =>
    new Set(profiles.filter((profile) => profile.id !== existing?.id && profile.id !== example?.id).flatMap((profile) => profile.targets.map((target) => target.localPort)));
  const heldByExample = new Set(example?.targets.map((target) => target.localPort) ?? []);
  // The conventional ports the untouched targets would have without the example, where it holds them.
  const examplePorts = example
    ? withPortsProposed(draft, portsWithoutExample()).targets.flatMap((target, index) =>
        target.localPort !== draft.targets[index]?.localPort && heldByExample.has(Number(target.localPort)) ? [Number(target.localPort)] : [],
      )
    : [];

  /** Delete the example profile, then give the untouched targets the conventional ports it held. */
  async function removeExample(profile: Profile): Promise<void> {
    const taken = portsWithoutExample();
    if (!(await useProfiles.getState().remove(profile))) return;
    setDraft((before) => withPortsProposed(before, taken));
  }

  const takenIds = useMemo(() => new Set(profiles.map((entry) => entry.id)), [profiles]);
  const checked = useMemo(() => toProfile(draft, existing?.id, takenIds, existing), [draft, existing, takenIds]);
  const errors: FieldErrors = attempted ? checked.errors : {};

  async function save(): Promise<void> {
    setAttempted(true);
    const profile = checked.profile;
    if (!profile) return;
    setSaving(true);
    const written = await useProfiles.getState().save(profile, baseRevision);
    setSaving(false);
    if (!written.ok) {
      if (written.error.code === 'PROFILES_CONFLICT') setConflict(written.error);
      return;
    }
    const saved = written.profile;
    const reopen = changedWhileOpen(existing, saved, useTunnels.getState().byId) ? ' Open tunnels keep their old settings until you disconnect and connect them again.' : '';
    useFeedback.getState().showNotice(`Saved ${saved.name}.${reopen}`);
    go({ kind: 'profile' });
  }

  /** Start again from what is saved now (the other change), dropping this draft's edits. */
  async function reloadSaved(): Promise<void> {
    await useProfiles.getState().reload();
    const state = useProfiles.getState();
    const saved = state.profiles.find((entry) => entry.id === (existing?.id ?? checked.profile?.id));
    setConflict(undefined);
    if (!saved) return;
    const reloaded = toDraft(saved);
    setDraft(reloaded);
    setOpened(reloaded);
    setBaseRevision(state.revisions[saved.id]);
    setAttempted(false);
  }

  const field = (name: string) => ({ error: errors[name] });
  const problems = Object.entries(errors);

  // The test and the dialogs sit outside the form: their buttons and the passphrase prompt's own form must not submit (save) it.
  return (
    <>
      <form
        className="editor"
        aria-labelledby="editor-title"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <h2 id="editor-title">{existing ? `Edit ${existing.name}` : 'New profile'}</h2>
        {conflict ? (
          <div className="error" role="alert" aria-label="Saved elsewhere">
            <strong>{conflict.message}</strong>
            <p>Your edits are still in the form and were not saved. Reload to start from the saved version (your edits here are dropped), or copy what you need first.</p>
            <code>{conflict.code}</code>
            <div className="actions">
              <button type="button" onClick={() => void reloadSaved()}>
                Reload saved version
              </button>
              <button type="button" onClick={() => setConflict(undefined)}>
                Dismiss
              </button>
            </div>
          </div>
        ) : null}
        {problems.length > 0 ? (
          <div className="error" role="alert">
            <strong>
              {problems.length === 1 ? 'One field needs' : `${problems.length} fields need`} attention before the profile can be saved.
            </strong>
          </div>
        ) : null}

        <fieldset>
          <legend>Jump box</legend>
          <FormField label="Profile name" {...field('name')}>
            {(props) => <input {...props} autoFocus value={draft.name} onChange={(event) => update({ name: event.target.value })} placeholder="Production (eu-west-2)" />}
          </FormField>
          <div className="row">
            <FormField label="Jump host" {...field('jumpHost.host')}>
              {(props) => <input {...props} value={draft.host} onChange={(event) => update({ host: event.target.value })} placeholder="bastion.example.com" />}
            </FormField>
            <FormField label="SSH port" {...field('jumpHost.port')} narrow>
              {(props) => <input {...props} inputMode="numeric" value={draft.port} onChange={(event) => update({ port: event.target.value })} />}
            </FormField>
            <FormField label="SSH user" {...field('jumpHost.user')}>
              {(props) => <input {...props} value={draft.user} onChange={(event) => update({ user: event.target.value })} placeholder="ec2-user" />}
            </FormField>
          </div>
          <div role="radiogroup" aria-label="Authentication" className="choices">
            <label className="inline">
              <input type="radio" name="auth" checked={draft.authKind === 'key'} onChange={() => update({ authKind: 'key' })} />
              Private key file
            </label>
            <label className="inline">
              <input type="radio" name="auth" checked={draft.authKind === 'agent'} onChange={() => update({ authKind: 'agent' })} />
              SSH agent
            </label>
          </div>
          {draft.authKind === 'key' ? (
            <FormField label="Private key path" {...field('jumpHost.auth.keyPath')} help="OpenSSH, PEM or PuTTY .ppk (v2 or v3). The passphrase is asked for when you connect.">
              {(props) => (
                <span className="inline-group">
                  <input {...props} value={draft.keyPath} onChange={(event) => update({ keyPath: event.target.value })} placeholder="~/.ssh/id_ed25519 or C:\Keys\prod.ppk" />
                  {canPickFiles ? (
                    <button
                      type="button"
                      className="secondary"
                      aria-label="Choose the private key file"
                      onClick={() =>
                        void useKeys
                          .getState()
                          .pickFile(draft.keyPath.trim() || undefined)
                          .then((path) => {
                            if (path) update({ keyPath: path });
                          })
                      }
                    >
                      Choose…
                    </button>
                  ) : null}
                </span>
              )}
            </FormField>
          ) : (
            <div className="row">
              <FormField label="Agent" {...field('jumpHost.auth.agent')} help="The default finds Pageant on Windows (else the Windows OpenSSH agent) and SSH_AUTH_SOCK elsewhere.">
                {(props) => (
                  <select {...props} value={draft.agentChoice} onChange={(event) => update({ agentChoice: event.target.value as ProfileDraft['agentChoice'] })}>
                    <option value="">This computer&apos;s default</option>
                    <option value="pageant">Pageant (PuTTY, Windows)</option>
                    <option value="openssh">OpenSSH agent (ssh-agent)</option>
                  </select>
                )}
              </FormField>
              {draft.agentChoice === 'pageant' ? null : (
                <FormField label="Agent socket (optional)" {...field('jumpHost.auth.socketPath')} help="Empty uses SSH_AUTH_SOCK, or on Windows \\.\pipe\openssh-ssh-agent.">
                  {(props) => <input {...props} value={draft.agentSocket} onChange={(event) => update({ agentSocket: event.target.value })} />}
                </FormField>
              )}
            </div>
          )}
          <FormField label="ProxyJump (optional)" {...field('jumpHost.via')} help="Hosts to go through first, outermost first: user@host:port, user@host">
            {(props) => <input {...props} value={draft.via} onChange={(event) => update({ via: event.target.value })} />}
          </FormField>
        </fieldset>

        <fieldset>
          <legend>AWS</legend>
          <div className="row">
            <FormField label="AWS profile" {...field('aws.profile')} help="From ~/.aws/config; empty uses the default credentials.">
              {(props) => <input {...props} value={draft.awsProfile} onChange={(event) => update({ awsProfile: event.target.value })} />}
            </FormField>
            <FormField label="AWS region" {...field('aws.region')}>
              {(props) => <input {...props} value={draft.region} onChange={(event) => update({ region: event.target.value })} />}
            </FormField>
          </div>
          <div className="row">
            <FormField label="Jump box security group" {...field('aws.securityGroupId')} help="For allowing your IP on port 22 (sg-…).">
              {(props) => <input {...props} value={draft.securityGroupId} onChange={(event) => update({ securityGroupId: event.target.value })} />}
            </FormField>
            <FormField label="Jump box instance" {...field('aws.jumpHostInstanceId')} help="Or its EC2 instance (i-…), whose groups are looked up.">
              {(props) => <input {...props} value={draft.instanceId} onChange={(event) => update({ instanceId: event.target.value })} />}
            </FormField>
          </div>
        </fieldset>

        <fieldset>
          <legend>Databases</legend>
          {draft.targets.length === 0 ? <p className="muted">No targets yet.</p> : null}
          {draft.targets.map((target, index) => (
            <TargetFields
              key={target.key}
              target={target}
              index={index}
              errors={errors}
              onChange={(change) => updateTarget(target.key, change)}
              onEngine={(engine) => updateTarget(target.key, (before) => withEngine(before, engine, takenPorts(target.key)))}
              onRemove={() => update({ targets: draft.targets.filter((other) => other.key !== target.key) })}
            />
          ))}
          {example && examplePorts.length > 0 ? (
            <div className="notice example-ports" role="note" aria-label="Ports held by the example profile">
              <p>
                {examplePorts.join(' and ')}, the usual {examplePorts.length === 1 ? 'port' : 'ports'} for these databases, {examplePorts.length === 1 ? 'is' : 'are'} held by the
                example profile &quot;{example.name}&quot;, so {examplePorts.length === 1 ? 'this one was' : 'these were'} given the next free {examplePorts.length === 1 ? 'port' : 'ports'}.
              </p>
              <button type="button" className="secondary" onClick={() => void removeExample(example)}>
                Remove the example profile and use {examplePorts.join(', ')}
              </button>
            </div>
          ) : null}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => update({ targets: [...draft.targets, newTargetDraft('mysql', takenPorts())] })}>
              Add MySQL target
            </button>
            <button type="button" className="secondary" onClick={() => update({ targets: [...draft.targets, newTargetDraft('postgres', takenPorts())] })}>
              Add PostgreSQL target
            </button>
          </div>
        </fieldset>

        <fieldset>
          <legend>Options</legend>
          <div className="row">
            <FormField label="Keepalive every (seconds)" {...field('options.keepaliveIntervalSeconds')} narrow>
              {(props) => <input {...props} inputMode="numeric" value={draft.keepalive} onChange={(event) => update({ keepalive: event.target.value })} />}
            </FormField>
            <FormField label="Close idle tunnels after (minutes)" {...field('options.idleAutoCloseMinutes')} narrow help="0 keeps them open.">
              {(props) => <input {...props} inputMode="numeric" value={draft.idleMinutes} onChange={(event) => update({ idleMinutes: event.target.value })} />}
            </FormField>
          </div>
          <label className="inline">
            <input type="checkbox" checked={draft.autoConnect} onChange={(event) => update({ autoConnect: event.target.checked })} />
            Connect when Jumpgate starts
          </label>
          <label className="inline">
            <input type="checkbox" checked={draft.allowSshRsaSha1} onChange={(event) => update({ allowSshRsaSha1: event.target.checked })} />
            Allow ssh-rsa (SHA-1) for this jump box
          </label>
          <small className="help">Only for an old jump box that refuses with SSH_ALGORITHM_LEGACY; SHA-1 signatures stay off everywhere else, as in OpenSSH 8.8 and later.</small>
        </fieldset>

        <div className="actions">
          <button type="submit" disabled={saving}>
            Save profile
          </button>
          <button type="button" className="secondary" onClick={() => (dirty ? setConfirmingCancel(true) : go({ kind: 'profile' }))}>
            Cancel
          </button>
        </div>
      </form>
      <ConnectionTest profile={checked.profile} onInvalid={() => setAttempted(true)} />
      {confirmingCancel ? (
        <ConfirmDialog
          title="Discard your changes?"
          body={<p>What you changed in this form since it opened is not saved. The saved profile stays as it was.</p>}
          confirmLabel="Discard changes"
          cancelLabel="Keep editing"
          onCancel={() => setConfirmingCancel(false)}
          onConfirm={() => go({ kind: 'profile' })}
        />
      ) : null}
    </>
  );
}

function TargetFields({
  target,
  index,
  errors,
  onChange,
  onEngine,
  onRemove,
}: {
  target: TargetDraft;
  index: number;
  errors: FieldErrors;
  onChange: (change: (target: TargetDraft) => TargetDraft) => void;
  onEngine: (engine: TargetDraft['engine']) => void;
  onRemove: () => void;
}) {
  const at = `targets.${index}`;
  const field = (name: string) => ({ error: errors[`${at}.${name}`] });
  const set = (patch: Partial<TargetDraft>) => onChange((before) => ({ ...before, ...patch }));
  return (
    <fieldset className="target">
      <legend>Target {index + 1}</legend>
      <div className="row">
        <FormField label="Target name" {...field('name')}>
          {(props) => <input {...props} value={target.name} onChange={(event) => set({ name: event.target.value })} placeholder="orders-mysql" />}
        </FormField>
        <FormField label="Engine" {...field('engine')}>
          {(props) => (
            <select {...props} value={target.engine} onChange={(event) => onEngine(event.target.value as TargetDraft['engine'])}>
              {DbEngineSchema.options.map((engine) => (
                <option key={engine} value={engine}>
                  {ENGINE_LABELS[engine]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField label="Local port" {...field('localPort')} narrow>
          {(props) => <input {...props} inputMode="numeric" value={target.localPort} onChange={(event) => set({ localPort: event.target.value, localPortTouched: true })} />}
        </FormField>
      </div>
      <div className="row">
        <FormField label="Database address" {...field('remote.kind')}>
          {(props) => (
            <select {...props} value={target.remoteKind} onChange={(event) => set({ remoteKind: event.target.value as TargetDraft['remoteKind'] })}>
              <option value="host">Host and port</option>
              <option value="rds">RDS identifier</option>
            </select>
          )}
        </FormField>
        {target.remoteKind === 'host' ? (
          <>
            <FormField label="Remote host" {...field('remote.host')}>
              {(props) => <input {...props} value={target.host} onChange={(event) => set({ host: event.target.value })} placeholder="orders.abc123.eu-west-2.rds.amazonaws.com" />}
            </FormField>
            <FormField label="Remote port" {...field('remote.port')} narrow>
              {(props) => <input {...props} inputMode="numeric" value={target.port} onChange={(event) => set({ port: event.target.value })} />}
            </FormField>
          </>
        ) : (
          <>
            <FormField label="RDS identifier" {...field('remote.identifier')} help="Resolved to its endpoint at each connect.">
              {(props) => <input {...props} value={target.identifier} onChange={(event) => set({ identifier: event.target.value })} />}
            </FormField>
            <FormField label="Endpoint" {...field('remote.endpoint')}>
              {(props) => (
                <select {...props} value={target.endpoint} onChange={(event) => set({ endpoint: event.target.value as TargetDraft['endpoint'] })}>
                  <option value="instance">Instance</option>
                  <option value="cluster-writer">Cluster writer</option>
                  <option value="cluster-reader">Cluster reader</option>
                </select>
              )}
            </FormField>
          </>
        )}
      </div>
      <div className="row">
        <FormField label="Database name" {...field('database')}>
          {(props) => <input {...props} value={target.database} onChange={(event) => set({ database: event.target.value })} />}
        </FormField>
        <FormField label="Database user" {...field('username')}>
          {(props) => <input {...props} value={target.username} onChange={(event) => set({ username: event.target.value })} />}
        </FormField>
        <FormField label="Password source" {...field('secret.kind')}>
          {(props) => (
            <select {...props} value={target.secretKind} onChange={(event) => set({ secretKind: event.target.value as TargetDraft['secretKind'] })}>
              <option value="none">None (I type it)</option>
              <option value="rds-managed">RDS-managed secret</option>
              <option value="secrets-manager">Secrets Manager secret</option>
            </select>
          )}
        </FormField>
        {target.secretKind === 'secrets-manager' ? (
          <FormField label="Secret id" {...field('secret.secretId')} help="Name or ARN; the value is fetched when you ask for it, never stored.">
            {(props) => <input {...props} value={target.secretId} onChange={(event) => set({ secretId: event.target.value })} />}
          </FormField>
        ) : null}
      </div>
      <button type="button" className="secondary danger" onClick={onRemove}>
        Remove target {index + 1}
      </button>
    </fieldset>
  );
}

/** Whether a target that is running now had its port, address or jump box changed by this save. */
function changedWhileOpen(before: Profile | undefined, after: Profile, tunnels: TunnelsState['byId']): boolean {
  if (!before) return false;
  const running = (targetId: string) => isLive(tunnels[`${before.id}/${targetId}`]?.state ?? { status: 'idle' });
  const jumpChanged = JSON.stringify(before.jumpHost) !== JSON.stringify(after.jumpHost);
  return before.targets.some((target) => {
    if (!running(target.id)) return false;
    const now = after.targets.find((entry) => entry.id === target.id);
    return jumpChanged || !now || now.localPort !== target.localPort || JSON.stringify(now.remote) !== JSON.stringify(target.remote);
  });
}
