import { hostname, userInfo } from 'node:os';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  paginateDescribeSecurityGroupRules,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from './awsClients';
import { awsCall, classifyAwsError, errorName, type AwsCallContext } from './awsErrors';
import { cidrContains } from './cidr';
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

export interface AccessCheck {
  allowed: boolean;
  /** The narrowest rule that lets `ip` reach the port, when one does. */
  matchingRule?: AllowListRule;
  checkedGroupIds: string[];
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
 * The description Jumpgate gives its rule unless the user picks one:
 * "Jumpgate: <os user> <label>" (label e.g. "home"; default: this computer's
 * short host name, so two machines of one user do not replace each other's rule).
 * Characters EC2 refuses in descriptions become "_".
 */
export function defaultRuleDescription(options: { label?: string; user?: string } = {}): string {
  const user = options.user ?? osUser();
  const label = options.label ?? (hostname().split('.')[0] || 'computer');
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

function isExactRule(rule: SecurityGroupRule, cidr: string, port: number): boolean {
  const protocol = rule.IpProtocol?.toLowerCase();
  return (protocol === 'tcp' || protocol === '6') && rule.FromPort === port && rule.ToPort === port && rule.CidrIpv4 === cidr;
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
  return ec2Call(context, async () => {
    const rules: SecurityGroupRule[] = [];
    const pages = paginateDescribeSecurityGroupRules(
      { client: clients.ec2(region) },
      { Filters: [{ Name: 'group-id', Values: groupIds }] },
    );
    for await (const page of pages) {
      for (const rule of page.SecurityGroupRules ?? []) {
        if (rule.IsEgress === true || !rule.CidrIpv4) continue;
        rules.push(rule);
      }
    }
    return rules;
  });
}

/**
 * Whether `ip` may reach TCP `port` (default 22) through any of the groups: an
 * ingress rule for TCP (or all traffic) whose port range holds the port and
 * whose IPv4 CIDR contains ip/32 - 0.0.0.0/0 and any wider range included.
 */
export async function checkAccess(
  clients: AwsClients,
  options: { groupIds: string[]; ip: string; port?: number } & RegionOption,
): Promise<AccessCheck> {
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
      clients.ec2(options.region).send(new DescribeSecurityGroupsCommand({ GroupIds: silent })),
    );
  }

  const matching = rules
    .filter((rule) => coversTcpPort(rule, port) && cidrContains(rule.CidrIpv4 ?? '', ip))
    .sort((a, b) => prefixLength(b.CidrIpv4 ?? '') - prefixLength(a.CidrIpv4 ?? ''));
  const best = matching[0];
  return best
    ? { allowed: true, matchingRule: toAllowListRule(best), checkedGroupIds: groupIds }
    : { allowed: false, checkedGroupIds: groupIds };
}

/**
 * Allow `ip`/32 on TCP `port` in `groupId` under `description` (default
 * "Jumpgate: <user> <label>"). The description is the rule's identity: a rule
 * with it that holds another address is replaced (the new rule is authorized
 * first, so access never lapses, then the old one is revoked by rule id), and
 * exactly one rule with that description remains. Calling it again with the
 * same IP changes nothing.
 */
export async function allowMyIp(
  clients: AwsClients,
  options: { groupId: string; ip: string; description?: string; label?: string; port?: number } & RegionOption,
): Promise<AllowResult> {
  const ip = requireIp(options.ip);
  const groupId = requireGroupId(options.groupId);
  const port = requirePort(options.port ?? DEFAULT_PORT);
  const description = requireDescription(options.description ?? defaultRuleDescription({ ...(options.label ? { label: options.label } : {}) }));
  const cidr = `${ip}/32`;
  const scope = scopeFor(clients, options.region);
  const resource = `security group ${groupId}`;
  const askToAllow = `Ask your AWS administrator to allow ${cidr} on TCP ${port} in ${groupId} (${description}).`;

  const describeContext: AllowListErrorContext = { action: 'ec2:DescribeSecurityGroupRules', scope, resource, deniedHint: askToAllow };
  const authorizeContext: AllowListErrorContext = { ...describeContext, action: 'ec2:AuthorizeSecurityGroupIngress' };

  let rules = await ingressRules(clients, [groupId], describeContext, options.region);
  let ours = rules.filter((candidate) => candidate.Description === description);
  let kept = ours.find((candidate) => isExactRule(candidate, cidr, port));
  let outcome: AllowOutcome;
  let rule: SecurityGroupRule;

  const identical = kept ? undefined : rules.find((candidate) => isExactRule(candidate, cidr, port));
  if (kept) {
    outcome = 'unchanged';
    rule = kept;
  } else if (identical) {
    outcome = 'covered';
    rule = identical;
  } else {
    try {
      const answer = await clients.ec2(options.region).send(
        new AuthorizeSecurityGroupIngressCommand({
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
      ours = rules.filter((candidate) => candidate.Description === description);
      kept = ours.find((candidate) => isExactRule(candidate, cidr, port));
      const now = kept ?? rules.find((candidate) => isExactRule(candidate, cidr, port));
      if (!now) throw classifyAllowListError(error, authorizeContext);
      rule = now;
      outcome = kept ? 'unchanged' : 'covered';
    }
  }

  // Only rules carrying our description are ever revoked, and never the one that now lets the IP in.
  const stale = ours.filter((candidate) => candidate !== kept && candidate.SecurityGroupRuleId !== rule.SecurityGroupRuleId);
  if (stale.length > 0) {
    await revokeRules(clients, { groupId, description, rules: stale, scope, region: options.region });
    if (outcome === 'unchanged') outcome = 'replaced';
  }
  return { outcome, rule: toAllowListRule(rule), revoked: stale.map(toAllowListRule) };
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
    () => clients.ec2(options.region).send(new RevokeSecurityGroupIngressCommand({ GroupId: options.groupId, SecurityGroupRuleIds: ids })),
  );
}

/**
 * Remove every ingress rule of `groupId` whose description is exactly
 * `description` (default "Jumpgate: <user> <label>"). Rules with any other
 * description are never touched. Nothing to remove is not an error.
 */
export async function removeMyIp(
  clients: AwsClients,
  options: { groupId: string; description?: string; label?: string } & RegionOption,
): Promise<{ revoked: AllowListRule[] }> {
  const groupId = requireGroupId(options.groupId);
  const description = requireDescription(options.description ?? defaultRuleDescription({ ...(options.label ? { label: options.label } : {}) }));
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
  // Every rule with the description goes, whatever port it was for.
  const ours = rules.filter((rule) => rule.Description === description);
  await revokeRules(clients, { groupId, description, rules: ours, scope, region: options.region });
  return { revoked: ours.map(toAllowListRule) };
}
