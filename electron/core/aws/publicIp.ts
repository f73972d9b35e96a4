import { isIPv4 } from 'node:net';
import { JumpgateError } from '../../../shared/model/errors';
import { NOT_PUBLIC_IPV4, notIpv4Message, notPublicMessage } from '../../../shared/model/publicIpv4';
import { CidrSet } from './cidr';

/** AWS's own "what is my IP" service: answers one IPv4 address and a newline. */
export const DEFAULT_PUBLIC_IP_URL = 'https://checkip.amazonaws.com';

export interface PublicIpOptions {
  /** Where to ask (issue #3: configurable, JUMPGATE_CHECKIP_URL for the CLI and `jumpgate serve`; tests point it at a local HTTP server). */
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

/**
 * The special-purpose ranges of shared/model/publicIpv4.ts, checked with Node's
 * BlockList: the service's own check, whatever the page already said.
 */
const NOT_PUBLIC: ReadonlyArray<readonly [CidrSet, (typeof NOT_PUBLIC_IPV4)[number]]> = NOT_PUBLIC_IPV4.map((range) => [new CidrSet(range.cidrs), range] as const);

function specialRange(ip: string): (typeof NOT_PUBLIC_IPV4)[number] | undefined {
  return NOT_PUBLIC.find(([ranges]) => ranges.has(ip))?.[1];
}

/** How to give the address by hand, in each front end (issue #13: there is no Settings screen to point at). */
const GIVE_IT_YOURSELF =
  'Or give your public IPv4 address yourself: type it in the "Your public IP address" field of the profile\'s Access tab, ' +
  'or run jumpgate allow-ip <profile> --ip <address>.';

const ASK_FOR_IT = `Opening ${DEFAULT_PUBLIC_IP_URL} in a browser on this computer shows it; or ask your network administrator.`;

const HINT = `Check your internet connection, VPN and proxy. ${GIVE_IT_YOURSELF} ${ASK_FOR_IT}`;

function unknown(message: string, url: string, cause?: unknown): JumpgateError {
  return new JumpgateError('PUBLIC_IP_UNKNOWN', message, { hint: HINT, details: { url }, cause });
}

/**
 * An IP address the user gave instead of the lookup (issue #13: the Access tab's
 * field, `jumpgate allow-ip --ip`), trimmed; refused with PUBLIC_IP_INVALID unless
 * it is a plain IPv4 address outside every special-purpose range, because a rule
 * for a LAN or mistyped address would look like success and let nobody in.
 */
export function requireGivenPublicIp(given: string): string {
  const text = given.trim();
  const shown = text.slice(0, 60);
  const hint = `Give the public IPv4 address AWS sees for you, such as 81.2.3.4. ${ASK_FOR_IT}`;
  if (parseIpv4(text) === undefined) {
    throw new JumpgateError('PUBLIC_IP_INVALID', notIpv4Message(text), { hint, details: { given: shown, kind: 'not-ipv4' } });
  }
  const range = specialRange(text);
  if (range) {
    throw new JumpgateError('PUBLIC_IP_INVALID', notPublicMessage(text, range.what), { hint, details: { given: shown, kind: range.kind } });
  }
  return text;
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
  const { shown, usable } = describeUrl(url);
  if (!usable) {
    throw new JumpgateError('PUBLIC_IP_UNKNOWN', `The public-IP URL "${shown}" is not an http(s) URL.`, {
      hint:
        `The URL comes from JUMPGATE_CHECKIP_URL (for jumpgate serve and the CLI): set it to an http(s) URL, or unset it ` +
        `to use the default ${DEFAULT_PUBLIC_IP_URL}. ${GIVE_IT_YOURSELF}`,
      details: { url: shown },
    });
  }
  const service = `The public-IP service at ${shown}`;

  let text: string | undefined;
  try {
    const response = await fetchImpl(url, { signal, redirect: 'follow', headers: { accept: 'text/plain' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw unknown(`${service} answered HTTP ${response.status}.`, shown);
    }
    text = await readBounded(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (error instanceof JumpgateError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw unknown(`${service} did not answer within ${formatSeconds(timeoutMs)}.`, shown, error);
    }
    const code = (error as { cause?: { code?: unknown } })?.cause?.code;
    const why = typeof code === 'string' ? ` (${code})` : '';
    throw unknown(`${service} could not be reached${why}.`, shown, error);
  }

  if (text === undefined) {
    throw unknown(`${service} answered with a long page, not an IP address.`, shown);
  }
  const answer = text.trim();
  if (!isIPv4(answer)) {
    const what = answer.includes(':') && /^[0-9a-f:.]+$/i.test(answer)
      ? 'an IPv6 address; the jump box rule needs your IPv4 address'
      : 'something that is not one IPv4 address';
    throw unknown(`${service} answered with ${what}.`, shown);
  }
  const range = specialRange(answer);
  if (range) {
    throw unknown(`${service} answered ${answer}, ${range.what}: that is not the address AWS sees.`, shown);
  }
  return answer;
}

/**
 * The URL to name in messages and details, and whether it is an http(s) URL
 * at all. A user:password part (a proxy's login) is left out: the message is
 * shown, logged and copied into requests to administrators. Cut to 200
 * characters.
 */
function describeUrl(url: string): { shown: string; usable: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { shown: url.slice(0, 200), usable: false };
  }
  parsed.username = '';
  parsed.password = '';
  return { shown: parsed.href.slice(0, 200), usable: parsed.protocol === 'http:' || parsed.protocol === 'https:' };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
