import { hostname, userInfo } from 'node:os';
import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from './awsClients';
import { loadEc2 } from './awsSdkModules';
import { awsCall, classifyAwsError, errorName, type AwsCallContext } from './awsErrors';
import { cidrContains } from './cidr';
import { whoAmI } from './identity';
import { parseIpv4 } from './publicIp';

export { cidrContains } from './cidr';

/**
 * The jump box's security group, as issue #3 part 4 asks: is my public IP
 * allowed on TCP 22, add it under a description I choose, replace my old IP
 * under that same description instead of piling up rules, remove it on request.
 *
 * Rules are read with DescribeSecurityGroupRules (one entry per CIDR, with a
 * rule id and its own description) rather than DescribeSecurityGroups, whose
 * IpPermissions group several CIDRs under one port range: with rule ids a
 * stale rule is revoked by id, so nothing else in the group can be touched.
 */

/** One ingress rule that lets an IPv4 range in (the part Jumpgate reasons about). */
export interface AllowListRule {
  groupId: string;
  /** IPv4 CIDR, e.g. "81.2.3.4/32" or "0.0.0.0/0". */
  cidr: string;
  description?: string;
  ruleId?: string;
  /** "tcp", "-1" (all traffic), ... as EC2 reports it. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
}

/** A rule as the caller sees it: made by them (their AWS identity and OS user) or by someone else. */
export interface OwnedRule extends AllowListRule {
  yours: boolean;
}

export interface AccessCheck {
  allowed: boolean;
  /** The narrowest rule that lets `ip` reach the port, when one does. */
  matchingRule?: AllowListRule;
  checkedGroupIds: string[];
  /** Every IPv4 rule of the groups that lets TCP traffic reach the port, whoever made it, narrowest first. */
  rules: OwnedRule[];
}

export type AllowOutcome =
  /** A rule with this description now allows the IP; nothing else had it. */
  | 'added'
  /** The rule with this description held another IP: it was revoked and the new one added. */
  | 'replaced'
  /** A rule with this description already allows exactly this IP on this port. */
  | 'unchanged'
  /**
   * An identical rule (same IP, protocol and port) exists under another description,
   * so EC2 would refuse a duplicate; stale rules under our description were still removed.
   */
  | 'covered';

export interface AllowResult {
  outcome: AllowOutcome;
  /** The rule that now lets the IP in. */
  rule: AllowListRule;
  /** Rules with our description that held other addresses and were revoked. */
  revoked: AllowListRule[];
  /**
   * Our rule for this address in the description of an older Jumpgate ("Jumpgate: <os user> <label>",
   * no AWS identity), given our description in place (issue #17): the rule as it was.
   */
  migrated?: AllowListRule;
}

export type JumpBoxGroupsSource = { instanceId: string } | { groupId: string } | { groupIds: string[] };

interface RegionOption {
  /** The jump box's region when it differs from the profile's. */
  region?: string;
}

const DEFAULT_PORT = 22;
const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** EC2's documented rule-description alphabet (IpRange.Description), at most 255 characters. */
const DESCRIPTION_CHARS = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const DESCRIPTION_MAX = 255;

const DUPLICATE = 'InvalidPermission.Duplicate';
const JUMP_BOX_NOT_FOUND_HINT = 'Check the jump box settings of this profile (instance id or security group id) and its AWS region.';

/**
 * Who a rule is for (issue #17: the security group is shared by a team). The
 * rule's identity is its group, protocol (TCP), port and description, and the
 * description carries who made it: "Jumpgate: <os user> <label> [<caller>]",
 * where <caller> is the STS user id of the AWS credentials (an IAM user's
 * AIDA..., or AROA...:<session name> for an assumed role / SSO sign-in, whose
 * session name is the person). Two colleagues who are both `ec2-user laptop`
 * thus never share a description, and one team member sharing an IAM user
 * with another is still told apart by OS user and label.
 */
export interface RuleOwner {
  /** The STS user id (GetCallerIdentity's UserId), as it appears in descriptions (see callerToken). */
  caller: string;
  /** The OS user name, as it appears in descriptions (see osUserToken). */
  user: string;
}

/** What a description part may hold: EC2's alphabet less space, "[" and "]", which delimit the parts. */
const TOKEN_UNSAFE = /[^a-zA-Z0-9._\-:/()#,@+=&;{}!$*]/g;
const CALLER_MAX = 128;
const USER_MAX = 64;
const LABEL_MAX = 40;

/** The caller's STS user id made safe for a description: characters EC2 refuses become "_", at most 128. */
export function callerToken(userId: string): string {
  return userId.replace(TOKEN_UNSAFE, '_').slice(0, CALLER_MAX) || 'unknown';
}

function osUserToken(user: string): string {
  return user.replace(TOKEN_UNSAFE, '_').slice(0, USER_MAX) || 'user';
}

function labelToken(label: string): string {
  return label.replace(/[^a-zA-Z0-9 ._\-:/()#,@+=&;{}!$*]/g, '_').trim().slice(0, LABEL_MAX).trimEnd() || 'computer';
}

function defaultLabel(): string {
  return hostname().split('.')[0] || 'computer';
}

/** This computer's OS user and the AWS identity behind the clients (STS GetCallerIdentity: needs no permission). */
export async function ruleOwner(clients: AwsClients): Promise<RuleOwner> {
  const identity = await whoAmI(clients);
  // No user id (never from AWS itself): the ARN names the principal just as well.
  return { caller: callerToken(identity.userId || identity.arn), user: osUserToken(osUser()) };
}

/**
 * The description Jumpgate gives its rule: "Jumpgate: <os user> <label> [<caller>]"
 * (label e.g. "home"; default: this computer's short host name, so two machines
 * of one person do not replace each other's rule). At most 8 + 64 + 40 + 128 + 4
 * characters, all from EC2's description alphabet.
 */
export function ruleDescription(owner: RuleOwner, label?: string): string {
  return `Jumpgate: ${owner.user} ${labelToken(label ?? defaultLabel())} [${owner.caller}]`;
}

const OWNED_DESCRIPTION = /^Jumpgate: (\S+) (.+) \[([^\]]+)\]$/;

/** The owner and label a description written by ruleDescription carries; undefined for any other description. */
export function parseRuleDescription(description: string | undefined): (RuleOwner & { label: string }) | undefined {
  const match = OWNED_DESCRIPTION.exec(description ?? '');
  return match ? { user: match[1] as string, label: match[2] as string, caller: match[3] as string } : undefined;
}

/** Whether a rule was made by this owner (same AWS identity and OS user, any label). */
export function isOwnedBy(description: string | undefined, owner: RuleOwner): boolean {
  const parsed = parseRuleDescription(description);
  return parsed !== undefined && parsed.caller === owner.caller && parsed.user === owner.user;
}

/**
 * The description Jumpgate wrote before issue #17: "Jumpgate: <os user> <label>",
 * with no AWS identity (characters EC2 refuses replaced by "_"). Kept only to
 * recognise such rules and migrate them (see allowMyIp).
 */
export function legacyRuleDescription(options: { label?: string; user?: string } = {}): string {
  const user = options.user ?? osUser();
  const label = options.label ?? defaultLabel();
  const text = `Jumpgate: ${user} ${label}`.replace(/[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, '_');
  return text.slice(0, DESCRIPTION_MAX).trimEnd();
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
    return process.env.USER ?? process.env.USERNAME ?? 'user';
  }
}

/** Whether a rule's protocol and port range let TCP traffic to `port` through. */
function coversTcpPort(rule: SecurityGroupRule, port: number): boolean {
  const protocol = rule.IpProtocol?.toLowerCase();
  // "-1" is "all traffic"; EC2 reports its ports as -1.
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  if (from === -1 && to === -1) return true;
  return from <= port && port <= to;
}

/** A TCP rule for exactly `port` (not a range, not all traffic): the only kind Jumpgate makes, and so the only kind it replaces or removes. */
function isPortRule(rule: SecurityGroupRule, port: number): boolean {
  const protocol = rule.IpProtocol?.toLowerCase();
  return (protocol === 'tcp' || protocol === '6') && rule.FromPort === port && rule.ToPort === port;
}

function isExactRule(rule: SecurityGroupRule, cidr: string, port: number): boolean {
  return isPortRule(rule, port) && rule.CidrIpv4 === cidr;
}

function prefixLength(cidr: string): number {
  return Number(cidr.split('/')[1] ?? 0);
}

function toAllowListRule(rule: SecurityGroupRule): AllowListRule {
  const result: AllowListRule = {
    groupId: rule.GroupId ?? '',
    cidr: rule.CidrIpv4 ?? '',
    protocol: rule.IpProtocol ?? '',
  };
  if (rule.Description !== undefined && rule.Description !== '') result.description = rule.Description;
  if (rule.SecurityGroupRuleId) result.ruleId = rule.SecurityGroupRuleId;
  if (rule.FromPort !== undefined) result.fromPort = rule.FromPort;
  if (rule.ToPort !== undefined) result.toPort = rule.ToPort;
  return result;
}

function requireIp(ip: string): string {
  const trimmed = ip.trim();
  if (parseIpv4(trimmed) === undefined) {
    throw new JumpgateError('BAD_REQUEST', `"${ip.slice(0, 60)}" is not an IPv4 address.`, {
      hint: 'Security group rules for the jump box take an IPv4 address such as 81.2.3.4.',
    });
  }
  return trimmed;
}

function requireGroupId(groupId: string): string {
  if (!GROUP_ID.test(groupId)) {
    throw new JumpgateError('BAD_REQUEST', `"${groupId.slice(0, 60)}" is not a security group id.`, {
      hint: 'A security group id looks like sg-0123456789abcdef0 (EC2 console -> Security Groups).',
    });
  }
  return groupId;
}

function requirePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new JumpgateError('BAD_REQUEST', `${port} is not a TCP port.`, { hint: 'Use the jump box SSH port, usually 22.' });
  }
  return port;
}

function requireDescription(description: string): string {
  if (description.length === 0 || description.length > DESCRIPTION_MAX || !DESCRIPTION_CHARS.test(description)) {
    throw new JumpgateError('BAD_REQUEST', `The rule description "${description.slice(0, 80)}" cannot be used in a security group.`, {
      hint: 'Use 1-255 characters from a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (EC2 refuses others).',
    });
  }
  return description;
}

export interface AllowListErrorContext extends AwsCallContext {
  /** What to ask an administrator for if the call is denied: the exact IP, port and group. */
  deniedHint: string;
  /** What was looked up, for a not-found error ("security group sg-..."). */
  resource: string;
}

/**
 * Map an EC2 failure during allow-listing: the shared classifier, with a
 * not-found hint about the profile's jump box settings. Denied calls (real EC2
 * says UnauthorizedOperation, IAM-checking emulators say AccessDenied) become
 * AWS_ACCESS_DENIED whose hint is the context's message the user can forward as is.
 */
export function classifyAllowListError(error: unknown, context: AllowListErrorContext): JumpgateError {
  return classifyAwsError(error, { notFoundHint: JUMP_BOX_NOT_FOUND_HINT, ...context });
}

function ec2Call<T>(context: AllowListErrorContext, call: () => Promise<T>): Promise<T> {
  return awsCall({ notFoundHint: JUMP_BOX_NOT_FOUND_HINT, ...context }, call);
}

function scopeFor(clients: AwsClients, region: string | undefined) {
  return region ? { ...clients.scope, region } : clients.scope;
}

/**
 * The security groups of the jump box: from its EC2 instance (every network
 * interface's groups), or the group id(s) the profile names directly.
 */
export async function findJumpBoxGroups(clients: AwsClients, source: JumpBoxGroupsSource & RegionOption): Promise<string[]> {
  if ('groupId' in source) return [requireGroupId(source.groupId)];
  if ('groupIds' in source) {
    if (source.groupIds.length === 0) throw new JumpgateError('BAD_REQUEST', 'No security group was given for the jump box.');
    return [...new Set(source.groupIds.map(requireGroupId))];
  }
  const { instanceId } = source;
  if (!INSTANCE_ID.test(instanceId)) {
    throw new JumpgateError('BAD_REQUEST', `"${instanceId.slice(0, 60)}" is not an EC2 instance id.`, {
      hint: 'An instance id looks like i-0123456789abcdef0 (EC2 console -> Instances).',
    });
  }
  const context: AllowListErrorContext = {
    action: 'ec2:DescribeInstances',
    scope: scopeFor(clients, source.region),
    resource: `jump box instance ${instanceId}`,
    deniedHint:
      `Ask your AWS administrator to allow ec2:DescribeInstances for your role, ` +
      `or put the jump box's security group id in this profile instead of instance ${instanceId}.`,
  };
  const { DescribeInstancesCommand } = await loadEc2();
  const answer = await ec2Call(context, () => clients.ec2(source.region).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
  const instance = answer.Reservations?.flatMap((reservation) => reservation.Instances ?? []).find((item) => item.InstanceId === instanceId);
  if (!instance) throw classifyAllowListError({ name: 'InvalidInstanceID.NotFound' }, context);
  const ids = [
    ...(instance.SecurityGroups ?? []).map((group) => group.GroupId),
    ...(instance.NetworkInterfaces ?? []).flatMap((eni) => (eni.Groups ?? []).map((group) => group.GroupId)),
  ].filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (ids.length === 0) {
    throw new JumpgateError('AWS_NOT_FOUND', `The jump box instance ${instanceId} has no security groups.`, {
      hint: 'Put the security group id that guards the jump box in this profile.',
    });
  }
  return [...new Set(ids)];
}

/** Every IPv4 ingress rule of the groups (egress, IPv6, prefix-list and group references left out). */
async function ingressRules(clients: AwsClients, groupIds: string[], context: AllowListErrorContext, region?: string): Promise<SecurityGroupRule[]> {
  const { DescribeSecurityGroupRulesCommand } = await loadEc2();
  return ec2Call(context, async () => {
    const rules: SecurityGroupRule[] = [];
    // Page by page through NextToken (the SDK's paginator wants the full client class; ours loads it late).
    let nextToken: string | undefined;
    do {
      const page = await clients.ec2(region).send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: groupIds }], ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const rule of page.SecurityGroupRules ?? []) {
        if (rule.IsEgress === true || !rule.CidrIpv4) continue;
        rules.push(rule);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rules;
  });
}

/**
 * Whether `ip` may reach TCP `port` (default 22) through any of the groups: an
 * ingress rule for TCP (or all traffic) whose port range holds the port and
 * whose IPv4 CIDR contains ip/32 - 0.0.0.0/0 and any wider range included.
 * Also every rule that lets anyone reach the port, each marked as the
 * caller's or someone else's (issue #17: the group is shared by a team).
 */
export async function checkAccess(
  clients: AwsClients,
  options: { groupIds: string[]; ip: string; port?: number } & RegionOption,
): Promise<AccessCheck> {
  const sdk = await loadEc2();
  const ip = requireIp(options.ip);
  const port = requirePort(options.port ?? DEFAULT_PORT);
  const groupIds = [...new Set(options.groupIds.map(requireGroupId))];
  if (groupIds.length === 0) throw new JumpgateError('BAD_REQUEST', 'No security group was given for the jump box.');
  const groups = groupIds.join(', ');
  const context: AllowListErrorContext = {
    action: 'ec2:DescribeSecurityGroupRules',
    scope: scopeFor(clients, options.region),
    resource: `security group ${groups}`,
    deniedHint:
      `Ask your AWS administrator to allow ec2:DescribeSecurityGroupRules for your role, ` +
      `or to confirm that ${ip}/32 may reach TCP ${port} in ${groups}.`,
  };
  const rules = await ingressRules(clients, groupIds, context, options.region);

  // DescribeSecurityGroupRules answers an unknown group id with no rules, which
  // would read as "not allowed"; confirm that rule-less groups exist at all.
  const silent = groupIds.filter((id) => !rules.some((rule) => rule.GroupId === id));
  if (silent.length > 0) {
    await ec2Call({ ...context, action: 'ec2:DescribeSecurityGroups', resource: `security group ${silent.join(', ')}` }, () =>
      clients.ec2(options.region).send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: silent })),
    );
  }

  // Narrowest first; among equals by address, so a list of them reads the same each time.
  const byWidth = (a: SecurityGroupRule, b: SecurityGroupRule) =>
    prefixLength(b.CidrIpv4 ?? '') - prefixLength(a.CidrIpv4 ?? '') || (a.CidrIpv4 ?? '').localeCompare(b.CidrIpv4 ?? '', 'en', { numeric: true });
  const toPort = rules.filter((rule) => coversTcpPort(rule, port)).sort(byWidth);
  const owner = await ruleOwner(clients);
  const owned = toPort.map((rule): OwnedRule => ({ ...toAllowListRule(rule), yours: isOwnedBy(rule.Description, owner) }));
  const best = toPort.find((rule) => cidrContains(rule.CidrIpv4 ?? '', ip));
  return best
    ? { allowed: true, matchingRule: toAllowListRule(best), checkedGroupIds: groupIds, rules: owned }
    : { allowed: false, checkedGroupIds: groupIds, rules: owned };
}

/**
 * Allow `ip`/32 on TCP `port` in `groupId`. The rule's identity is the group,
 * TCP, the port and the description: by default "Jumpgate: <os user> <label>
 * [<caller>]" for the caller's AWS identity (ruleDescription); a description
 * given here is taken as the caller's own. A rule with that identity that holds
 * another address is replaced (the new rule is authorized first, so access
 * never lapses, then the old one is revoked by rule id), and exactly one such
 * rule remains. Rules for other ports, and rules of anyone else (a colleague
 * with the same OS user and label included), are never touched. Calling it
 * again with the same IP changes nothing.
 */
export async function allowMyIp(
  clients: AwsClients,
  options: { groupId: string; ip: string; description?: string; label?: string; port?: number } & RegionOption,
): Promise<AllowResult> {
  const sdk = await loadEc2();
  const ip = requireIp(options.ip);
  const groupId = requireGroupId(options.groupId);
  const port = requirePort(options.port ?? DEFAULT_PORT);
  if (options.description !== undefined) requireDescription(options.description);
  const owner = options.description === undefined ? await ruleOwner(clients) : undefined;
  const description = requireDescription(owner ? ruleDescription(owner, options.label) : (options.description ?? ''));
  const cidr = `${ip}/32`;
  const scope = scopeFor(clients, options.region);
  const resource = `security group ${groupId}`;
  const askToAllow = `Ask your AWS administrator to allow ${cidr} on TCP ${port} in ${groupId} (${description}).`;

  const describeContext: AllowListErrorContext = { action: 'ec2:DescribeSecurityGroupRules', scope, resource, deniedHint: askToAllow };
  const authorizeContext: AllowListErrorContext = { ...describeContext, action: 'ec2:AuthorizeSecurityGroupIngress' };

  const oursIn = (all: SecurityGroupRule[]) => all.filter((candidate) => candidate.Description === description && isPortRule(candidate, port));
  let rules = await ingressRules(clients, [groupId], describeContext, options.region);
  let ours = oursIn(rules);
  let kept = ours.find((candidate) => isExactRule(candidate, cidr, port));
  let outcome: AllowOutcome;
  let rule: SecurityGroupRule;
  let migrated: SecurityGroupRule | undefined;

  const identical = kept ? undefined : rules.find((candidate) => isExactRule(candidate, cidr, port));
  if (kept) {
    outcome = 'unchanged';
    rule = kept;
  } else if (identical && owner && identical.Description === legacyRuleDescription({ label: options.label ?? defaultLabel() }) && (await relabel(clients, identical, description, scope, options.region))) {
    // Migration of a rule an older Jumpgate made (no AWS identity in its description). It is taken as
    // ours only when nothing else is possible to tell apart: the same group, TCP, this port, exactly the
    // description this OS user and label produced then, and the address we are calling from right now.
    // A rule like that at any other address may be a colleague's (same OS user and label, e.g.
    // "root home", elsewhere), so it is left alone and shown as someone else's. A colleague behind the
    // very same public address would be let in by this rule whoever owns it, and EC2 allows one rule per
    // address and port anyway: the same holds for two rules in the new format.
    migrated = identical;
    rule = { ...identical, Description: description };
    outcome = 'unchanged';
  } else if (identical) {
    outcome = 'covered';
    rule = identical;
  } else {
    try {
      const answer = await clients.ec2(options.region).send(
        new sdk.AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr, Description: description }] }],
        }),
      );
      rule = answer.SecurityGroupRules?.[0] ?? { GroupId: groupId, CidrIpv4: cidr, Description: description, IpProtocol: 'tcp', FromPort: port, ToPort: port };
      outcome = ours.length > 0 ? 'replaced' : 'added';
    } catch (error) {
      if (errorName(error) !== DUPLICATE) throw classifyAllowListError(error, authorizeContext);
      // Someone (another Jumpgate window, an administrator) added the same rule meanwhile: read again.
      rules = await ingressRules(clients, [groupId], describeContext, options.region);
      ours = oursIn(rules);
      kept = ours.find((candidate) => isExactRule(candidate, cidr, port));
      const now = kept ?? rules.find((candidate) => isExactRule(candidate, cidr, port));
      if (!now) throw classifyAllowListError(error, authorizeContext);
      rule = now;
      outcome = kept ? 'unchanged' : 'covered';
    }
  }

  // Only rules with our identity (description, TCP, this port) are ever revoked, and never the one that now lets the IP in.
  const stale = ours.filter((candidate) => candidate !== kept && candidate.SecurityGroupRuleId !== rule.SecurityGroupRuleId);
  if (stale.length > 0) {
    await revokeRules(clients, { groupId, description, rules: stale, scope, region: options.region });
    if (outcome === 'unchanged') outcome = 'replaced';
  }
  return { outcome, rule: toAllowListRule(rule), revoked: stale.map(toAllowListRule), ...(migrated ? { migrated: toAllowListRule(migrated) } : {}) };
}

/**
 * Give a rule a new description in place (ModifySecurityGroupRules by rule id:
 * same address, protocol and port, so access never lapses). False when the
 * account may not modify rules: the rule then keeps letting the address in
 * under its old description, which is not worth failing the allow for.
 */
async function relabel(clients: AwsClients, rule: SecurityGroupRule, description: string, scope: AwsCallContext['scope'], region: string | undefined): Promise<boolean> {
  const sdk = await loadEc2();
  if (!rule.SecurityGroupRuleId || !rule.GroupId || !rule.IpProtocol) return false;
  try {
    await ec2Call(
      { action: 'ec2:ModifySecurityGroupRules', scope, resource: `rule ${rule.SecurityGroupRuleId} in security group ${rule.GroupId}`, deniedHint: '' },
      () =>
        clients.ec2(region).send(
          new sdk.ModifySecurityGroupRulesCommand({
            GroupId: rule.GroupId,
            SecurityGroupRules: [
              {
                SecurityGroupRuleId: rule.SecurityGroupRuleId,
                SecurityGroupRule: { IpProtocol: rule.IpProtocol, FromPort: rule.FromPort, ToPort: rule.ToPort, CidrIpv4: rule.CidrIpv4, Description: description },
              },
            ],
          }),
        ),
    );
    return true;
  } catch (error) {
    if (error instanceof JumpgateError && error.code === 'AWS_ACCESS_DENIED') return false;
    throw error;
  }
}

function describeRule(rule: SecurityGroupRule): string {
  const protocol = rule.IpProtocol === '-1' ? 'all traffic' : `${(rule.IpProtocol ?? '').toUpperCase()} `;
  const ports = rule.IpProtocol === '-1' ? '' : rule.FromPort === rule.ToPort ? `${rule.FromPort}` : `${rule.FromPort}-${rule.ToPort}`;
  return `${rule.CidrIpv4} on ${protocol}${ports}`;
}

async function revokeRules(
  clients: AwsClients,
  options: { groupId: string; description: string; rules: SecurityGroupRule[]; scope: AwsCallContext['scope']; region: string | undefined },
): Promise<void> {
  const sdk = await loadEc2();
  const ids = options.rules.map((rule) => rule.SecurityGroupRuleId).filter((id): id is string => Boolean(id));
  if (ids.length === 0) return;
  await ec2Call(
    {
      action: 'ec2:RevokeSecurityGroupIngress',
      scope: options.scope,
      resource: `rule ${ids.join(', ')} in security group ${options.groupId}`,
      deniedHint:
        `Ask your AWS administrator to remove the rule "${options.description}" (${options.rules.map(describeRule).join('; ')}) ` +
        `from ${options.groupId}, or to allow ec2:RevokeSecurityGroupIngress for your role.`,
    },
    () => clients.ec2(options.region).send(new sdk.RevokeSecurityGroupIngressCommand({ GroupId: options.groupId, SecurityGroupRuleIds: ids })),
  );
}

/**
 * Remove my rule for TCP `port` (default 22) from `groupId`: every ingress rule
 * for exactly that port whose description is exactly `description` (default
 * the caller's, see ruleDescription). Rules for other ports and rules with any
 * other description (a colleague's, or an older Jumpgate's, which carry no
 * identity) are never touched. Nothing to remove is not an error.
 */
export async function removeMyIp(
  clients: AwsClients,
  options: { groupId: string; description?: string; label?: string; port?: number } & RegionOption,
): Promise<{ revoked: AllowListRule[] }> {
  const groupId = requireGroupId(options.groupId);
  const port = requirePort(options.port ?? DEFAULT_PORT);
  if (options.description !== undefined) requireDescription(options.description);
  const description = requireDescription(options.description ?? ruleDescription(await ruleOwner(clients), options.label));
  const scope = scopeFor(clients, options.region);
  const rules = await ingressRules(
    clients,
    [groupId],
    {
      action: 'ec2:DescribeSecurityGroupRules',
      scope,
      resource: `security group ${groupId}`,
      deniedHint: `Ask your AWS administrator to remove the rule "${description}" from ${groupId}, or to allow ec2:DescribeSecurityGroupRules for your role.`,
    },
    options.region,
  );
  const ours = rules.filter((rule) => rule.Description === description && isPortRule(rule, port));
  await revokeRules(clients, { groupId, description, rules: ours, scope, region: options.region });
  return { revoked: ours.map(toAllowListRule) };
}
