import { inspect } from 'node:util';
import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { JumpgateError } from '../../../shared/model/errors';
import type { SecretSource } from '../../../shared/model/profile';
import type { AwsClients } from './awsClients';
import { classifyAwsError, errorName } from './awsErrors';
import { loadSecretsManager } from './awsSdkModules';

/**
 * Database credentials as read from Secrets Manager. Held in memory only, for as
 * long as the caller needs them: never written to disk, logged or put into an
 * error. `JSON.stringify` and `util.inspect` of the returned object redact the
 * password, so an accidental log line does not leak it.
 */
export interface DbCredentials {
  username: string;
  password: string;
  /** What the secret says about where the database is (informational: Jumpgate tunnels to the target). */
  host?: string;
  port?: number;
  dbname?: string;
  engine?: string;
}

export interface FetchDbCredentialsOptions {
  /**
   * For an 'rds-managed' source: the instance's or cluster's
   * `MasterUserSecret.SecretArn`, which discovery finds.
   */
  rdsManagedSecretArn?: string;
  /** The target's username, used when the secret holds only a password (or JSON without "username"). */
  fallbackUsername?: string;
}

const GET_SECRET_VALUE = 'secretsmanager:GetSecretValue';

/**
 * Resolve a target's secret and read the current credentials (version stage
 * AWSCURRENT, so a rotation that has finished is always seen).
 *
 * Accepts the JSON that RDS and the Secrets Manager rotation templates write
 * (`username`, `password`, `host`, `port`, `dbname`, `engine`) or a plain string
 * that is the password itself. SecretBinary is decoded as UTF-8 and parsed the
 * same way.
 *
 * Errors: SECRET_NOT_FOUND (no secret configured, none linked, or the id does not
 * exist), SECRET_MALFORMED (never quoting any part of the value), and the AWS_*
 * codes of `classifyAwsError` for credentials, permissions and network.
 */
export async function fetchDbCredentials(
  clients: AwsClients,
  source: SecretSource,
  options: FetchDbCredentialsOptions = {},
): Promise<DbCredentials> {
  const secretId = resolveSecretId(source, options);
  const region = regionOfArn(secretId) ?? clients.scope.region;
  const output = await getSecretValue(clients, secretId, region);
  const text = secretText(output, secretId);
  return parseSecretText(text, secretId, options.fallbackUsername);
}

function resolveSecretId(source: SecretSource, options: FetchDbCredentialsOptions): string {
  switch (source.kind) {
    case 'secrets-manager':
      return source.secretId;
    case 'rds-managed':
      if (options.rdsManagedSecretArn) return options.rdsManagedSecretArn;
      throw new JumpgateError('SECRET_NOT_FOUND', 'This database has no RDS-managed master password secret.', {
        hint:
          'Turn on "Manage master credentials in AWS Secrets Manager" for the database in RDS ' +
          '(aws rds modify-db-instance --manage-master-user-password), or set a Secrets Manager secret id on this target.',
      });
    case 'none':
      throw new JumpgateError('SECRET_NOT_FOUND', 'No secret is configured for this target.', {
        hint: "Choose the RDS-managed secret or enter a Secrets Manager secret id in the target's settings.",
      });
  }
}

/** A secret ARN names its own region; a client in the profile's region could not read it otherwise. */
function regionOfArn(secretId: string): string | undefined {
  const match = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:/.exec(secretId);
  return match?.[1];
}

async function getSecretValue(clients: AwsClients, secretId: string, region: string): Promise<GetSecretValueCommandOutput> {
  const context = { action: GET_SECRET_VALUE, scope: { ...clients.scope, region } };
  try {
    const { GetSecretValueCommand } = await loadSecretsManager();
    return await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  } catch (error) {
    const name = errorName(error);
    const message = (error as { message?: string } | undefined)?.message ?? '';
    if (name === 'ResourceNotFoundException' && /secret value/i.test(message)) {
      // The secret exists but no version carries AWSCURRENT (created without a value).
      throw new JumpgateError('SECRET_NOT_FOUND', `Secret "${secretId}" has no current value (AWSCURRENT) in ${region}.`, {
        hint: 'Give the secret a value in Secrets Manager, or finish its rotation so a version is AWSCURRENT.',
        details: { secretId, region },
      });
    }
    if (name === 'ResourceNotFoundException') {
      throw new JumpgateError('SECRET_NOT_FOUND', `Secret "${secretId}" was not found in ${region}.`, {
        hint: 'Check the secret id or ARN and the region of this profile; the secret may have been deleted or renamed.',
        details: { secretId, region },
      });
    }
    if (name === 'InvalidRequestException' && /marked (for )?delet|scheduled for deletion/i.test(message)) {
      throw new JumpgateError('SECRET_NOT_FOUND', `Secret "${secretId}" is scheduled for deletion.`, {
        hint: `If it is still needed, restore it: aws secretsmanager restore-secret --secret-id ${secretId} --region ${region}`,
        details: { secretId, region },
      });
    }
    // Credentials, permissions (including KMS decrypt), network: the shared mapping.
    throw classifyAwsError(error, context);
  }
}

function secretText(output: GetSecretValueCommandOutput, secretId: string): string {
  if (typeof output.SecretString === 'string') return output.SecretString;
  if (output.SecretBinary) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(output.SecretBinary);
    } catch {
      throw malformed(secretId, 'its binary value is not UTF-8 text');
    }
  }
  throw malformed(secretId, 'it has no value');
}

/**
 * Never pass the parse error along (not even as `cause`): V8's JSON.parse
 * messages quote the text around the failure, which is the secret.
 */
function malformed(secretId: string, why: string, hint?: string): JumpgateError {
  return new JumpgateError('SECRET_MALFORMED', `Secret "${secretId}" cannot be used: ${why}.`, {
    hint:
      hint ??
      'Store the secret as JSON such as {"username": "...", "password": "..."} (the RDS format), or as the plain password.',
    details: { secretId },
  });
}

/**
 * Looks like JSON: an object or array, or the start of an object's first key
 * (`{"`), which is how a truncated or hand-edited JSON secret begins. A plain
 * password may start with "{", but one that also ends with "}" or opens with
 * `{"` is treated as JSON, and the hint says how to store such a password.
 */
function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  return (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']')) ||
    /^\{\s*"/.test(trimmed)
  );
}

/** Exported for tests and for secrets that arrive another way (e.g. pasted); same rules as fetchDbCredentials. */
export function parseSecretText(text: string, secretId: string, fallbackUsername?: string): DbCredentials {
  if (!looksLikeJson(text)) {
    if (text.length === 0) throw malformed(secretId, 'its value is empty');
    return credentials({ username: requireUsername(undefined, fallbackUsername, secretId), password: text });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(
      secretId,
      'its value looks like JSON but does not parse',
      'Fix the JSON in Secrets Manager; if the password itself starts with "{" and ends with "}", store it as {"password": "..."}.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed(secretId, 'its JSON is not an object');
  }
  const fields = parsed as Record<string, unknown>;
  const password = fields.password;
  if (typeof password !== 'string' || password.length === 0) {
    throw malformed(secretId, 'its JSON has no "password" string');
  }
  const result: DbCredentials = {
    username: requireUsername(nonEmptyString(fields.username), fallbackUsername, secretId),
    password,
  };
  // Optional facts: a wrong type is dropped rather than blocking access to the password.
  const host = nonEmptyString(fields.host);
  if (host !== undefined) result.host = host;
  const port = portNumber(fields.port);
  if (port !== undefined) result.port = port;
  const dbname = nonEmptyString(fields.dbname);
  if (dbname !== undefined) result.dbname = dbname;
  const engine = nonEmptyString(fields.engine);
  if (engine !== undefined) result.engine = engine;
  return credentials(result);
}

function requireUsername(fromSecret: string | undefined, fallback: string | undefined, secretId: string): string {
  const username = fromSecret ?? (fallback && fallback.length > 0 ? fallback : undefined);
  if (username !== undefined) return username;
  throw malformed(
    secretId,
    'it holds no username and the target has none',
    'Set the username on this target, or add a "username" key to the secret.',
  );
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** RDS writes the port as a number; hand-made secrets often have "5432". */
function portNumber(value: unknown): number | undefined {
  const port = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Attach non-enumerable redacting views: a spread copy stays a plain, complete
 * object, while `JSON.stringify(creds)` and `console.log(creds)` show no password.
 */
function credentials(value: DbCredentials): DbCredentials {
  const redacted = (): Record<string, unknown> => ({ ...value, password: '[redacted]' });
  Object.defineProperty(value, 'toJSON', { value: redacted, enumerable: false });
  Object.defineProperty(value, inspect.custom, { value: () => redacted(), enumerable: false });
  return value;
}
