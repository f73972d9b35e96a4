import { PROFILES_SCHEMA_VERSION } from '../../../shared/model/profile';

/**
 * Forward migrations of the profiles file, one step per version. Each takes the
 * previous version's JSON and returns the next's; the result is validated with
 * the current schema afterwards, never trusted.
 */

/** A name turned into an id: lower-case, dashes, as the schema requires. */
export function slugify(name: string, fallback = 'profile'): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || fallback;
}

interface V1Tunnel {
  name?: string;
  localPort?: number;
  remoteHost?: string;
  remotePort?: number;
  engine?: string;
  database?: string;
  username?: string;
}

interface V1Profile {
  name?: string;
  host?: string;
  port?: number;
  user?: string;
  keyPath?: string;
  awsProfile?: string;
  region?: string;
  tunnels?: V1Tunnel[];
}

/**
 * Version 1 was the prototype's flat shape (one key path, tunnels with host and
 * port). Version 2 adds ids, the auth union (key or agent), ProxyJump, RDS
 * targets, secret sources and per-profile options.
 */
function v1ToV2(file: { profiles?: V1Profile[] }): unknown {
  const usedIds = new Set<string>();
  const unique = (base: string): string => {
    let id = base;
    for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
    usedIds.add(id);
    return id;
  };
  return {
    schemaVersion: 2,
    profiles: (file.profiles ?? []).map((profile) => {
      const targetIds = new Set<string>();
      return {
        id: unique(slugify(profile.name ?? 'profile')),
        name: profile.name,
        jumpHost: {
          host: profile.host,
          port: profile.port ?? 22,
          user: profile.user,
          auth: profile.keyPath ? { kind: 'key', keyPath: profile.keyPath } : { kind: 'agent' },
          via: [],
        },
        aws: { ...(profile.awsProfile ? { profile: profile.awsProfile } : {}), ...(profile.region ? { region: profile.region } : {}) },
        targets: (profile.tunnels ?? []).map((tunnel) => {
          let id = slugify(tunnel.name ?? 'target', 'target');
          for (let n = 2; targetIds.has(id); n++) id = `${slugify(tunnel.name ?? 'target', 'target')}-${n}`;
          targetIds.add(id);
          const engine = tunnel.engine ?? (tunnel.remotePort === 5432 ? 'postgres' : 'mysql');
          return {
            id,
            name: tunnel.name ?? id,
            engine,
            remote: { kind: 'host', host: tunnel.remoteHost, port: tunnel.remotePort },
            localPort: tunnel.localPort,
            ...(tunnel.database ? { database: tunnel.database } : {}),
            ...(tunnel.username ? { username: tunnel.username } : {}),
            secret: { kind: 'none' },
          };
        }),
      };
    }),
  };
}

const STEPS: Record<number, (file: never) => unknown> = { 1: v1ToV2 };

export type MigrationResult =
  | { kind: 'current'; data: unknown }
  | { kind: 'migrated'; data: unknown; from: number }
  | { kind: 'too-new'; version: number }
  | { kind: 'no-version' };

/** Bring a parsed profiles file up to the current schema version. */
export function migrateProfilesFile(data: unknown): MigrationResult {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { kind: 'no-version' };
  if (version > PROFILES_SCHEMA_VERSION) return { kind: 'too-new', version };
  if (version === PROFILES_SCHEMA_VERSION) return { kind: 'current', data };
  let current: unknown = data;
  for (let step = version; step < PROFILES_SCHEMA_VERSION; step++) {
    const migrate = STEPS[step];
    if (!migrate) return { kind: 'no-version' };
    current = migrate(current as never);
  }
  return { kind: 'migrated', data: current, from: version };
}
