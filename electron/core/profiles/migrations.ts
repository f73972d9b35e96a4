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
/** A version 1 file whose shape the step cannot read; the message names where, for the PROFILES_CORRUPT report. */
class MigrationShapeError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The types v1ToV2 relies on (it reads names, lists and ids before the schema
 * runs): anything else is a damaged file, said in words, never a TypeError.
 */
function checkV1Shape(file: unknown): asserts file is { profiles?: V1Profile[] } {
  if (!isRecord(file)) throw new MigrationShapeError('the file is not an object');
  if (file.profiles === undefined) return;
  if (!Array.isArray(file.profiles)) throw new MigrationShapeError('profiles is not a list');
  file.profiles.forEach((profile: unknown, index) => {
    if (!isRecord(profile)) throw new MigrationShapeError(`profiles.${index} is not an object`);
    if (profile.name !== undefined && typeof profile.name !== 'string') throw new MigrationShapeError(`profiles.${index}.name is not text`);
    if (profile.tunnels === undefined) return;
    if (!Array.isArray(profile.tunnels)) throw new MigrationShapeError(`profiles.${index}.tunnels is not a list`);
    profile.tunnels.forEach((tunnel: unknown, t) => {
      if (!isRecord(tunnel)) throw new MigrationShapeError(`profiles.${index}.tunnels.${t} is not an object`);
      if (tunnel.name !== undefined && typeof tunnel.name !== 'string') throw new MigrationShapeError(`profiles.${index}.tunnels.${t}.name is not text`);
    });
  });
}

function v1ToV2(file: unknown): unknown {
  checkV1Shape(file);
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
  | { kind: 'no-version' }
  /** A step threw: the file is damaged (issue #17), never an INTERNAL error at start-up. */
  | { kind: 'failed'; from: number; reason: string };

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
    try {
      current = migrate(current as never);
    } catch (error) {
      // Only our own shape messages are shown; any other throw is named generically (it may quote file content).
      const reason = error instanceof MigrationShapeError ? error.message : 'its contents have unexpected types';
      return { kind: 'failed', from: version, reason };
    }
  }
  return { kind: 'migrated', data: current, from: version };
}
