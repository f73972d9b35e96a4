import * as z from '../zod';
import { JumpHostSchema } from './jumpHost';

/**
 * Saved configuration: what the user set up, never runtime state and never a
 * secret (passwords live in Secrets Manager, passphrases in the OS keychain).
 */

export const DEFAULT_AWS_REGION = 'eu-west-2';

/** The id of the example profile a first run starts with: the editor offers to remove it so real profiles get the conventional ports it holds. */
export const EXAMPLE_PROFILE_ID = 'example-production';

const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'));

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
    host: z.string().check(z.minLength(1), z.maxLength(253)),
    port: z.int().check(z.gte(1), z.lte(65535)),
  }),
  /** Resolved through RDS at connect time, so a restored or moved endpoint is followed. */
  z.object({
    kind: z.literal('rds'),
    identifier: z.string().check(z.minLength(1), z.maxLength(255)),
    endpoint: z._default(z.enum(['instance', 'cluster-writer', 'cluster-reader']), 'instance'),
  }),
]);
export type DbRemote = z.infer<typeof DbRemoteSchema>;

/** Where the password comes from when the user asks for it. */
export const SecretSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** The RDS-managed secret linked to the instance (MasterUserSecret). */
  z.object({ kind: z.literal('rds-managed') }),
  z.object({ kind: z.literal('secrets-manager'), secretId: z.string().check(z.minLength(1), z.maxLength(2048)) }),
]);
export type SecretSource = z.infer<typeof SecretSourceSchema>;

export const DbTargetSchema = z.object({
  id,
  name: z.string().check(z.minLength(1), z.maxLength(100)),
  engine: DbEngineSchema,
  remote: DbRemoteSchema,
  /** Local listener on 127.0.0.1; below 1024 needs privileges users do not have. */
  localPort: z.int().check(z.gte(1024), z.lte(65535)),
  database: z.optional(z.string().check(z.maxLength(128))),
  username: z.optional(z.string().check(z.maxLength(128))),
  secret: z._default(SecretSourceSchema, { kind: 'none' }),
});
export type DbTarget = z.infer<typeof DbTargetSchema>;

export const ProfileOptionsSchema = z.object({
  keepaliveIntervalSeconds: z._default(z.int().check(z.gte(0), z.lte(600)), 10),
  keepaliveCountMax: z._default(z.int().check(z.gte(1), z.lte(100)), 3),
  /** Largest wait between reconnect attempts. */
  reconnectCapSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 15),
  autoConnect: z._default(z.boolean(), false),
  /** Close tunnels after this many minutes without a client; 0 = never. */
  idleAutoCloseMinutes: z._default(z.int().check(z.gte(0), z.lte(24 * 60)), 0),
  /**
   * Offer the `ssh-rsa` host-key algorithm and sign with RSA/SHA-1 when the jump box takes nothing
   * better (issue #17): off, as in OpenSSH 8.8 and later; for one old jump box, never for all.
   */
  allowSshRsaSha1: z._default(z.boolean(), false),
});
export type ProfileOptions = z.infer<typeof ProfileOptionsSchema>;

export const AwsSettingsSchema = z.object({
  /** A named profile from ~/.aws/config; absent means the default provider chain. */
  profile: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  region: z._default(z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-2')), DEFAULT_AWS_REGION),
  /** The jump box's security group, for allowing the user's IP on port 22. */
  securityGroupId: z.optional(z.string().check(z.regex(/^sg-[0-9a-f]+$/))),
  /** Or the jump box's EC2 instance, whose security groups are then looked up. */
  jumpHostInstanceId: z.optional(z.string().check(z.regex(/^i-[0-9a-f]+$/))),
});
export type AwsSettings = z.infer<typeof AwsSettingsSchema>;

export const ProfileSchema = z.object({
    id,
    name: z.string().check(z.minLength(1), z.maxLength(100)),
    jumpHost: JumpHostSchema,
    aws: z._default(AwsSettingsSchema, { region: DEFAULT_AWS_REGION }),
    targets: z._default(z.array(DbTargetSchema).check(z.maxLength(100)), []),
    options: z._default(ProfileOptionsSchema, ProfileOptionsSchema.parse({})),
  }).check(z.superRefine((profile, context) => {
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
  }));
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

export const ProfilesFileSchema = z.object({
    schemaVersion: z.literal(PROFILES_SCHEMA_VERSION),
    /**
     * Bumped by every write, from any process (the app, the CLI): a writer that saw
     * an older number is refused (PROFILES_CONFLICT). Absent in files from before revisions.
     */
    revision: z.optional(z.int().check(z.gte(0))),
    /** The `revision` at which each profile last changed, by id. */
    revisions: z.optional(z.record(z.string(), z.int().check(z.gte(0)))),
    profiles: z.array(ProfileSchema).check(z.maxLength(500)),
  }).check(z.superRefine((file, context) => {
    const seen = new Set<string>();
    file.profiles.forEach((profile, index) => {
      if (seen.has(profile.id)) {
        context.addIssue({ code: 'custom', path: ['profiles', index, 'id'], message: `duplicate profile id "${profile.id}"` });
      }
      seen.add(profile.id);
    });
  }));
export type ProfilesFile = z.infer<typeof ProfilesFileSchema>;
