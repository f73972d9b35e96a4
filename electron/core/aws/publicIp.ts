import { isIPv4 } from 'node:net';
import { JumpgateError } from '../../../shared/model/errors';
import { CidrSet } from './cidr';

/** AWS's own "what is my IP" service: answers one IPv4 address and a newline. */
export const DEFAULT_PUBLIC_IP_URL = 'https://checkip.amazonaws.com';

export interface PublicIpOptions {
  /** Where to ask (issue #3: configurable; tests point it at a local HTTP server). */
  url?: string;
  /** Injected for tests and for hosts that need a proxy-aware fetch. */
  fetch?: typeof globalThis.fetch;
  /** The whole lookup, body included, must finish within this time. */
  timeoutMs?: number;
  /** Lets the caller give up early (app quit, user cancels). */
  signal?: AbortSignal;
}

/** A checkip answer is "81.2.3.4\n"; anything much longer is not an address. */
const MAX_ANSWER_BYTES = 256;

/**
 * Parse a dotted-quad IPv4 address into its 32-bit value, or undefined.
 * Strict: exactly four decimal octets 0-255 without leading zeros, because
 * "010.1.1.1" means octal to some tools and decimal to others (Node's isIPv4
 * refuses such octets, which is the rule we want).
 */
export function parseIpv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Ranges a public-IP service can never legitimately report as the address AWS sees, by what they are. */
const NOT_PUBLIC: ReadonlyArray<readonly [CidrSet, string]> = [
  [new CidrSet(['0.0.0.0/8']), 'an unspecified address'],
  [new CidrSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']), 'a private address'],
  [new CidrSet(['100.64.0.0/10']), 'a carrier-grade NAT address'],
  [new CidrSet(['127.0.0.0/8']), 'a loopback address'],
  [new CidrSet(['169.254.0.0/16']), 'a link-local address'],
  [new CidrSet(['224.0.0.0/4']), 'a multicast address'],
  [new CidrSet(['240.0.0.0/4']), 'a reserved address'],
];

function notPublicReason(ip: string): string | undefined {
  return NOT_PUBLIC.find(([ranges]) => ranges.has(ip))?.[1];
}

const HINT =
  'Check your internet connection, VPN and proxy. If your network blocks this service, set another ' +
  'public-IP URL in Settings, or ask your network administrator for your public IPv4 address.';

function unknown(message: string, url: string, cause?: unknown): JumpgateError {
  return new JumpgateError('PUBLIC_IP_UNKNOWN', message, { hint: HINT, details: { url }, cause });
}

/** Read at most `limit` bytes of the body: a misconfigured URL can point at a large page. */
async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) return undefined;
      chunks.push(value);
    }
  } finally {
    // Releases the connection whether we finished, gave up on size, or were aborted.
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * The caller's public IPv4 address as AWS sees it, for the jump box's security
 * group rule (`ip/32`). Fails with PUBLIC_IP_UNKNOWN when the service cannot be
 * reached in time, answers an error status, or answers anything but exactly one
 * public IPv4 address: adding a rule for a wrong address would lock the user out
 * while looking like success.
 */
export async function lookupPublicIp(options: PublicIpOptions = {}): Promise<string> {
  const url = options.url ?? DEFAULT_PUBLIC_IP_URL;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const host = safeHost(url);
  if (!host) {
    throw new JumpgateError('PUBLIC_IP_UNKNOWN', `The public-IP URL "${url.slice(0, 200)}" is not an http(s) URL.`, {
      hint: `Fix the public-IP URL in Settings (the default is ${DEFAULT_PUBLIC_IP_URL}).`,
      details: { url: url.slice(0, 200) },
    });
  }

  let text: string | undefined;
  try {
    const response = await fetchImpl(url, { signal, redirect: 'follow', headers: { accept: 'text/plain' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw unknown(`The public-IP service ${host} answered HTTP ${response.status}.`, url);
    }
    text = await readBounded(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (error instanceof JumpgateError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw unknown(`The public-IP service ${host} did not answer within ${formatSeconds(timeoutMs)}.`, url, error);
    }
    const code = (error as { cause?: { code?: unknown } })?.cause?.code;
    const why = typeof code === 'string' ? ` (${code})` : '';
    throw unknown(`The public-IP service ${host} could not be reached${why}.`, url, error);
  }

  if (text === undefined) {
    throw unknown(`The public-IP service ${host} answered with a long page, not an IP address.`, url);
  }
  const answer = text.trim();
  if (!isIPv4(answer)) {
    const what = answer.includes(':') && /^[0-9a-f:.]+$/i.test(answer)
      ? 'an IPv6 address; the jump box rule needs your IPv4 address'
      : 'something that is not one IPv4 address';
    throw unknown(`The public-IP service ${host} answered with ${what}.`, url);
  }
  const reason = notPublicReason(answer);
  if (reason) {
    throw unknown(`The public-IP service ${host} answered ${answer}, ${reason}: that is not the address AWS sees.`, url);
  }
  return answer;
}

/** The host to name in messages, or undefined when the URL is unusable. */
function safeHost(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host : undefined;
  } catch {
    return undefined;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
