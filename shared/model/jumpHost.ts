import { z } from 'zod';

/** How Jumpgate proves who the user is to the jump box. */
export const JumpHostAuthSchema = z.discriminatedUnion('kind', [
  /** A private key file: OpenSSH, PEM/PKCS#8 or PuTTY .ppk (v2 or v3). */
  z.object({ kind: z.literal('key'), keyPath: z.string().min(1) }),
  /** The running ssh-agent (SSH_AUTH_SOCK, or an explicit socket path). */
  z.object({ kind: z.literal('agent'), socketPath: z.string().min(1).optional() }),
]);
export type JumpHostAuth = z.infer<typeof JumpHostAuthSchema>;

const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a host name or IP address');

export const JumpHostBaseSchema = z.object({
  host: hostname,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(64),
  auth: JumpHostAuthSchema,
});

/**
 * A jump box (bastion). `via` is the ProxyJump chain, outermost first: to reach
 * this host Jumpgate first connects to via[0], then via[1] through it, and so on.
 */
export const JumpHostSchema = JumpHostBaseSchema.extend({
  via: z.array(JumpHostBaseSchema).max(4).default([]),
});
export type JumpHost = z.infer<typeof JumpHostSchema>;
export type JumpHostHop = z.infer<typeof JumpHostBaseSchema>;

export { jumpHostKey } from './jumpHostKey';
