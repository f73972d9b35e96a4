import { describe, expect, it } from 'vitest';
import { CidrSet, cidrContains } from './cidr';

describe('cidrContains (net.BlockList)', () => {
  it('IPv4: /0 holds every address, /32 exactly one, and a prefix splits where its bits say', () => {
    expect(cidrContains('0.0.0.0/0', '0.0.0.0')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.4')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.5')).toBe(false);
    expect(cidrContains('81.2.3.4/31', '81.2.3.5')).toBe(true);
    expect(cidrContains('81.2.3.4/31', '81.2.3.6')).toBe(false);
    expect(cidrContains('10.0.0.0/8', '10.255.255.255')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.0')).toBe(false);
  });

  it('IPv6: ::/0 holds every IPv6 address, /128 exactly one, and host bits in the network are ignored', () => {
    expect(cidrContains('::/0', '::')).toBe(true);
    expect(cidrContains('::/0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(cidrContains('2001:db8::1/128', '2001:db8::1')).toBe(true);
    expect(cidrContains('2001:db8::1/128', '2001:db8::2')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8:ffff:1::9')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(cidrContains('2001:db8:0:1::5/64', '2001:db8:0:1:ffff::1')).toBe(true);
    expect(cidrContains('2001:db8:0:1::/64', '2001:db8:0:2::1')).toBe(false);
    // Two spellings of one address.
    expect(cidrContains('2001:0db8:0000::/48', '2001:db8::abcd')).toBe(true);
  });

  it('never matches across families (an IPv6 rule does not let IPv4 in, nor the reverse)', () => {
    expect(cidrContains('::/0', '81.2.3.4')).toBe(false);
    expect(cidrContains('::ffff:0:0/96', '81.2.3.4')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '::ffff:81.2.3.4')).toBe(false);
  });

  it('is false for malformed CIDRs and addresses, as AWS or a hand-edited rule might send them', () => {
    const malformed = [
      '',
      '/',
      '/24',
      '81.2.3.4',
      '81.2.3.4/',
      '81.2.3.4/33',
      '81.2.3.4/-1',
      '81.2.3.4/+8',
      '81.2.3.4/08',
      '81.2.3.4/8.0',
      '81.2.3.4/ 8',
      ' 81.2.3.0/24',
      '81.2.3.0/24 ',
      '81.2.3/24',
      '081.2.3.0/24',
      '256.2.3.0/24',
      '81.2.3.4/24/1',
      '::/129',
      '2001:db8::/064',
      '2001:db8:::/32',
      'fe80::1%eth0/64',
      'sg-0123456789abcdef0',
      'pl-12345678',
    ];
    for (const cidr of malformed) {
      expect(cidrContains(cidr, '81.2.3.4'), cidr).toBe(false);
      expect(cidrContains(cidr, '2001:db8::1'), cidr).toBe(false);
    }
    for (const ip of ['', 'not-an-ip', '81.2.3', '81.2.3.4/32', '081.2.3.4', ' 81.2.3.4', '2001:db8:::1']) {
      expect(cidrContains('0.0.0.0/0', ip), ip).toBe(false);
      expect(cidrContains('::/0', ip), ip).toBe(false);
    }
  });
});

describe('CidrSet', () => {
  it('holds several ranges of both families and matches within the same family only', () => {
    const set = new CidrSet(['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7']);
    expect(set.has('10.1.2.3')).toBe(true);
    expect(set.has('192.168.255.1')).toBe(true);
    expect(set.has('172.16.0.1')).toBe(false);
    expect(set.has('fd00::1')).toBe(true);
    expect(set.has('2001:db8::1')).toBe(false);
    expect(set.has('::ffff:10.1.2.3')).toBe(false);
    expect(set.has('not-an-ip')).toBe(false);
  });

  it('refuses a malformed range at construction: the sets are our own constants', () => {
    expect(() => new CidrSet(['10.0.0.0/33'])).toThrow('Not a CIDR: 10.0.0.0/33');
  });
});
