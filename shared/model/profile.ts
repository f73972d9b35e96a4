import { z } from 'zod';
import { JumpHostSchema } from './jumpHost';

/**
 * Saved configuration: what the user set up, never runtime state and never a
 * secret (passwords live in Secrets Manager, passphrases in the OS keychain).
 */

export const DEFAULT_AWS_REGION = 'eu-west-2';

/** The id of the example profile a first run starts with: the editor offers to remove it so real profiles get the conventional ports it holds. */
export const EXAMPLE_PROFILE_ID = 'example-production';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const DbEngineSchema = z.enum(['mysql', 'mariadb', 'postgres', 'aurora-mysql', 'aurora-postgresql']);
export type DbEngine = z.infer<typeof DbEngineSchema>;

/** MySQL-family engines default to 3306 and local 13306+, PostgreSQL-family to 5432 and 15432+. */
export function engineFamily(engine: DbEngine): 'mysql' | 'postgres' {
  return engine === 'postgres' || engine === 'aurora-postgresql' ? 'postgres' : 'mysql';
}

/** The port a database of each family listens on unless told otherwise. */
export const DEFAULT_DB_PORT = { mysql: 3306, postgres: 5432 } as const;

/** Where the database is, as the jump box sees it. */
export const DbRemoteSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('host'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
  }),
  /** Resolved through RDS at connect time, so a restored or moved endpoint is followed. */
  z.object({
    kind: z.literal('rds'),
    identifier: z.string().min(1).max(255),
    endpoint: z.enum(['instance', 'cluster-writer', 'cluster-reader']).default('instance'),
  }),
]);
export type DbRemote = z.infer<typeof DbRemoteSchema>;

/** Where the password comes from when the user asks for it. */
export const SecretSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** The RDS-managed secret linked to the instance (MasterUserSecret). */
  z.object({ kind: z.literal('rds-managed') }),
  z.object({ kind: z.literal('secrets-manager'), secretId: z.string().min(1).max(2048) }),
]);
export type SecretSource = z.infer<typeof SecretSourceSchema>;

export const DbTargetSchema = z.object({
  id,
  name: z.string().min(1).max(100),
  engine: DbEngineSchema,
  remote: DbRemoteSchema,
  /** Local listener on 127.0.0.1; below 1024 needs privileges users do not have. */
  localPort: z.number().int().min(1024).max(65535),
  database: z.string().max(128).optional(),
  username: z.string().max(128).optional(),
  secret: SecretSourceSchema.default({ kind: 'none' }),
});
export type DbTarget = z.infer<typeof DbTargetSchema>;

export const ProfileOptionsSchema = z.object({
  keepaliveIntervalSeconds: z.number().int().min(0).max(600).default(10),
  keepaliveCountMax: z.number().int().min(1).max(100).default(3),
  /** Largest wait between reconnect attempts. */
  reconnectCapSeconds: z.number().int().min(1).max(3600).default(15),
  autoConnect: z.boolean().default(false),
  /** Close tunnels after this many minutes without a client; 0 = never. */
  idleAutoCloseMinutes: z.number().int().min(0).max(24 * 60).default(0),
  /**
   * Offer the `ssh-rsa` host-key algorithm and sign with RSA/SHA-1 when the jump box takes nothing
   * better (issue #17): off, as in OpenSSH 8.8 and later; for one old jump box, never for all.
   */
  allowSshRsaSha1: z.boolean().default(false),
});
export type ProfileOptions = z.infer<typeof ProfileOptionsSchema>;

export const AwsSettingsSchema = z.object({
  /** A named profile from ~/.aws/config; absent means the default provider chain. */
  profile: z.string().min(1).max(128).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-2')
    .default(DEFAULT_AWS_REGION),
  /** The jump box's security group, for allowing the user's IP on port 22. */
  securityGroupId: z
    .string()
    .regex(/^sg-[0-9a-f]+$/)
    .optional(),
  /** Or the jump box's EC2 instance, whose security groups are then looked up. */
  jumpHostInstanceId: z
    .string()
    .regex(/^i-[0-9a-f]+$/)
    .optional(),
});
export type AwsSettings = z.infer<typeof AwsSettingsSchema>;

export const ProfileSchema = z
  .object({
    id,
    name: z.string().min(1).max(100),
    jumpHost: JumpHostSchema,
    aws: AwsSettingsSchema.default({ region: DEFAULT_AWS_REGION }),
    targets: z.array(DbTargetSchema).max(100).default([]),
    options: ProfileOptionsSchema.default(ProfileOptionsSchema.parse({})),
  })
  .superRefine((profile, context) => {
    const seenIds = new Set<string>();
    const seenPorts = new Set<number>();
    profile.targets.forEach((target, index) => {
      if (seenIds.has(target.id)) {
        context.addIssue({ code: 'custom', path: ['targets', index, 'id'], message: `duplicate target id "${target.id}"` });
      }
      if (seenPorts.has(target.localPort)) {
        context.addIssue({ code: 'custom', path: ['targets', index, 'localPort'], message: `local port ${target.localPort} is used twice` });
      }
      seenIds.add(target.id);
      seenPorts.add(target.localPort);
    });
  });
export type Profile = z.infer<typeof ProfileSchema>;

/** The SSH port the jump box's security group must open: the first hop's when there is a ProxyJump. */
export function jumpBoxSshPort(profile: Pick<Profile, 'jumpHost'>): number {
  return profile.jumpHost.via[0]?.port ?? profile.jumpHost.port;
}

/** The private key the jump box login uses, or undefined when it goes through the SSH agent. */
export function jumpBoxKeyPath(profile: Pick<Profile, 'jumpHost'>): string | undefined {
  return profile.jumpHost.auth.kind === 'key' ? profile.jumpHost.auth.keyPath : undefined;
}

/** Every private key file the route logs in with, outermost hop first, each once. */
export function routeKeyPaths(profile: Pick<Profile, 'jumpHost'>): string[] {
  const hops = [...profile.jumpHost.via, profile.jumpHost];
  return [...new Set(hops.flatMap((hop) => (hop.auth.kind === 'key' ? [hop.auth.keyPath] : [])))];
}

export const PROFILES_SCHEMA_VERSION = 2;

export const ProfilesFileSchema = z
  .object({
    schemaVersion: z.literal(PROFILES_SCHEMA_VERSION),
    /**
     * Bumped by every write, from any process (the app, the CLI): a writer that saw
     * an older number is refused (PROFILES_CONFLICT). Absent in files from before revisions.
     */
    revision: z.number().int().min(0).optional(),
    /** The `revision` at which each profile last changed, by id. */
    revisions: z.record(z.string(), z.number().int().min(0)).optional(),
    profiles: z.array(ProfileSchema).max(500),
  })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    file.profiles.forEach((profile, index) => {
      if (seen.has(profile.id)) {
        context.addIssue({ code: 'custom', path: ['profiles', index, 'id'], message: `duplicate profile id "${profile.id}"` });
      }
      seen.add(profile.id);
    });
  });
export type ProfilesFile = z.infer<typeof ProfilesFileSchema>;
