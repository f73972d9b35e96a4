import { uniqueSlug } from '../../../shared/model/ids';
import { PROFILES_SCHEMA_VERSION } from '../../../shared/model/profile';

/**
 * Forward migrations of the profiles file, one step per version. Each takes the
 * previous version's JSON and returns the next's; the result is validated with
 * the current schema afterwards, never trusted.
 */

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

function claim(taken: Set<string>, id: string): string {
  taken.add(id);
  return id;
}

/**
 * Version 1 was the prototype's flat shape (one key path, tunnels with host and
 * port). Version 2 adds ids, the auth union (key or agent), ProxyJump, RDS
 * targets, secret sources and per-profile options.
 */
function v1ToV2(file: { profiles?: V1Profile[] }): unknown {
  const usedIds = new Set<string>();
  return {
    schemaVersion: 2,
    profiles: (file.profiles ?? []).map((profile) => {
      const targetIds = new Set<string>();
      return {
        id: claim(usedIds, uniqueSlug(profile.name ?? 'profile', usedIds)),
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
          const id = claim(targetIds, uniqueSlug(tunnel.name ?? 'target', targetIds, 'target'));
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
