import * as z from '../zod';

/**
 * Which SSH agent holds the key (#15). Absent means this computer's usual one: SSH_AUTH_SOCK where
 * it is set; on Windows otherwise Pageant when it is running, else the Windows OpenSSH agent.
 * - `pageant`: PuTTY's Pageant (Windows only);
 * - `openssh`: OpenSSH's ssh-agent: SSH_AUTH_SOCK, or on Windows the ssh-agent service's pipe
 *   (\\.\pipe\openssh-ssh-agent).
 * Profiles saved before this field existed have no `agent` and keep their meaning.
 */
export const AgentChoiceSchema = z.enum(['pageant', 'openssh']);
export type AgentChoice = z.infer<typeof AgentChoiceSchema>;

/** No control characters (a NUL ends the path at the OS, a line break forges log and file lines). */
const noControls = (value: string): boolean => ![...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

/**
 * A key file path (issue #17). 4096 is Linux's PATH_MAX. Device and kernel folders hold no key
 * files: a team file naming /dev/zero is refused at import, not only when the key is read (the
 * reader refuses anything but a regular file anyway).
 */
const keyPath = z.string().check(z.minLength(1), z.maxLength(4096), z.refine(noControls, 'no control characters'), z.refine((path) => !/^\/(?:dev|proc|sys)\//.test(path), 'a key file, not a device or kernel file (/dev, /proc, /sys)'));

/** An agent socket or Windows pipe: sun_path holds 108 bytes (104 on macOS), a pipe name 256 characters. */
const socketPath = z.string().check(z.minLength(1), z.maxLength(260), z.refine(noControls, 'no control characters'));

/** How Jumpgate proves who the user is to the jump box. */
export const JumpHostAuthSchema = z.discriminatedUnion('kind', [
  /** A private key file: OpenSSH, PEM/PKCS#8 or PuTTY .ppk (v2 or v3). */
  z.object({ kind: z.literal('key'), keyPath }),
  /** A running SSH agent; `socketPath` names an OpenSSH agent's socket (or Windows pipe) explicitly. */
  z.object({ kind: z.literal('agent'), agent: z.optional(AgentChoiceSchema), socketPath: z.optional(socketPath) }).check(z.refine((auth) => !(auth.agent === 'pageant' && auth.socketPath !== undefined), {
      message: 'Pageant has no socket path: leave it empty, or choose the OpenSSH agent',
      path: ['socketPath'],
    })),
]);
export type JumpHostAuth = z.infer<typeof JumpHostAuthSchema>;

/**
 * A host name or IP address: letters, digits, dots, dashes, colons. Nothing a
 * known_hosts line gives meaning to (spaces, newlines, commas, wildcards, '|', '@', '[').
 */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const HostNameSchema = z.string().check(z.minLength(1), z.maxLength(253), z.regex(HOST_NAME_PATTERN, 'a host name or IP address'));
const hostname = HostNameSchema;

export const JumpHostBaseSchema = z.object({
  host: hostname,
  port: z._default(z.int().check(z.gte(1), z.lte(65535)), 22),
  user: z.string().check(z.minLength(1), z.maxLength(64)),
  auth: JumpHostAuthSchema,
});

/**
 * A jump box (bastion). `via` is the ProxyJump chain, outermost first: to reach
 * this host Jumpgate first connects to via[0], then via[1] through it, and so on.
 */
export const JumpHostSchema = z.extend(JumpHostBaseSchema, {
  via: z._default(z.array(JumpHostBaseSchema).check(z.maxLength(4)), []),
});
export type JumpHost = z.infer<typeof JumpHostSchema>;
export type JumpHostHop = z.infer<typeof JumpHostBaseSchema>;

/** ssh's own `[user@]host[:port]`; an IPv6 address goes in brackets (`user@[::1]:2222`), as in ssh and URLs. */
const HOP_ADDRESS = /^(?:([^@\s]+)@)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\])(?::(\d+))?$/;

/**
 * A jump host as people type it (`user@host:port`, the ProxyJump field, `jumpgate profile add --jump`):
 * its parts, not yet checked against the schema, or undefined when the text is not of that form.
 * Absent parts are left to the caller (a default user, port 22).
 */
export function parseHopAddress(text: string): { user?: string; host: string; port?: number } | undefined {
  const match = HOP_ADDRESS.exec(text.trim());
  if (!match) return undefined;
  const [, user, host, port] = match;
  return { ...(user ? { user } : {}), host: (host as string).replace(/^\[|\]$/g, ''), ...(port ? { port: Number(port) } : {}) };
}

/** `user@host:port` as parseHopAddress reads it back: an IPv6 literal in brackets, so its colons are not the port's. */
export function formatHopAddress(hop: { user: string; host: string; port: number }): string {
  return `${hop.user}@${hop.host.includes(':') ? `[${hop.host}]` : hop.host}:${hop.port}`;
}

export { jumpHostKey } from './jumpHostKey';
