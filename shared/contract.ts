import * as z from './zod';
import type { EventChannel, RequestChannel } from './channels';
import { AUDIT_KINDS } from './model/audit';
import { ERROR_DETAILS } from './model/errorDetails';
import { ERROR_CODES, type ErrorCode, type ErrorDetailsOf, type ErrorInfo } from './model/errors';
import { HostKeyBlobSchema } from './model/hostKeyTrust';
import { HostNameSchema, JumpHostSchema } from './model/jumpHost';
import { DbTargetSchema, ProfileSchema } from './model/profile';
import { SettingsChangeSchema, SettingsSchema } from './model/settings';

/**
 * The one contract every front end speaks (Electron IPC, the web host's
 * WebSocket, the CLI): each request channel's request and response schema, and
 * each event channel's payload. Requests are parsed in main before any handler
 * runs; replies are `{ ok: true, value }` or `{ ok: false, error }`.
 */

const id = z.string().check(z.minLength(1), z.maxLength(64));
const json = z.unknown();

/** Every code has its details schema: adding a code without one does not compile. */
const DETAILS_BY_CODE: { [C in ErrorCode]: z.ZodMiniType<ErrorDetailsOf<C>> } = ERROR_DETAILS;

/** An error as it crosses the boundary: a union by code, each with its own `details` shape. */
export const ErrorInfoSchema = z.discriminatedUnion(
  'code',
  ERROR_CODES.map((code) => z.object({ code: z.literal(code), message: z.string(), hint: z.optional(z.string()), details: z.optional(DETAILS_BY_CODE[code]) })) as unknown as [
    z.ZodMiniObject<{ code: z.ZodMiniLiteral<ErrorCode>; message: z.ZodMiniString; hint: z.ZodMiniOptional<z.ZodMiniString>; details: z.ZodMiniOptional<z.ZodMiniType> }>,
  ],
) as unknown as z.ZodMiniType<ErrorInfo>;

const CountersSchema = {
  bytesIn: z.number(),
  bytesOut: z.number(),
  activeConnections: z.number(),
  totalConnections: z.number(),
};

export const TunnelStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('connecting'), localPort: z.number(), since: z.number() }),
  z.object({
    status: z.literal('open'),
    localPort: z.number(),
    openedAt: z.number(),
    lastForwardError: z.optional(ErrorInfoSchema),
    idleSince: z.optional(z.number()),
    ...CountersSchema,
  }),
  z.object({
    status: z.literal('reconnecting'),
    localPort: z.number(),
    attempt: z.number(),
    nextRetryAt: z.number(),
    lastError: ErrorInfoSchema,
    ...CountersSchema,
  }),
  z.object({ status: z.literal('failed'), error: ErrorInfoSchema, failedAt: z.number() }),
  z.object({ status: z.literal('stopped'), stoppedAt: z.number() }),
]);

export const TunnelEntrySchema = z.object({
  id: z.string(),
  endpoint: z.object({
    localHost: z.literal('127.0.0.1'),
    localPort: z.number(),
    remoteHost: z.string(),
    remotePort: z.number(),
    jumpHost: z.string(),
  }),
  state: TunnelStateSchema,
});

const TargetRef = z.object({ profileId: id, targetId: id });
const ConnectionStringFormat = z.enum(['url', 'prisma', 'jdbc']);
/** Each connection string format as the user reads it: the clipboard banner, the audit log and the CLI name them alike. */
export const CONNECTION_STRING_FORMAT_NAMES: Record<z.infer<typeof ConnectionStringFormat>, string> = {
  url: 'Connection URL',
  prisma: 'Prisma DATABASE_URL',
  jdbc: 'JDBC URL',
};
/**
 * Why a secret is handed to the front end, so the audit log says what was done with it: shown on
 * screen, copied by a browser page or the CLI (each clears it), printed by `jumpgate password
 * --no-copy`, or handed to a command by `jumpgate exec`.
 */
const RevealPurpose = z.enum(['show', 'pageClipboard', 'cliClipboard', 'print', 'exec']);

/** The revision of a profile (or of the whole set, for an import) the caller last saw; a write based on an older one is refused with PROFILES_CONFLICT. */
const Revision = z.int().check(z.gte(0));
/** A profile as saved, with the revision the next write of it must name. */
const RevisionedProfileSchema = z.object({ profile: ProfileSchema, revision: Revision });
/** One change to one profile, based on the revision the caller saw. */
const ProfileChange = z.object({ profileId: id, revision: Revision });
/** Each profile's revision, by id. */
const RevisionsSchema = z.record(z.string(), Revision);

/**
 * A key's passphrase, given once when the key asks for it; kept in memory, or in the OS keychain if
 * `remember`. `keyPath` is the key it is for, as PASSPHRASE_REQUIRED / BAD_PASSPHRASE named it in
 * `details.keyPath` (a ProxyJump hop's own key); absent, it is the jump host's key.
 */
const Unlock = z.optional(z.object({
    passphrase: z.string().check(z.minLength(1), z.maxLength(1024)),
    remember: z._default(z.boolean(), false),
    keyPath: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  }));

/** The doctor's steps, in its order. */
const DoctorCheckId = z.enum(['key', 'aws-credentials', 'region', 'ip-allowed', 'tcp', 'host-key', 'auth', 'forward', 'db-greeting', 'db-login']);

const ImportPlanSchema = z.object({
  add: z.array(ProfileSchema),
  change: z.array(z.object({ before: ProfileSchema, after: ProfileSchema, fields: z.array(z.string()) })),
  unchanged: z.array(z.string()),
});

/** Where a team's profiles are published (`ssm:/jumpgate/acme`, `s3://bucket/key`), in which region and with which AWS profile of ~/.aws/config. */
const TeamSourceRef = z.object({
  source: z.string().check(z.minLength(1), z.maxLength(1100)),
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-2'))),
  awsProfile: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});
/** A published version: Parameter Store's version number or the S3 object's ETag, as text. */
const TeamRevision = z.string().check(z.minLength(1), z.maxLength(200));
/** A jump box host key the plan pins or removes; `conflict`: another key of its type is pinned here, so the follow is refused. */
const TeamHostKeyChangeSchema = z.object({
  host: z.string(),
  port: z.number(),
  keyType: z.string(),
  fingerprint: z.string(),
  change: z.enum(['add', 'remove', 'same', 'conflict']),
});
/** What a publish or a follow would do: profiles added, changed (with the fields), left alone and removed, and host keys. */
const TeamPlanSchema = z.object({
  add: z.array(ProfileSchema),
  change: z.array(z.object({ before: ProfileSchema, after: ProfileSchema, fields: z.array(z.string()) })),
  unchanged: z.array(z.string()),
  remove: z.array(ProfileSchema),
  hostKeys: z.array(TeamHostKeyChangeSchema),
});
/** A fetched team version and what following it would change here, planned against the profiles' revision. */
const TeamFetchSchema = z.object({
  source: z.string(),
  region: z.string(),
  teamRevision: TeamRevision,
  fetchedAt: z.number(),
  publishedAt: z.optional(z.number()),
  revision: z.int().check(z.gte(0)),
  plan: TeamPlanSchema,
});
const TeamCopyFacts = z.object({ revision: z.string(), at: z.number() });

/** The team sources this Jumpgate knows, with `now` (the service's clock) to say how old each copy is. */
const TeamStatusSchema = z.object({
  now: z.number(),
  sources: z.array(
    z.object({
      source: z.string(),
      region: z.string(),
      awsProfile: z.optional(z.string()),
      followed: z.boolean(),
      profileIds: z.array(z.string()),
      applied: z.optional(TeamCopyFacts),
      fetched: z.optional(TeamCopyFacts),
      lastError: z.optional(z.object({ at: z.number(), error: ErrorInfoSchema })),
      /** A fetched version not applied yet. */
      pending: z.boolean(),
    }),
  ),
});

const DbEngineName = z.enum(['mysql', 'mariadb', 'postgres', 'aurora-mysql', 'aurora-postgresql']);
const RdsEndpointSchema = z.object({ host: z.string(), port: z.number() });

const DiscoveredDatabaseSchema = z.object({
  kind: z.enum(['instance', 'cluster']),
  identifier: z.string(),
  engine: DbEngineName,
  engineVersion: z.optional(z.string()),
  status: z.optional(z.string()),
  endpoint: z.optional(RdsEndpointSchema),
  readerEndpoint: z.optional(RdsEndpointSchema),
  clusterIdentifier: z.optional(z.string()),
  members: z.optional(z.array(z.object({ identifier: z.string(), writer: z.boolean(), status: z.optional(z.string()), endpoint: z.optional(RdsEndpointSchema) }))),
  secretArn: z.optional(z.string()),
  masterUsername: z.optional(z.string()),
  dbName: z.optional(z.string()),
  proposedLocalPort: z.number(),
});

/** When a copied secret leaves the clipboard (if it is still ours then). Never the value. */
const ClipboardPendingSchema = z.object({ label: z.string(), clearsAt: z.number() });
/** How long a copied secret stays on the clipboard unless the request says otherwise (the service's guard and a browser page's alike). */
export const DEFAULT_CLIPBOARD_CLEAR_MS = 30_000;

const AllowListRuleSchema = z.object({
  groupId: z.string(),
  cidr: z.string(),
  description: z.optional(z.string()),
  ruleId: z.optional(z.string()),
  protocol: z.string(),
  fromPort: z.optional(z.number()),
  toPort: z.optional(z.number()),
});
/** A rule as the caller sees it (issue #17): made with their AWS identity and OS user, or someone else's. */
const OwnedRuleSchema = z.extend(AllowListRuleSchema, { yours: z.boolean() });

const SnapshotKindSchema = z.enum(['instance', 'cluster']);
const KeyPath = z.string().check(z.minLength(1), z.maxLength(4096));
const TerminalSize = { cols: z.int().check(z.gte(2), z.lte(1000)), rows: z.int().check(z.gte(2), z.lte(500)) };
const ShellId = z.uuid();

const AuditEntrySchema = z.object({
  at: z.number(),
  user: z.string(),
  kind: z.enum(AUDIT_KINDS),
  profileId: z.optional(z.string()),
  targetId: z.optional(z.string()),
  detail: z.string(),
});
const RuleLabel = z.optional(z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[A-Za-z0-9 ._:/=+@-]+$/)));
/**
 * The public IP the user gave instead of the lookup (issue #13). Only bounded here: the
 * service refuses anything but a public IPv4 address with PUBLIC_IP_INVALID and says why.
 */
const GivenIp = z.optional(z.string().check(z.minLength(1), z.maxLength(100)));
const RdsIdentifier = z.string().check(z.minLength(1), z.maxLength(63));

/** A jump host's SSH port, as a pin names it. */
const SshPort = z.int().check(z.gte(1), z.lte(65535));
/** A host key as `ssh-keygen -l` shows it (type and SHA256 fingerprint), with its base64 wire blob. */
const HostKeyEntrySchema = z.object({ keyType: z.string(), fingerprint: z.string(), publicKey: z.string() });
/** What `ssh-keygen -l` prints for a key: `SHA256:` and 43 characters of unpadded base64. */
const Sha256Fingerprint = z.string().check(z.regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -l prints it (SHA256:...)'));

/** The doctor's ordered checks, each passed, failed or skipped (waiting for the step it needs), and the first failure. */
const DoctorReportSchema = z.object({
  checks: z.array(
    z.object({
      id: DoctorCheckId,
      title: z.string(),
      status: z.enum(['pass', 'fail', 'skip']),
      detail: z.string(),
      error: z.optional(ErrorInfoSchema),
      waitsFor: z.optional(DoctorCheckId),
    }),
  ),
  firstFailure: z.optional(DoctorCheckId),
  notRemembered: z.optional(ErrorInfoSchema),
});

export const contract = {
  /** The user's app-wide choices (the theme), kept by the service so they outlive a page's origin. */
  'settings:get': { request: z.optional(z.object({})), response: SettingsSchema },
  /** Change some settings; every window hears settings:changed. `seq` is that event's number, so the writer can tell its own event from later ones. */
  'settings:update': { request: SettingsChangeSchema, response: z.extend(SettingsSchema, { seq: z.number() }) },
  /** Version and where things live; never fails. */
  'app:info': {
    request: z.optional(z.object({})),
    response: z.object({
      version: z.string(),
      profilesPath: z.string(),
      knownHostsPath: z.string(),
      /** Where new SSH keys go by default (~/.ssh), and who the user is (for a key's comment). */
      sshDir: z.string(),
      user: z.string(),
      /** Whether keys:pickFile can open the system's file dialog (the desktop app); elsewhere the path is typed. */
      canPickFiles: z.boolean(),
    }),
  },
  /**
   * The system's open-file dialog for a private key (desktop only): answers the chosen path and
   * nothing of the file; no path when the user cancelled. FILE_PICKER_UNAVAILABLE where there is no dialog.
   */
  /**
   * The key a new login uses unless the user says otherwise (issue #16: following a team): the key
   * last made in Jumpgate's Keys screen if its file is still there (`created`), else the first
   * existing of ~/.ssh/jumpgate_ed25519, id_ed25519, id_ecdsa, id_rsa, in the order OpenSSH tries
   * its default identities (`found`), else none: the SSH agent (`agent`). Reads only.
   */
  'keys:defaultIdentity': {
    request: z.optional(z.object({})),
    response: z.object({ keyPath: z.optional(z.string()), source: z.enum(['created', 'found', 'agent']) }),
  },
  'keys:pickFile': { request: z.optional(z.object({ startIn: z.optional(z.string().check(z.maxLength(4096))) })), response: z.object({ path: z.optional(z.string()) }) },
  /** All saved profiles with their revisions; `problem` is PROFILES_CORRUPT when the file was damaged and kept aside. */
  'profiles:list': {
    request: z.optional(z.object({})),
    response: z.object({
      seq: z.number(),
      /** The whole set's revision: what an import names. */
      revision: Revision,
      revisions: RevisionsSchema,
      profiles: z.array(ProfileSchema),
      problem: z.optional(ErrorInfoSchema),
    }),
  },
  'profiles:get': { request: z.object({ id }), response: ProfileSchema },
  /**
   * The profile editor's save of a whole profile (validated as a whole, written atomically).
   * With `revision` it replaces the profile saved at that revision; without, it creates a new
   * one and is refused if the id exists. Other changes use the intents below.
   */
  'profiles:save': { request: z.object({ profile: json, revision: z.optional(Revision) }), response: RevisionedProfileSchema },
  /** Delete a profile (its tunnels close first). */
  'profiles:delete': { request: z.object({ id, revision: Revision }), response: z.null() },
  /** A copy under a new name, its targets on the next free local ports. */
  'profiles:duplicate': { request: z.object({ id, name: z.string().check(z.minLength(1), z.maxLength(100)) }), response: RevisionedProfileSchema },
  'profiles:rename': { request: z.extend(ProfileChange, { name: z.string().check(z.minLength(1), z.maxLength(100)) }), response: RevisionedProfileSchema },
  /** Add a target (its local port must be free in every profile). */
  'profiles:addTarget': { request: z.extend(ProfileChange, { target: DbTargetSchema }), response: RevisionedProfileSchema },
  /**
   * Add several targets in one write (`jumpgate discover --add`): all of them or none, each local
   * port free in every profile, at the one revision the caller saw.
   */
  'profiles:addTargets': { request: z.extend(ProfileChange, { targets: z.array(DbTargetSchema).check(z.minLength(1), z.maxLength(100)) }), response: RevisionedProfileSchema },
  /** Replace a target, matched by id. */
  'profiles:updateTarget': { request: z.extend(ProfileChange, { target: DbTargetSchema }), response: RevisionedProfileSchema },
  /** Remove a target; its tunnel closes first. */
  'profiles:removeTarget': { request: z.extend(ProfileChange, { targetId: id }), response: RevisionedProfileSchema },
  /** The jump box login uses this key file from now on (and hops that logged in the same way). */
  'profiles:attachKey': { request: z.extend(ProfileChange, { keyPath: z.string().check(z.minLength(1), z.maxLength(4096)) }), response: RevisionedProfileSchema },
  /**
   * A target for a restored copy, made from the target it was restored from (engine, user,
   * password source, next free local port); the existing one if a target already points at it.
   */
  'profiles:addRestoredCopyTarget': {
    request: z.extend(ProfileChange, { identifier: z.string().check(z.minLength(1), z.maxLength(63)), sourceTargetId: id }),
    response: z.extend(RevisionedProfileSchema, { targetId: z.string() }),
  },
  /** A team file of the given profiles (all if omitted). Contains no secret. */
  'profiles:export': { request: z.object({ ids: z.optional(z.array(id)) }), response: z.object({ text: z.string() }) },
  /** What importing a team file would add and change, and the set's revision it was planned against; writes nothing. */
  'profiles:planImport': { request: z.object({ text: z.string().check(z.maxLength(5_000_000)) }), response: z.extend(ImportPlanSchema, { revision: Revision }) },
  /** Import a team file (plan recomputed here, never trusted from the caller); refused if the set changed since the plan's revision. */
  'profiles:applyImport': { request: z.object({ text: z.string().check(z.maxLength(5_000_000)), revision: Revision }), response: z.array(ProfileSchema) },
  /**
   * What publishing these profiles to a team source would change there (issue #16): the profiles
   * as the team gets them (no key path, agent, AWS profile name or options) against what is
   * published now, with the jump boxes' pinned host keys. TEAM_HOST_KEY_UNPINNED for a jump box
   * with no pinned key here. Reads only.
   */
  'team:planPublish': {
    request: z.extend(TeamSourceRef, { profileIds: z.array(id).check(z.minLength(1), z.maxLength(500)) }),
    response: z.object({
      source: z.string(),
      region: z.string(),
      published: z.optional(z.object({ revision: TeamRevision, publishedAt: z.optional(z.number()) })),
      plan: TeamPlanSchema,
      /** Each published profile's revision the plan was made from: the publish names them, so what is published is what was previewed. */
      revisions: RevisionsSchema,
    }),
  },
  /**
   * Publish these profiles (made again here from the saved ones, never taken from the caller) over
   * the version the caller saw (`seenRevision`, absent when nothing was published): any other
   * version there now is refused with TEAM_SOURCE_CONFLICT and nothing is overwritten. With the
   * plan's `revisions`, a profile changed here since the preview is refused with PROFILES_CONFLICT.
   */
  'team:publish': {
    request: z.extend(TeamSourceRef, { profileIds: z.array(id).check(z.minLength(1), z.maxLength(500)), seenRevision: z.optional(TeamRevision), revisions: z.optional(RevisionsSchema) }),
    response: z.object({ source: z.string(), revision: TeamRevision }),
  },
  /**
   * The teams published in Parameter Store under /jumpgate in this region (their head parameters;
   * the parts below them are not sources), sorted by source, so a new starter picks theirs rather
   * than typing it. Reads only. AWS_ACCESS_DENIED names ssm:GetParametersByPath and the path; a
   * team published to S3 is not listed (a bucket has no well-known place): it is typed.
   */
  'team:discover': {
    request: z.optional(z.omit(TeamSourceRef, { source: true })),
    response: z.object({
      region: z.string(),
      sources: z.array(z.object({ source: z.string(), revision: TeamRevision, publishedAt: z.optional(z.number()) })),
    }),
  },
  /**
   * Fetch what a team source publishes now, keep it as the last copy, and plan what following it
   * would change here (the person's own settings kept; `keyPath`: the key they log in with). A
   * failure is kept with the source's state, and the last copy stays in use.
   */
  'team:fetch': { request: z.extend(TeamSourceRef, { keyPath: z.optional(KeyPath) }), response: TeamFetchSchema },
  /**
   * Apply the fetched version the caller saw (`teamRevision`; a newer fetch since is TEAM_SOURCE_CONFLICT)
   * through the profiles' revision check (PROFILES_CONFLICT), pin its jump boxes' host keys, and
   * follow the source from now on. HOST_KEY_MISMATCH when another key is pinned for one of its jump boxes.
   */
  'team:follow': {
    request: z.object({ source: z.string().check(z.minLength(1), z.maxLength(1100)), teamRevision: TeamRevision, revision: Revision, keyPath: z.optional(KeyPath) }),
    response: z.object({ source: z.string(), teamRevision: TeamRevision, profiles: z.array(ProfileSchema), removed: z.array(z.string()), pinned: z.array(TeamHostKeyChangeSchema) }),
  },
  /** Fetch every followed source again and plan each; a source that cannot be fetched says why and keeps its last copy. Applies nothing. */
  'team:refresh': {
    request: z.optional(z.object({})),
    response: z.object({
      sources: z.array(z.object({ source: z.string(), fetch: z.optional(TeamFetchSchema), error: z.optional(ErrorInfoSchema), lastCopy: z.optional(TeamCopyFacts) })),
    }),
  },
  /** The team sources this Jumpgate knows: followed or only fetched, their profiles, the copies held and how old, and the last failure. */
  'team:status': { request: z.optional(z.object({})), response: TeamStatusSchema },
  /** Hosts from the user's ~/.ssh/config, ready to become a profile's jump host. */
  'profiles:importSshConfig': {
    request: z.optional(z.object({})),
    /** Hosts a profile can be made from, and those it cannot (with the field that stops them). IMPORT_INVALID when the file does not parse. */
    response: z.object({
      hosts: z.array(z.object({ alias: z.string(), jumpHost: JumpHostSchema })),
      skipped: z.array(z.object({ alias: z.string(), why: z.string() })),
    }),
  },
  /** Every tunnel's state now, and the event seq it corresponds to. */
  'tunnels:snapshot': {
    request: z.optional(z.object({})),
    response: z.object({ seq: z.number(), tunnels: z.array(TunnelEntrySchema) }),
  },
  /**
   * Open one target's tunnel; resolves once it is open (or fails with a coded error). `notRemembered`:
   * the passphrase was to be kept in the OS keychain and the keychain refused; the tunnel is open all the same.
   */
  /** Open a target's tunnel; `localPort` listens elsewhere for this run only (the CLI's --port), the saved port unchanged. */
  'tunnels:start': { request: z.extend(TargetRef, { unlock: Unlock, localPort: z.optional(z.int().check(z.gte(1024), z.lte(65535))) }), response: z.extend(TunnelEntrySchema, { notRemembered: z.optional(ErrorInfoSchema) }) },
  'tunnels:stop': { request: TargetRef, response: z.null() },
  /** A reconnecting tunnel tries again now instead of after its backoff (the user's "Retry now"). */
  'tunnels:retryNow': { request: TargetRef, response: z.null() },
  /** Open every target of a profile over one SSH connection. */
  'tunnels:startProfile': {
    request: z.object({ profileId: id, unlock: Unlock }),
    response: z.array(z.extend(TunnelEntrySchema, { notRemembered: z.optional(ErrorInfoSchema) })),
  },
  'tunnels:stopProfile': { request: z.object({ profileId: id }), response: z.null() },
  /** Pin a jump host key the user confirmed by its fingerprint (`replace` only after a HOST_KEY_MISMATCH the user accepted). */
  'hostKeys:trust': {
    request: z.object({
      // A host as a jump host names it: a newline or a comma here would write another pin (issue #17).
      host: HostNameSchema,
      port: z.int().check(z.gte(1), z.lte(65535)),
      publicKey: HostKeyBlobSchema,
      replace: z._default(z.boolean(), false),
    }),
    response: z.object({ fingerprint: z.string() }),
  },
  /** The keys Jumpgate's known_hosts pins for host:port (and those `@revoked` for it), and where that file is. Reads only. */
  'hostKeys:list': {
    request: z.object({ host: HostNameSchema, port: SshPort }),
    response: z.object({ knownHostsPath: z.string(), name: z.string(), pinned: z.array(HostKeyEntrySchema), revoked: z.array(HostKeyEntrySchema) }),
  },
  /**
   * Remove every pin for host:port (plain, in a host list, or hashed); other hosts' entries, comments
   * and `@revoked` lines stay. Answers the keys removed (none when nothing was pinned); audited when
   * something was removed. The next connection asks about the key as on a first visit.
   */
  'hostKeys:forget': {
    request: z.object({ host: HostNameSchema, port: SshPort }),
    response: z.object({ knownHostsPath: z.string(), removed: z.array(HostKeyEntrySchema) }),
  },
  /**
   * What each hop of the profile's route presents now (the `via` hops outermost first, then the jump
   * host), judged against the pins: trusted, mismatch, unknown or revoked. A handshake that stops at
   * the host key, on a connection of its own (running tunnels are not touched); a hop that cannot be
   * reached has its coded error instead of a key. Hops behind others log in to the outer hops first.
   */
  'hostKeys:probe': {
    request: z.object({ profileId: id }),
    response: z.object({
      hops: z.array(
        z.object({
          host: z.string(),
          port: z.number(),
          presented: z.optional(HostKeyEntrySchema),
          verdict: z.optional(z.enum(['trusted', 'mismatch', 'unknown', 'revoked'])),
          error: z.optional(ErrorInfoSchema),
        }),
      ),
    }),
  },
  /**
   * Pin the key hop `hop` of the profile's route presents now (default: the jump host itself; an index
   * into the `via` hops then the jump host), only when `fingerprint` is that key's (HOST_KEY_NOT_CONFIRMED
   * naming both otherwise). A different pinned key is replaced only with `replace` (HOST_KEY_MISMATCH
   * otherwise); a revoked key never (HOST_KEY_REVOKED). `unchanged` when that key was already pinned.
   * Audited with the new fingerprint and the ones it replaced.
   */
  'hostKeys:trustPresented': {
    request: z.object({ profileId: id, hop: z.optional(z.int().check(z.gte(0), z.lte(15))), fingerprint: Sha256Fingerprint, replace: z._default(z.boolean(), false) }),
    response: z.object({
      host: z.string(),
      port: z.number(),
      knownHostsPath: z.string(),
      outcome: z.enum(['pinned', 'replaced', 'unchanged']),
      pinned: HostKeyEntrySchema,
      replaced: z.array(HostKeyEntrySchema),
    }),
  },
  /** Remove a remembered key passphrase from memory and the OS keychain. */
  'keychain:forgetPassphrase': { request: z.object({ keyPath: z.string().check(z.minLength(1), z.maxLength(4096)) }), response: z.object({ deleted: z.boolean() }) },
  /** Who the profile's AWS credentials are (STS GetCallerIdentity): the cheapest proof they work. */
  'aws:whoami': {
    request: z.object({ profileId: id }),
    response: z.object({ account: z.string(), arn: z.string(), userId: z.string() }),
  },
  /** Named profiles from ~/.aws/config and ~/.aws/credentials (never their keys). */
  'aws:listProfiles': {
    request: z.optional(z.object({})),
    response: z.array(
      z.object({
        name: z.string(),
        region: z.optional(z.string()),
        sso: z.boolean(),
        ssoSession: z.optional(z.string()),
        sources: z.array(z.enum(['config', 'credentials'])),
      }),
    ),
  },
  /** RDS instances and Aurora clusters in the profile's region (or `region`), each with a proposed local port. */
  'aws:listDatabases': {
    request: z.object({ profileId: id, region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/))) }),
    response: z.object({
      region: z.string(),
      databases: z.array(DiscoveredDatabaseSchema),
      unsupported: z.array(z.object({ kind: z.enum(['instance', 'cluster']), identifier: z.string(), engine: z.string() })),
      lookedIn: z.array(z.string()),
      foundIn: z.array(z.object({ region: z.string(), count: z.number() })),
      notChecked: z.array(z.object({ region: z.string(), code: z.string() })),
      note: z.optional(z.string()),
    }),
  },
  /** Fetch the target's current password from Secrets Manager and put it on the clipboard, cleared after a while if still ours. */
  'secrets:copyPassword': {
    request: z.extend(TargetRef, { clearAfterSeconds: z.optional(z.int().check(z.gte(5), z.lte(600))) }),
    response: ClipboardPendingSchema,
  },
  /**
   * The current credentials, for a user who explicitly asked to see them, or (purpose
   * 'pageClipboard') for a browser page to put on its own clipboard where the service has
   * none. Never stored; the purpose only changes what the audit log says was done.
   */
  'secrets:revealPassword': { request: z.extend(TargetRef, { purpose: z.optional(RevealPurpose) }), response: z.object({ username: z.string(), password: z.string() }) },
  /** A connection string for the target's local port with the current password, to the clipboard. */
  'secrets:copyConnectionString': {
    request: z.extend(TargetRef, { format: ConnectionStringFormat, clearAfterSeconds: z.optional(z.int().check(z.gte(5), z.lte(600))) }),
    response: ClipboardPendingSchema,
  },
  /** The same connection string handed over (to be shown, or copied by a browser page), never kept. */
  'secrets:revealConnectionString': {
    request: z.extend(TargetRef, { format: ConnectionStringFormat, purpose: z.optional(RevealPurpose) }),
    response: z.object({ text: z.string() }),
  },
  /** Clear the clipboard now if it still holds what Jumpgate put there. */
  'secrets:clearClipboard': { request: z.optional(z.object({})), response: z.null() },
  /**
   * My public IP (the one given in `ip`, else looked up) and whether the jump box's security groups let it reach its SSH port;
   * `rules`: every rule that lets anyone reach that port, each marked `yours` when made with my AWS identity and OS user.
   */
  'aws:checkAccess': {
    request: z.object({ profileId: id, ip: GivenIp }),
    response: z.object({
      ip: z.string(),
      allowed: z.boolean(),
      checkedGroupIds: z.array(z.string()),
      matchingRule: z.optional(AllowListRuleSchema),
      rules: z.array(OwnedRuleSchema),
    }),
  },
  /**
   * Allow my IP (the one given in `ip`, else looked up) on the jump box's SSH port, replacing my older rule for that port
   * (same label, my AWS identity) rather than piling up rules; nobody else's rule and no rule for another port is touched.
   * `migrated`: my rule for this address in an older Jumpgate's description, given my identity in place.
   */
  'aws:allowMyIp': {
    request: z.object({ profileId: id, label: RuleLabel, ip: GivenIp }),
    response: z.object({
      ip: z.string(),
      outcome: z.enum(['added', 'replaced', 'unchanged', 'covered']),
      rule: AllowListRuleSchema,
      revoked: z.array(AllowListRuleSchema),
      migrated: z.optional(AllowListRuleSchema),
    }),
  },
  /** Remove my rule (my AWS identity, the label) for the jump box's SSH port from its security group. */
  'aws:removeMyIp': { request: z.object({ profileId: id, label: RuleLabel }), response: z.object({ revoked: z.array(AllowListRuleSchema) }) },
  /** Snapshots of a target's database, newest first. */
  'aws:listSnapshots': {
    request: TargetRef,
    response: z.array(
      z.object({
        kind: SnapshotKindSchema,
        identifier: z.string(),
        sourceIdentifier: z.string(),
        createdAt: z.optional(z.string()),
        status: z.string(),
        engine: z.string(),
        engineVersion: z.optional(z.string()),
        sizeGiB: z.optional(z.number()),
        type: z.optional(z.string()),
        encrypted: z.optional(z.boolean()),
      }),
    ),
  },
  /** Restore a snapshot to a NEW database (production is untouched); progress arrives as aws:restoreProgress events. */
  'aws:restoreSnapshot': {
    request: z.extend(TargetRef, { snapshot: z.object({ kind: SnapshotKindSchema, identifier: z.string().check(z.minLength(1), z.maxLength(255)) }), newIdentifier: RdsIdentifier }),
    response: z.object({
      kind: SnapshotKindSchema,
      identifier: z.string(),
      instanceIdentifier: z.string(),
      snapshotIdentifier: z.string(),
      sourceIdentifier: z.string(),
      engine: z.string(),
      endpoint: RdsEndpointSchema,
    }),
  },
  /** Copies Jumpgate restored earlier (tagged jumpgate:restored-from), from any window or machine, newest first. */
  'aws:listRestored': {
    request: z.object({ profileId: id }),
    response: z.array(
      z.object({
        kind: SnapshotKindSchema,
        identifier: z.string(),
        snapshotIdentifier: z.string(),
        sourceIdentifier: z.optional(z.string()),
        engine: z.string(),
        status: z.string(),
        endpoint: z.optional(RdsEndpointSchema),
        createdAt: z.optional(z.string()),
      }),
    ),
  },
  /**
   * Delete a copy Jumpgate restored, only when the user typed its identifier exactly; the
   * profile's targets that pointed at it go too (their tunnels closed first).
   */
  'aws:deleteRestored': {
    request: z.object({ profileId: id, identifier: RdsIdentifier, confirmIdentifier: z.string().check(z.maxLength(63)) }),
    response: z.object({
      deleted: z.array(z.object({ kind: SnapshotKindSchema, identifier: z.string() })),
      removedTargets: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  },
  /**
   * The ordered doctor, in the routine's order: key -> AWS credentials -> region -> IP allowed ->
   * TCP -> host key -> login -> forward -> database greeting -> database login. The AWS steps run
   * only where the check needs AWS; a failed step holds up only the steps that need it (`waitsFor`
   * on each of those), and `firstFailure` is the first failed step in this order. `unlock` is the
   * key's passphrase, as for `tunnels:start`: kept for the session once the key opened with it,
   * remembered only if asked (`notRemembered` when the keychain refused), dropped if wrong.
   */
  'diagnostics:run': { request: z.object({ profileId: id, targetId: z.optional(id), unlock: Unlock }), response: DoctorReportSchema },
  /**
   * The same checks for a profile as the editor holds it, unsaved ("Test connection"): checked
   * with the store's schema first (PROFILE_INVALID), then run as diagnostics:run runs a saved one.
   */
  'diagnostics:testDraft': { request: z.object({ profile: z.unknown(), targetId: z.optional(id), unlock: Unlock }), response: DoctorReportSchema },
  /** A new SSH key pair (ed25519 recommended, or RSA-4096), private key 0600; never overwrites a file. */
  'keys:generate': {
    request: z.object({
      type: z.enum(['ed25519', 'rsa']),
      path: KeyPath,
      passphrase: z.optional(z.string().check(z.maxLength(1024))),
      comment: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\r\n]+$/)),
    }),
    response: z.object({ privatePath: z.string(), publicPath: z.string(), publicKey: z.string(), fingerprint: z.string() }),
  },
  /**
   * What a key file is (OpenSSH or PuTTY), and its public key line to send to the administrator.
   * An encrypted key needs its passphrase, unless `publicOnly`: then the public half is read
   * without it where the file keeps it in the clear (OpenSSH, PuTTY .ppk v2/v3, or a matching
   * .pub beside a PEM/PKCS#8 key), and the private half is not opened.
   */
  'keys:inspect': {
    request: z.object({ path: KeyPath, passphrase: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))), publicOnly: z.optional(z.boolean()) }),
    response: z.object({ format: z.string(), type: z.string(), comment: z.string(), publicKey: z.string(), fingerprint: z.string(), encrypted: z.boolean() }),
  },
  /** A terminal on the profile's jump box, as a channel of the pooled connection the tunnels use. */
  'shell:open': {
    request: z.object({ profileId: id, ...TerminalSize, unlock: Unlock }),
    response: z.object({ shellId: z.string(), notRemembered: z.optional(ErrorInfoSchema) }),
  },
  'shell:input': { request: z.object({ shellId: ShellId, data: z.string().check(z.minLength(1), z.maxLength(65_536)) }), response: z.null() },
  'shell:resize': { request: z.object({ shellId: ShellId, ...TerminalSize }), response: z.null() },
  /** Hang up the shell; the tunnels stay open. */
  'shell:close': { request: z.object({ shellId: ShellId }), response: z.null() },
  /** The local audit log, newest first: what was opened, fetched, copied and changed, never a secret. */
  'audit:list': { request: z.optional(z.object({ limit: z.optional(z.int().check(z.gte(1), z.lte(5000))) })), response: z.array(AuditEntrySchema) },
} as const satisfies Record<RequestChannel, { request: z.ZodMiniType; response: z.ZodMiniType }>;

export const events = {
  /** One tunnel's new state with its whole snapshot entry (a window that never saw the tunnel can add it); `seq` increases across all tunnels. */
  'tunnels:state': z.object({ seq: z.number(), tunnelId: z.string(), endpoint: TunnelEntrySchema.shape.endpoint, state: TunnelStateSchema }),
  /** The saved profiles changed (here, or in another process such as the CLI), with the whole set and its revisions; `seq` increases per change. */
  'profiles:changed': z.object({ seq: z.number(), revision: Revision, revisions: RevisionsSchema, profiles: z.array(ProfileSchema) }),
  /** A snapshot restore moved on: requested, creating (each poll), available (with the endpoint). */
  'aws:restoreProgress': z.object({
    seq: z.number(),
    profileId: z.string(),
    phase: z.enum(['requested', 'creating', 'available']),
    identifier: z.string(),
    status: z.string(),
    elapsedMs: z.number(),
    endpoint: z.optional(RdsEndpointSchema),
  }),
  /** What Jumpgate has on the clipboard: a copy with its clear time, or nothing pending (cleared, replaced by the user, or never). */
  /**
   * `failed`: the clear could not read or write the clipboard, so the copy may still be
   * there; never shown as cleared (issue #17). `secrets:clearClipboard` tries again.
   */
  'secrets:clipboard': z.object({
    seq: z.number(),
    pending: z.optional(ClipboardPendingSchema),
    failed: z.optional(z.object({ label: z.string(), error: ErrorInfoSchema })),
  }),
  /** Terminal output of an open shell, UTF-8 text in order. */
  'shell:output': z.object({ seq: z.number(), shellId: z.string(), data: z.string() }),
  /** The shell ended (the user exited, or the jump box went away). */
  'shell:exit': z.object({ seq: z.number(), shellId: z.string(), exitCode: z.optional(z.number()), signal: z.optional(z.string()), error: z.optional(ErrorInfoSchema) }),
  /** A new audit entry, for a view that is open. */
  'audit:entry': z.object({ seq: z.number(), entry: AuditEntrySchema }),
  /** Settings changed (in this window or another). */
  'settings:changed': z.object({ seq: z.number(), settings: SettingsSchema }),
  /** A team source was fetched (a newer version waiting to be applied, or why it could not be) or followed: the whole status. */
  'team:changed': z.object({ seq: z.number(), status: TeamStatusSchema }),
} as const satisfies Record<EventChannel, z.ZodMiniType>;

export type Contract = typeof contract;
export type RequestOf<C extends RequestChannel> = z.input<Contract[C]['request']>;
export type ParsedRequestOf<C extends RequestChannel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<Contract[C]['response']>;
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]>;

export type ErrorInfoWire = ErrorInfo;
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorInfoWire };

/**
 * The service's side of the contract: one async function per request channel,
 * called with the parsed request. Declared here, beside the schemas, so each
 * domain's handler set can be typed without importing the service that composes them.
 */
export type Handlers = { [C in RequestChannel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

/** An event as it leaves the core, before the bus stamps its sequence number. */
export type UnnumberedEventOf<E extends EventChannel> = Omit<EventOf<E>, 'seq'>;

/**
 * A listener for every event channel. The parameters are a union of
 * [channel, payload] pairs, so checking `channel` narrows `payload`: no casts.
 */
export type EventListener = (...event: { [E in EventChannel]: [channel: E, payload: EventOf<E>] }[EventChannel]) => void;
