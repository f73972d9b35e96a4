import { useState } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';
import { jumpBoxSshPort, type Profile } from '../../shared/model/profile';
import { adminRequestText, type AccessRequest } from '../awsTargets';
import { ErrorNote } from '../components/ErrorNote';
import { FormField } from '../components/FormField';
import { accessEntry, knowsJumpBoxGroup, type AccessCheck } from '../stores/access';
import { useStores } from '../storesContext';

/** What EC2 accepts in the label part of a rule description (the contract's RuleLabel). */
const LABEL = /^[A-Za-z0-9 ._:/=+@-]{1,40}$/;

/**
 * Issue #6: my public IP, whether the jump box's security group lets it reach
 * SSH, and my own rule added, replaced or removed; when the account may not
 * change the group, a message for the administrator with the exact facts.
 */
export function AccessScreen({ profile }: { profile: Profile }) {
  // Keyed by profile: what is typed or picked here never carries over to another profile.
  return <AccessPanel key={profile.id} profile={profile} />;
}

function AccessPanel({ profile }: { profile: Profile }) {
  const { useAccess } = useStores();
  const entry = useAccess((state) => accessEntry(state, profile.id));
  const { check, allow, remove } = useAccess.getState();
  const [label, setLabel] = useState('');
  const port = jumpBoxSshPort(profile);
  const trimmed = label.trim();
  const labelProblem = trimmed !== '' && !LABEL.test(trimmed) ? 'Up to 40 letters, digits, spaces and . _ : / = + @ -' : undefined;
  const labelArg = trimmed === '' ? undefined : trimmed;

  if (!knowsJumpBoxGroup(profile)) return <NoGroup profile={profile} port={port} />;
  const guard = profile.aws.securityGroupId ? `security group ${profile.aws.securityGroupId}` : `the security groups of instance ${profile.aws.jumpHostInstanceId}`;

  return (
    <section aria-labelledby="access-title" className="aws-screen">
      <h3 id="access-title">Your IP on the jump box</h3>
      <p className="muted">
        The jump box answers SSH on port {port} only to addresses that {guard} allows. Jumpgate keeps one rule of yours per label (home, office…;
        empty uses this computer&apos;s name) and replaces it when your IP changes, so old addresses do not pile up.
      </p>
      <div className="toolbar">
        <FormField label="Rule label (optional)" error={labelProblem}>
          {(props) => <input {...props} value={label} maxLength={40} onChange={(event) => setLabel(event.target.value)} placeholder="home" />}
        </FormField>
        <button onClick={() => void check(profile)} disabled={entry.busy !== undefined} aria-busy={entry.busy === 'check'}>
          Check my access
        </button>
      </div>
      {entry.error ? <ErrorNote error={entry.error} /> : null}
      {entry.check ? (
        <CheckResult
          check={entry.check}
          port={port}
          busy={entry.busy !== undefined || labelProblem !== undefined}
          onAllow={() => void allow(profile, labelArg)}
          onRemove={() => void remove(profile, labelArg)}
        />
      ) : null}
      {entry.busy === 'allow' || entry.busy === 'remove' ? (
        <p className="muted" role="status">
          {entry.busy === 'allow' ? 'Changing the security group…' : 'Removing your rule…'}
        </p>
      ) : null}
      {entry.change ? (
        <p className="notice" role="status" aria-label="Last change">
          {entry.change}
        </p>
      ) : null}
      {entry.denied ? <AdminRequest key={adminRequestText(entry.denied.request)} request={entry.denied.request} error={entry.denied.error} /> : null}
    </section>
  );
}

function NoGroup({ profile, port }: { profile: Profile; port: number }) {
  const { useNavigation } = useStores();
  const go = useNavigation((state) => state.go);
  return (
    <section aria-labelledby="access-title" className="aws-screen">
      <h3 id="access-title">Your IP on the jump box</h3>
      <div className="notice" role="status">
        <strong>This profile does not say which security group guards its jump box.</strong>
        <p>
          Put the jump box&apos;s security group id (sg-…) or its EC2 instance id (i-…) in the profile&apos;s AWS settings. Then Jumpgate can check
          whether your IP may reach port {port}, and allow it.
        </p>
        <button className="secondary" onClick={() => go({ kind: 'edit', profileId: profile.id })}>
          Set the security group in Edit profile
        </button>
      </div>
    </section>
  );
}

function CheckResult({ check, port, busy, onAllow, onRemove }: { check: AccessCheck; port: number; busy: boolean; onAllow: () => void; onRemove: () => void }) {
  const rule = check.matchingRule;
  return (
    <div className={`access-result ${check.allowed ? 'allowed' : 'blocked'}`}>
      <dl className="facts">
        <dt>Your public IP</dt>
        <dd>
          <code aria-label="Your public IP">{check.ip}</code>
        </dd>
        <dt>Security group</dt>
        <dd>{check.checkedGroupIds.join(', ')}</dd>
        <dt>SSH port</dt>
        <dd>{port}</dd>
        <dt>Access</dt>
        <dd aria-label="Access on the jump box">
          {check.allowed && rule ? (
            <>
              <strong className="status-open">Allowed</strong> by <code>{rule.cidr}</code>
              {rule.description ? ` (“${rule.description}”)` : ''} in {rule.groupId}
            </>
          ) : (
            <>
              <strong className="status-failed">Not allowed</strong>: no rule lets {check.ip} reach port {port}
            </>
          )}
        </dd>
      </dl>
      <div className="actions">
        <button onClick={onAllow} disabled={busy}>
          Allow my IP
        </button>
        <button className="secondary danger" onClick={onRemove} disabled={busy}>
          Remove my rule
        </button>
      </div>
    </div>
  );
}

/** The refusal, and the message that asks someone who may change the group to do it, ready to copy. */
function AdminRequest({ request, error }: { request: AccessRequest; error: ErrorInfo }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const text = adminRequestText(request);
  return (
    <div className="admin-request">
      <ErrorNote error={error} />
      <FormField label="Message for your AWS administrator" help="Your AWS account may not change this security group. Send this to someone who can.">
        {(props) => <textarea {...props} readOnly rows={text.split('\n').length + 1} value={text} onFocus={(event) => event.target.select()} />}
      </FormField>
      <div className="actions">
        <button
          onClick={() =>
            void navigator.clipboard.writeText(text).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }
        >
          Copy message
        </button>
        {copied ? (
          <span role="status" className="muted">
            {copied === 'yes' ? 'Copied. Paste it into an email or chat.' : 'The browser did not allow copying: select the text and copy it.'}
          </span>
        ) : null}
      </div>
    </div>
  );
}
