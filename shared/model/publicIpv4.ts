/**
 * What counts as a public IPv4 address for the jump box's security group rule
 * (`ip/32`): the address AWS sees the user's traffic come from. Issue #13: when
 * the public-IP lookup fails, the user types it, and a typo or a LAN address
 * copied from `ip addr` must be refused before a useless rule is made.
 *
 * The ranges are IANA's special-purpose IPv4 blocks that never appear as a
 * source address on the internet. The service checks them with Node's BlockList
 * (electron/core/aws/publicIp.ts); the page uses `publicIpv4Problem` below for an
 * immediate answer. Both read this one table; a test keeps the two in step.
 */

/** Why a text is not a usable public IPv4 address, as a stable word (the `kind` of a PUBLIC_IP_INVALID error). */
export const IPV4_PROBLEM_KINDS = ['not-ipv4', 'unspecified', 'private', 'carrier-grade-nat', 'loopback', 'link-local', 'reserved', 'multicast'] as const;

export type Ipv4ProblemKind = (typeof IPV4_PROBLEM_KINDS)[number];

/** The special-purpose ranges, by what the user is told they are. */
export const NOT_PUBLIC_IPV4: ReadonlyArray<{ kind: Exclude<Ipv4ProblemKind, 'not-ipv4'>; what: string; cidrs: readonly string[] }> = [
  { kind: 'unspecified', what: 'an unspecified address', cidrs: ['0.0.0.0/8'] },
  { kind: 'private', what: 'a private address', cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  { kind: 'carrier-grade-nat', what: 'a carrier-grade NAT address', cidrs: ['100.64.0.0/10'] },
  { kind: 'loopback', what: 'a loopback address', cidrs: ['127.0.0.0/8'] },
  { kind: 'link-local', what: 'a link-local address', cidrs: ['169.254.0.0/16'] },
  {
    kind: 'reserved',
    what: 'a reserved address (protocol, documentation or benchmarking use)',
    cidrs: ['192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24'],
  },
  { kind: 'multicast', what: 'a multicast address', cidrs: ['224.0.0.0/4'] },
  { kind: 'reserved', what: 'a reserved address', cidrs: ['240.0.0.0/4'] },
];

/** Why a text is not a usable public IPv4 address: not one at all, or one from a range AWS never sees. */
export interface Ipv4Problem {
  kind: Ipv4ProblemKind;
  /** A sentence for the user, naming what they typed. */
  message: string;
}

/** One decimal octet 0-255 without leading zeros ("010" is octal to some tools and decimal to others). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

function valueOf(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function inCidr(value: number, cidr: string): boolean {
  const [network = '', prefix = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(prefix));
  return Math.floor(value / size) === Math.floor(valueOf(network) / size);
}

/** The special range `ip` (a dotted quad) falls in, if any. */
export function notPublicRange(ip: string): (typeof NOT_PUBLIC_IPV4)[number] | undefined {
  const value = valueOf(ip);
  return NOT_PUBLIC_IPV4.find((range) => range.cidrs.some((cidr) => inCidr(value, cidr)));
}

/** The sentence for an address from a range AWS never sees as anyone's public address. */
export function notPublicMessage(ip: string, what: string): string {
  return `${ip} is ${what}, not the one AWS sees: type your public IPv4 address.`;
}

/** The sentence for text that is not a plain IPv4 address. */
export function notIpv4Message(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return `"${shown}" is not an IPv4 address: type four numbers from 0 to 255 separated by dots, such as 81.2.3.4.`;
}

/**
 * Why `text` (already trimmed) cannot be the user's public IPv4 address, or
 * undefined when it can. Only a plain dotted quad is accepted: no CIDR suffix,
 * port, IPv6 form or leading zeros.
 */
export function publicIpv4Problem(text: string): Ipv4Problem | undefined {
  if (!DOTTED_QUAD.test(text)) return { kind: 'not-ipv4', message: notIpv4Message(text) };
  const range = notPublicRange(text);
  return range ? { kind: range.kind, message: notPublicMessage(text, range.what) } : undefined;
}
