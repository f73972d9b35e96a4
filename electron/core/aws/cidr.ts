import { BlockList, isIP } from 'node:net';

/**
 * CIDR ranges as security groups hold them, checked with Node's net.BlockList
 * (the same prefix arithmetic Node uses for its own socket filters) rather
 * than bit twiddling of our own.
 */

type Family = 'ipv4' | 'ipv6';

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * A CIDR's parts, or undefined when it is not one: exactly one "/", a decimal
 * prefix without leading zeros ("/08" reads as octal to some tools) that fits
 * the family, and an address Node accepts (isIP already refuses IPv4 octets
 * with leading zeros). Host bits below the prefix are kept: BlockList ignores
 * them, as EC2 canonicalises "81.2.3.99/24" to 81.2.3.0/24.
 */
function parseCidr(cidr: string): { family: Family; network: string; prefix: number } | undefined {
  const parts = cidr.split('/');
  if (parts.length !== 2) return undefined;
  const [network = '', prefixText = ''] = parts;
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const family = familyOf(network);
  const prefix = Number(prefixText);
  if (!family || prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
  return { family, network, prefix };
}

/** Add a range; false for forms isIP accepts but BlockList does not (an IPv6 zone id such as fe80::1%eth0). */
function addRange(list: BlockList, range: { family: Family; network: string; prefix: number }): boolean {
  try {
    list.addSubnet(range.network, range.prefix, range.family);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `cidr` contains the address `ip`, IPv4 or IPv6. False for anything
 * malformed (AWS answers come from outside) and across families: BlockList
 * would let "::/0" match 81.2.3.4 through its IPv4-mapped form, but a
 * security group's IPv6 rule never lets IPv4 traffic in, nor the reverse.
 */
export function cidrContains(cidr: string, ip: string): boolean {
  const range = parseCidr(cidr);
  if (!range || familyOf(ip) !== range.family) return false;
  const list = new BlockList();
  return addRange(list, range) && list.check(ip, range.family);
}

/** Ranges that share one meaning (e.g. "a private address"), checked together, one BlockList per family. */
export class CidrSet {
  private readonly lists = { ipv4: new BlockList(), ipv6: new BlockList() };

  /** Throws on a malformed CIDR: the sets are written in our code, so that is a bug. */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const range = parseCidr(cidr);
      if (!range || !addRange(this.lists[range.family], range)) throw new Error(`Not a CIDR: ${cidr}`);
    }
  }

  /** Same-family match only, as cidrContains. */
  has(ip: string): boolean {
    const family = familyOf(ip);
    return family !== undefined && this.lists[family].check(ip, family);
  }
}
