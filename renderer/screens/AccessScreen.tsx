import { useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';
import { jumpBoxSshPort, type Profile } from '../../shared/model/profile';
import { adminRequestText, type AccessRequest } from '../awsTargets';
import { ErrorNote } from '../components/ErrorNote';
import { FormField } from '../components/FormField';
import { accessEntry, knowsJumpBoxGroup, typedIpProblem, type AccessCheck } from '../stores/access';
import { useStores } from '../storesContext';
import { TableHead } from '../components/TableHead';

/** What EC2 accepts in the label part of a rule description (the contract's RuleLabel). */
const LABEL = /^[A-Za-z0-9 ._:/=+@-]{1,40}$/;

/**
 * Issue #6: my public IP, whether the jump box's security group lets it reach
 * SSH, and my own rule added, replaced or removed; when the account may not
 * change the group, a message for the administrator with the exact facts.
 * Issue #13: when the public-IP lookup fails, the error names the URL asked and
 * a field takes the address instead (checked here, and again by the service).
 * Issue #16: Allow needs no check first (the service looks up the address and my rules itself, then
 * the screen checks); the profile view shows the same answer beside Connect.
 */
export function AccessScreen({ profile }: { profile: Profile }) {
  // Keyed by profile: what is typed or picked here never carries over to another profile.
  return <AccessPanel key={profile.id} profile={profile} />;
}

function AccessPanel({ profile }: { profile: Profile }) {
  const { useAccess } = useStores();
  const entry = useAccess((state) => accessEntry(state, profile.id));
  const { check, allow, remove, setIpText } = useAccess.getState();
  const [label, setLabel] = useState('');
  const port = jumpBoxSshPort(profile);
  const trimmed = label.trim();
  const labelProblem = trimmed !== '' && !LABEL.test(trimmed) ? 'Up to 40 letters, digits, spaces and . _ : / = + @ -' : undefined;
  const labelArg = trimmed === '' ? undefined : trimmed;
  const ipProblem = typedIpProblem(entry);
  // Removing needs no address (the rule is found by its label); allowing needs a usable one.
  const removeDisabled = entry.busy !== undefined || labelProblem !== undefined;
  const allowDisabled = removeDisabled || ipProblem !== undefined;

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
        <button onClick={() => void check(profile)} disabled={entry.busy !== undefined || ipProblem !== undefined} aria-busy={entry.busy === 'check'}>
          Check my access
        </button>
      </div>
      {entry.error ? <ErrorNote error={entry.error} /> : null}
      {entry.offerIpField ? (
        <form
          className="typed-ip"
          aria-label="Your public IP, typed"
          onSubmit={(event) => {
            event.preventDefault();
            if (entry.busy === undefined && ipProblem === undefined) void check(profile);
          }}
        >
          <FormField
            label="Your public IP address"
            error={ipProblem}
            help={
              entry.ipText.trim() === ''
                ? 'The lookup failed, so type the address AWS sees for you (your network administrator knows it). Kept only while this page is open.'
                : 'Used instead of the lookup while this page is open; never saved. Empty it to look your address up again.'
            }
          >
            {(props) => (
              <input
                {...props}
                value={entry.ipText}
                maxLength={100}
                inputMode="decimal"
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => setIpText(profile.id, event.target.value)}
                placeholder="81.2.3.4"
              />
            )}
          </FormField>
        </form>
      ) : null}
      {entry.check ? (
        <CheckResult check={entry.check} typed={entry.checkedTypedIp} port={port}>
          <AccessActions allowDisabled={allowDisabled} removeDisabled={removeDisabled} onAllow={() => void allow(profile, labelArg)} onRemove={() => void remove(profile, labelArg)} />
        </CheckResult>
      ) : (
        // No check yet: allowing need not wait for one (issue #16), the service looks up the address and my
        // rules itself and checks after. With the lookup failed and the field empty, Allow would only ask it again.
        <AccessActions
          allowDisabled={allowDisabled || (entry.offerIpField && entry.ipText.trim() === '')}
          removeDisabled={removeDisabled}
          onAllow={() => void allow(profile, labelArg)}
          onRemove={() => void remove(profile, labelArg)}
        />
      )}
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

function AccessActions(props: { allowDisabled: boolean; removeDisabled: boolean; onAllow: () => void; onRemove: () => void }) {
  return (
    <div className="actions">
      <button onClick={props.onAllow} disabled={props.allowDisabled}>
        Allow my IP
      </button>
      <button className="secondary danger" onClick={props.onRemove} disabled={props.removeDisabled}>
        Remove my rule
      </button>
    </div>
  );
}

function CheckResult({ check, typed, port, children }: { check: AccessCheck; typed: boolean; port: number; children: ReactNode }) {
  const rule = check.matchingRule;
  return (
    <div className={`access-result ${check.allowed ? 'allowed' : 'blocked'}`}>
      <dl className="facts">
        <dt>Your public IP</dt>
        <dd>
          <code aria-label="Your public IP">{check.ip}</code>
          {typed ? (
            <>
              {' '}
              <span className="muted" aria-label="Where your public IP came from">
                typed by you
              </span>
            </>
          ) : null}
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
      <RuleList rules={check.rules} port={port} />
      {children}
    </div>
  );
}

/**
 * Issue #17: the group is shared by a team, so every rule that lets an address reach the port is
 * listed with whose it is: yours (made with your AWS identity and OS user) or someone else's.
 */
function RuleList({ rules, port }: { rules: AccessCheck['rules']; port: number }) {
  if (rules.length === 0) return null;
  return (
    <table className="rule-list" aria-label={`Rules for port ${port}`}>
      <TableHead columns={['Address', 'Description', 'Whose']} />
      <tbody>
        {rules.map((rule) => (
          <tr key={rule.ruleId ?? `${rule.groupId} ${rule.cidr} ${rule.protocol} ${rule.fromPort ?? ''}`} aria-label={`Rule ${rule.cidr}`}>
            <td>
              <code>{rule.cidr}</code>
            </td>
            <td>{rule.description ?? ''}</td>
            <td aria-label="Whose rule">{rule.yours ? 'Yours' : "Someone else's"}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
