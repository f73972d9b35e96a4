import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2ServiceException,
  RunInstancesCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { failure } from '../../../e2e/rig/failure';
import { peersAvailable } from '../../../e2e/rig/peers';
import { createAwsClients, type AwsClients } from './awsClients';
import {
  allowMyIp,
  checkAccess,
  cidrContains,
  classifyAllowListError,
  defaultRuleDescription,
  findJumpBoxGroups,
  removeMyIp,
} from './ipAllowList';

const REGION = 'eu-west-2';
const ALICE_HOME = 'Jumpgate: alice home';


describe('cidrContains (CIDR arithmetic)', () => {
  it('matches by prefix bits, for every prefix length', () => {
    expect(cidrContains('0.0.0.0/0', '81.2.3.4')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.4')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.5')).toBe(false);
    expect(cidrContains('81.2.0.0/16', '81.2.200.9')).toBe(true);
    expect(cidrContains('81.2.0.0/16', '81.3.0.1')).toBe(false);
    expect(cidrContains('81.2.3.128/25', '81.2.3.127')).toBe(false);
    expect(cidrContains('81.2.3.128/25', '81.2.3.200')).toBe(true);
    // The sign bit: a naive signed shift gets /1 wrong.
    expect(cidrContains('128.0.0.0/1', '200.1.1.1')).toBe(true);
    expect(cidrContains('128.0.0.0/1', '127.255.255.255')).toBe(false);
    // Not a string prefix match.
    expect(cidrContains('8.0.0.0/8', '81.2.3.4')).toBe(false);
    // Host bits in the network part are ignored, as EC2 canonicalises them.
    expect(cidrContains('81.2.3.99/24', '81.2.3.4')).toBe(true);
  });

  it('is false for malformed input', () => {
    for (const cidr of ['81.2.3.4', '81.2.3.4/33', '81.2.3.4/-1', '81.2.3.4/08', '81.2.3/24', '81.2.3.4/24/1', '::/0', '']) {
      expect(cidrContains(cidr, '81.2.3.4'), cidr).toBe(false);
    }
    expect(cidrContains('0.0.0.0/0', 'not-an-ip')).toBe(false);
  });
});

describe('defaultRuleDescription', () => {
  it('is "Jumpgate: <user> <label>" with characters EC2 refuses replaced', () => {
    expect(defaultRuleDescription({ user: 'alice', label: 'home' })).toBe(ALICE_HOME);
    expect(defaultRuleDescription({ user: 'CORP\\józef', label: 'office' })).toBe('Jumpgate: CORP_j_zef office');
    expect(defaultRuleDescription({ user: 'alice' })).toMatch(/^Jumpgate: alice \S+$/);
  });
});

describe('classifyAllowListError with the exception real EC2 throws', () => {
  // moto (with IAM enforcement) denies EC2 calls as "AccessDenied"; real EC2
  // says "UnauthorizedOperation". This is a real SDK exception instance.
  it('maps UnauthorizedOperation to AWS_ACCESS_DENIED with the forwardable hint', () => {
    const denied = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'You are not authorized to perform this operation. Encoded authorization failure message: abc',
    });
    const hint = 'Ask your AWS administrator to allow 81.2.3.4/32 on TCP 22 in sg-0abc12345 (Jumpgate: alice home).';
    const error = classifyAllowListError(denied, {
      action: 'ec2:AuthorizeSecurityGroupIngress',
      scope: { region: REGION, profile: 'prod' },
      resource: 'security group sg-0abc12345',
      deniedHint: hint,
    });
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.hint).toBe(hint);
    expect(error.message).toContain('ec2:AuthorizeSecurityGroupIngress');
  });

  it('maps a missing group to AWS_NOT_FOUND', () => {
    const missing = new EC2ServiceException({ name: 'InvalidGroup.NotFound', $fault: 'client', $metadata: {}, message: 'gone' });
    const error = classifyAllowListError(missing, {
      action: 'ec2:AuthorizeSecurityGroupIngress',
      scope: { region: REGION },
      resource: 'security group sg-0abc12345',
      deniedHint: 'unused',
    });
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toContain('sg-0abc12345');
  });
});

describe.skipIf(!peersAvailable('moto_server'))('IP allow-listing against moto', () => {
  let moto: MotoPeer;
  let clients: AwsClients;
  let groupCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
  });
  afterAll(async () => {
    await moto?.dispose();
  });

  /** A fresh security group, optionally with ingress rules, seeded through the SDK. */
  async function newGroup(permissions: IpPermission[] = []): Promise<string> {
    groupCount += 1;
    const created = await clients.ec2().send(new CreateSecurityGroupCommand({ GroupName: `jump-${groupCount}`, Description: 'jump box' }));
    const groupId = created.GroupId ?? '';
    for (const permission of permissions) {
      await clients.ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }));
    }
    return groupId;
  }

  function ssh(cidr: string, description?: string): IpPermission {
    return { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr, ...(description ? { Description: description } : {}) }] };
  }

  async function ingress(groupId: string) {
    const answer = await clients.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return (answer.SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => ({ cidr: rule.CidrIpv4, description: rule.Description, protocol: rule.IpProtocol, from: rule.FromPort, to: rule.ToPort }));
  }

  it('IP absent: reported not allowed, then added, then reported allowed', async () => {
    const groupId = await newGroup([ssh('10.0.0.0/8', 'office VPN')]);
    await expect(checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).resolves.toEqual({ allowed: false, checkedGroupIds: [groupId] });

    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('added');
    expect(result.revoked).toEqual([]);
    expect(result.rule).toMatchObject({ groupId, cidr: '81.2.3.4/32', description: ALICE_HOME, protocol: 'tcp', fromPort: 22, toPort: 22 });
    expect(result.rule.ruleId).toMatch(/^sgr-/);

    const check = await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' });
    expect(check.allowed).toBe(true);
    expect(check.matchingRule).toMatchObject({ groupId, cidr: '81.2.3.4/32', description: ALICE_HOME });
    expect(await ingress(groupId)).toContainEqual({ cidr: '81.2.3.4/32', description: ALICE_HOME, protocol: 'tcp', from: 22, to: 22 });
  });

  it('same description with an old IP: replaced, exactly one rule with it left, others untouched', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.2.3.7/32', 'Jumpgate: bob home'), ssh('10.0.0.0/8')]);

    const result = await allowMyIp(clients, { groupId, ip: '81.9.9.9', description: ALICE_HOME });
    expect(result.outcome).toBe('replaced');
    expect(result.rule).toMatchObject({ cidr: '81.9.9.9/32', description: ALICE_HOME });
    expect(result.revoked).toEqual([expect.objectContaining({ cidr: '81.2.3.4/32', description: ALICE_HOME })]);

    const rules = await ingress(groupId);
    expect(rules.filter((rule) => rule.description === ALICE_HOME)).toEqual([
      { cidr: '81.9.9.9/32', description: ALICE_HOME, protocol: 'tcp', from: 22, to: 22 },
    ]);
    expect(rules).toContainEqual({ cidr: '81.2.3.7/32', description: 'Jumpgate: bob home', protocol: 'tcp', from: 22, to: 22 });
    expect(rules).toContainEqual(expect.objectContaining({ cidr: '10.0.0.0/8' }));
    expect(rules).toHaveLength(3);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
  });

  it('IP present under the description: reported allowed, allowing again changes nothing', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME)]);
    const before = await ingress(groupId);

    const check = await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' });
    expect(check).toMatchObject({ allowed: true, matchingRule: { cidr: '81.2.3.4/32', description: ALICE_HOME } });

    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('unchanged');
    expect(result.revoked).toEqual([]);
    expect(await ingress(groupId)).toEqual(before);
  });

  it('two leftover rules with the description: keeps the right one, revokes the other', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.5.5.5/32', ALICE_HOME)]);
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('replaced');
    expect(result.revoked.map((rule) => rule.cidr)).toEqual(['81.5.5.5/32']);
    expect((await ingress(groupId)).filter((rule) => rule.description === ALICE_HOME).map((rule) => rule.cidr)).toEqual(['81.2.3.4/32']);
  });

  it('the same IP already allowed under another description: no duplicate rule', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', 'added by the admin')]);
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('covered');
    expect(result.rule).toMatchObject({ cidr: '81.2.3.4/32', description: 'added by the admin' });
    expect(await ingress(groupId)).toHaveLength(1);
  });

  it('0.0.0.0/0, wider CIDRs, port ranges and all-traffic rules count as allowed', async () => {
    const open = await newGroup([ssh('0.0.0.0/0', 'open to the world')]);
    expect(await checkAccess(clients, { groupIds: [open], ip: '81.2.3.4' })).toMatchObject({
      allowed: true,
      matchingRule: { cidr: '0.0.0.0/0', description: 'open to the world' },
    });

    const wide = await newGroup([{ IpProtocol: 'tcp', FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: '81.0.0.0/8' }] }]);
    expect(await checkAccess(clients, { groupIds: [wide], ip: '81.2.3.4' })).toMatchObject({ allowed: true, matchingRule: { cidr: '81.0.0.0/8' } });
    expect((await checkAccess(clients, { groupIds: [wide], ip: '82.2.3.4' })).allowed).toBe(false);

    const everything = await newGroup([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '81.2.0.0/16', Description: 'all traffic' }] }]);
    expect(await checkAccess(clients, { groupIds: [everything], ip: '81.2.3.4' })).toMatchObject({
      allowed: true,
      matchingRule: { cidr: '81.2.0.0/16', protocol: '-1' },
    });

    // The most specific rule is the one reported.
    expect((await checkAccess(clients, { groupIds: [open, everything], ip: '81.2.3.4' })).matchingRule?.cidr).toBe('81.2.0.0/16');
  });

  it('rules for another port or protocol, and egress rules, do not count', async () => {
    const groupId = await newGroup([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'udp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 2222, ToPort: 2222, IpRanges: [{ CidrIp: '81.2.3.4/32' }] },
    ]);
    // Every new group has an all-traffic egress rule to 0.0.0.0/0.
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4', port: 2222 })).allowed).toBe(true);
  });

  it('removes only the rules with the description, on request', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.2.3.7/32', 'Jumpgate: bob home')]);
    const removed = await removeMyIp(clients, { groupId, description: ALICE_HOME });
    expect(removed.revoked).toEqual([expect.objectContaining({ cidr: '81.2.3.4/32', description: ALICE_HOME })]);
    expect(await ingress(groupId)).toEqual([{ cidr: '81.2.3.7/32', description: 'Jumpgate: bob home', protocol: 'tcp', from: 22, to: 22 }]);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
    // Nothing left to remove is not an error.
    await expect(removeMyIp(clients, { groupId, description: ALICE_HOME })).resolves.toEqual({ revoked: [] });
  });

  it('uses "Jumpgate: <user> <label>" when no description is given', async () => {
    const groupId = await newGroup();
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', label: 'home' });
    expect(result.rule.description).toBe(defaultRuleDescription({ label: 'home' }));
    await removeMyIp(clients, { groupId, label: 'home' });
    expect(await ingress(groupId)).toEqual([]);
  });

  it("finds the jump box's security groups from its instance id", async () => {
    const first = await newGroup();
    const second = await newGroup();
    const images = await clients.ec2().send(new DescribeImagesCommand({}));
    const run = await clients.ec2().send(
      new RunInstancesCommand({ ImageId: images.Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SecurityGroupIds: [first, second] }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId ?? '';
    expect((await findJumpBoxGroups(clients, { instanceId })).sort()).toEqual([first, second].sort());
    expect(await findJumpBoxGroups(clients, { groupId: first })).toEqual([first]);

    const missing = await failure(findJumpBoxGroups(clients, { instanceId: 'i-0123456789abcdef0' }));
    expect(missing.code).toBe('AWS_NOT_FOUND');
    expect(missing.message).toContain('i-0123456789abcdef0');
    expect((await failure(findJumpBoxGroups(clients, { instanceId: 'jump-box' }))).code).toBe('BAD_REQUEST');
  });

  it('an unknown security group is AWS_NOT_FOUND, not "not allowed"', async () => {
    const error = await failure(checkAccess(clients, { groupIds: ['sg-0123456789abcdef0'], ip: '81.2.3.4' }));
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toContain('sg-0123456789abcdef0');
    expect((await failure(allowMyIp(clients, { groupId: 'sg-0123456789abcdef0', ip: '81.2.3.4', description: ALICE_HOME }))).code).toBe('AWS_NOT_FOUND');
  });

  it('refuses bad input before calling AWS', async () => {
    const groupId = await newGroup();
    expect((await failure(allowMyIp(clients, { groupId, ip: '81.2.3', description: ALICE_HOME }))).code).toBe('BAD_REQUEST');
    expect((await failure(allowMyIp(clients, { groupId: 'jump', ip: '81.2.3.4', description: ALICE_HOME }))).code).toBe('BAD_REQUEST');
    const description = await failure(allowMyIp(clients, { groupId, ip: '81.2.3.4', description: 'Jumpgate: <alice>' }));
    expect(description.code).toBe('BAD_REQUEST');
    expect(description.hint).toContain('255');
    expect(await ingress(groupId)).toEqual([]);
  });

  describe('with IAM enforced by moto', () => {
    // moto checks IAM policies when its auth is switched on (moto-api/reset-auth).
    it('a denied change is AWS_ACCESS_DENIED whose hint names the exact IP and group', async () => {
      const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME)]);
      const { accessKeyId, secretAccessKey } = await createIamUser(moto, 'alice', ['ec2:Describe*']);
      const alice = createAwsClients({ region: REGION, profile: 'prod' }, { endpoint: moto.endpoint, credentials: { accessKeyId, secretAccessKey } });

      await enforceIam(moto, true);
      try {
        // Reading is allowed...
        expect((await checkAccess(alice, { groupIds: [groupId], ip: '81.9.9.9' })).allowed).toBe(false);
        // ...changing is not.
        const denied = await failure(allowMyIp(alice, { groupId, ip: '81.9.9.9', description: ALICE_HOME }));
        expect(denied.code).toBe('AWS_ACCESS_DENIED');
        expect(denied.hint).toBe(`Ask your AWS administrator to allow 81.9.9.9/32 on TCP 22 in ${groupId} (Jumpgate: alice home).`);
        expect(denied.message).toContain('ec2:AuthorizeSecurityGroupIngress');

        const removal = await failure(removeMyIp(alice, { groupId, description: ALICE_HOME }));
        expect(removal.code).toBe('AWS_ACCESS_DENIED');
        expect(removal.hint).toContain(`remove the rule "Jumpgate: alice home" (81.2.3.4/32 on TCP 22) from ${groupId}`);
      } finally {
        await enforceIam(moto, false);
      }
      // Nothing changed.
      expect((await ingress(groupId)).map((rule) => rule.cidr)).toEqual(['81.2.3.4/32']);
    });
  });
});
