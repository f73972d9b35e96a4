import { Command, CommanderError } from 'commander';
import { toErrorInfo } from '../../shared/model/errors';
import { DbEngineSchema, DEFAULT_AWS_REGION } from '../../shared/model/profile';
import { allowIp, type AllowIpOptions } from './commands/allowIp';
import { connect, parsePortOverrides } from './commands/connect';
import { discover, type DiscoverOptions } from './commands/discover';
import { doctor } from './commands/doctor';
import { exec } from './commands/exec';
import { forgetHostKeys, showHostKeys, trustHostKey, type HopOption, type TrustOptions } from './commands/hostKey';
import { ls } from './commands/ls';
import { password } from './commands/password';
import { profileAdd, profileRemove, profileRename, profileShow, type ProfileAddOptions } from './commands/profile';
import { importSshConfigHosts, profileExport, sshConfigPathOf, teamImport, type SshConfigImportOptions, type TeamImportOptions } from './commands/profileFiles';
import { targetAdd, targetRemove, type TargetAddOptions } from './commands/profileTarget';
import { teamDiscover, teamFollow, teamPublish, teamRefresh, teamStatus, type FollowOptions, type PublishOptions, type SourceOptions } from './commands/team';
import { CliFailure, openSession, VERSION, type CliSession, type SessionOptions } from './session';

/**
 * `jumpgate`: the same core and the same profiles as the desktop app, for
 * terminals, scripts and CI jobs. Errors print as `error CODE: message` and the
 * hint; exit codes: 0 ok, 1 a failure, 2 a usage error (unknown profile, ...).
 */
// Below Node 22 the AWS SDK warns on every run that its support ends; in a CLI
// whose stderr carries our own errors (and whose stdout scripts parse) that is
// noise. The CLI needs Node >= 22.12 (package.json `engines`, the README), where
// the SDK is silent, so this only matters when run on an unsupported Node.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `jumpgate ls | head -1`, `jumpgate profile --help | head`: a reader that has gone is not an
// error of ours (commander's help and our own lines would crash on EPIPE); what is left unread is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

async function withSession(run: (session: CliSession) => Promise<number | void>, options: SessionOptions = {}): Promise<void> {
  const session = await openSession(options);
  try {
    // A damaged profiles.json was moved aside at load: every command says so, once, before its own output.
    const listed = await session.invoke('profiles:list', {});
    const problem = listed.ok ? listed.value.problem : undefined;
    if (problem) process.stderr.write(`warning ${problem.code}: ${problem.message}\n${problem.hint ? `  hint: ${problem.hint}\n` : ''}`);
    process.exitCode = (await run(session)) ?? 0;
  } finally {
    await session.close();
  }
}

function report(error: unknown): number {
  const info = error instanceof CliFailure ? error.info : toErrorInfo(error);
  process.stderr.write(`error ${info.code}: ${info.message}\n`);
  if (info.hint) process.stderr.write(`  hint: ${info.hint}\n`);
  return error instanceof CliFailure ? error.exitCode : 1;
}

const program = new Command('jumpgate')
  .description('Temporary, safe access to production databases behind an SSH jump box.')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride()
  // A command's options belong to it, not to the command above it (inherited by every subcommand):
  // `profile import ssh-config --json` is ssh-config's --json, not the team import's.
  .enablePositionalOptions()
  .addHelpText(
    'after',
    [
      '',
      'Environment:',
      '  JUMPGATE_DATA_DIR       where profiles.json, known_hosts and the audit log live (default: the app\'s data folder)',
      '  JUMPGATE_CHECKIP_URL    where "my public IP" is asked (default https://checkip.amazonaws.com)',
      '  AWS_PROFILE, AWS_REGION the AWS CLI\'s own: which credentials and region, where a profile names none',
      '  AWS_ENDPOINT_URL        the AWS SDK\'s: send AWS calls to another endpoint (a proxy, LocalStack, moto)',
      '  NODE_DISABLE_COMPILE_CACHE=1  Node\'s: start without the compiled code kept in your cache folder (~/.cache/Jumpgate)',
    ].join('\n'),
  );

program
  .command('ls')
  .description('List profiles and their targets with local ports')
  .option('--json', 'machine-readable output (stable)')
  .addHelpText('after', '\nExamples:\n  jumpgate ls\n  jumpgate ls --json | jq ".[].targets[].localPort"')
  .action((options: { json?: boolean }) => withSession((session) => ls(session, options)));

program
  .command('connect')
  .description('Open tunnels in the foreground; Ctrl-C closes them')
  .argument('<profile>', 'profile id or name')
  .argument('[targets...]', 'target ids (default: all of the profile)')
  .option('--passphrase-env <var>', 'read the SSH key passphrase from this environment variable')
  .option('--trust-host-key <fingerprint>', 'trust this SHA256 host key fingerprint on first connect')
  .option('--port <target=port>', 'listen on another local port for this run (repeatable; the saved port is unchanged)', (value: string, all: string[]) => [...all, value], [] as string[])
  .addHelpText(
    'after',
    '\nExamples:\n  jumpgate connect prod\n  jumpgate connect prod mysql\n  jumpgate connect prod --port orders=23306\n  JG_PASS=... jumpgate connect prod --passphrase-env JG_PASS --trust-host-key SHA256:abc...',
  )
  .action((profile: string, targets: string[], options: { passphraseEnv?: string; trustHostKey?: string; port: string[] }) =>
    withSession((session) => connect(session, profile, targets, { ...options, ports: parsePortOverrides(options.port) })),
  );

program
  .command('exec')
  .description('Run a command with a tunnel open and DATABASE_URL (and PG*/MYSQL_*) set; exits with its status')
  .argument('<profile>', 'profile id or name')
  .argument('<command...>', 'the command, after --')
  .option('--target <target>', 'which target (needed when the profile has several)')
  .option('--with <name=target>', 'open another target too; its variables get the NAME_ prefix (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--no-masking', 'do not hide the passwords in the command output')
  .option('--no-tty', 'run the command on pipes even on a terminal (no pseudo-terminal)')
  .option('--password-env <[name=]var>', 'a typed password (targets with no secret in AWS) from this environment variable (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--passphrase-env <var>', 'read the SSH key passphrase from this environment variable')
  .option('--trust-host-key <fingerprint>', 'trust this SHA256 host key fingerprint on first connect')
  .addHelpText(
    'after',
    [
      '',
      'On a terminal the command runs on a pseudo-terminal (an interactive client shows its prompt and tables), masked;',
      'Ctrl-C reaches it once. Its exit status is passed on (128+N when signal N ended it).',
      '',
      'Examples:',
      '  jumpgate exec prod --target orders -- npx prisma migrate deploy',
      '  jumpgate exec prod --target reports -- psql -c "select 1"',
      '  jumpgate exec prod --target orders -- mariadb          # interactive, password masked',
      '  jumpgate exec prod --target reports --with copy=reports-copy -- \\',
      '    sh -c \'pg_dump -t orders "$COPY_DATABASE_URL" | psql "$DATABASE_URL"\'',
    ].join('\n'),
  )
  .action((profile: string, command: string[], options: { target?: string; masking: boolean; tty: boolean; with: string[]; passwordEnv: string[]; passphraseEnv?: string; trustHostKey?: string }) =>
    withSession((session) => exec(session, profile, command, options)),
  );

program
  .command('password')
  .description("Print or copy a target's current password (from Secrets Manager)")
  .argument('<profile>', 'profile id or name')
  .argument('<target>', 'target id or name')
  .option('--copy', 'copy to the clipboard instead of printing (default on a terminal)')
  .option('--no-copy', 'print it')
  .option('--clear-after <seconds>', 'clear the clipboard after this many seconds', '30')
  .addHelpText('after', '\nExamples:\n  jumpgate password prod orders\n  jumpgate password prod orders --no-copy | pbcopy')
  .action((profile: string, target: string, options: { copy?: boolean; clearAfter: string }) =>
    withSession((session) => password(session, profile, target, options)),
  );

program
  .command('allow-ip')
  .description("Allow my public IP on the jump box's SSH port in its security group (replacing my old rule), or remove it")
  .argument('<profile>', 'profile id or name')
  .option('--remove', 'remove my rule')
  .option('--check', 'only say whether my IP is allowed (exit 1 if not)')
  .option('--label <label>', 'names the rule: "Jumpgate: <user> <label>" (default: this machine)')
  .option('--ip <address>', 'use this public IPv4 address instead of looking it up (when the lookup fails or is blocked)')
  .addHelpText(
    'after',
    '\nExamples:\n  jumpgate allow-ip prod --check\n  jumpgate allow-ip prod --label home\n  jumpgate allow-ip prod --ip 81.2.3.4\n  jumpgate allow-ip prod --remove',
  )
  .action((profile: string, options: AllowIpOptions) =>
    withSession((session) => allowIp(session, profile, options)),
  );

program
  .command('doctor')
  .description('Check every step from your SSH key to the database login, in order; exits non-zero when one fails')
  .argument('<profile>', 'profile id or name')
  .argument('[target]', 'target to check the forward and greeting for (default: the first)')
  .option('--json', 'machine-readable report')
  .option('--passphrase-env <var>', 'read the SSH key passphrase from this environment variable')
  .option('--trust-host-key <fingerprint>', 'trust this SHA256 host key fingerprint on first contact')
  .addHelpText(
    'after',
    '\nExamples:\n  jumpgate doctor prod\n  jumpgate doctor prod reports --json\n  JG_PASS=... jumpgate doctor prod --passphrase-env JG_PASS --trust-host-key SHA256:abc...',
  )
  .action((profile: string, target: string | undefined, options: { json?: boolean; passphraseEnv?: string; trustHostKey?: string }) =>
    withSession((session) => doctor(session, profile, target, options)),
  );

const hostKey = program
  .command('host-key')
  .description("The jump box's pinned host keys: show them beside what the server presents, forget them, or trust the new one (after a rebuild)");

hostKey
  .command('show')
  .description('Pinned keys of the jump host (and each ProxyJump hop), the known_hosts file, and what each server presents now')
  .argument('<profile>', 'profile id or name')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  jumpgate host-key show prod\n  jumpgate host-key show prod --json')
  .action((profile: string, options: { json?: boolean }) => withSession((session) => showHostKeys(session, profile, options)));

hostKey
  .command('forget')
  .description("Remove the pins for the jump host's host:port from Jumpgate's known_hosts (other hosts' lines untouched; audited)")
  .argument('<profile>', 'profile id or name')
  .option('--hop <host:port>', 'a ProxyJump hop of the route instead of the jump host')
  .addHelpText('after', '\nExamples:\n  jumpgate host-key forget prod')
  .action((profile: string, options: HopOption) => withSession((session) => forgetHostKeys(session, profile, options)));

hostKey
  .command('trust')
  .description('Pin the key the jump host presents now, once its fingerprint is confirmed (audited with old and new fingerprints)')
  .argument('<profile>', 'profile id or name')
  .option('--fingerprint <SHA256:...>', 'the fingerprint your administrator confirmed; pinned only if the server presents exactly it')
  .option('--replace', 'replace a different pinned key (the jump box was rebuilt: HOST_KEY_MISMATCH)')
  .option('--hop <host:port>', 'a ProxyJump hop of the route instead of the jump host')
  .addHelpText('after', '\nExamples:\n  jumpgate host-key trust prod\n  jumpgate host-key trust prod --fingerprint SHA256:abc... --replace')
  .action((profile: string, options: TrustOptions) => withSession((session) => trustHostKey(session, profile, options)));
const repeatable = (value: string, all: string[]): string[] => [...all, value];

const profile = program
  .command('profile')
  .description('Make and change profiles from the terminal: the same profiles, checks and revisions as the app')
  .addHelpText(
    'after',
    [
      '',
      'A set-up from nothing:',
      '  jumpgate profile add prod --jump ec2-user@bastion.example.com --key ~/.ssh/id_ed25519',
      '  jumpgate profile target add prod orders --engine mysql --host orders.abc.eu-west-2.rds.amazonaws.com --secret prod/orders',
      '  jumpgate discover prod --add          # or every RDS database of the region at once',
      '  jumpgate exec prod --target orders -- mysql -e "select 1"',
    ].join('\n'),
  );

profile
  .command('add')
  .description('Add a profile: a jump box, how to log in to it, and the AWS region of its databases')
  .argument('<name>', 'the profile\'s name (its id is made from it unless --id is given)')
  .requiredOption('--jump <user@host[:port]>', 'the jump box and the user to log in as; port 22 unless given; an IPv6 address in brackets: user@[2001:db8::1]:22')
  .option('--key <path>', 'log in with this private key file (OpenSSH, PEM or PuTTY .ppk)')
  .option('--agent', 'log in with the keys your SSH agent holds')
  .option('--region <region>', `the AWS region of its databases (default ${DEFAULT_AWS_REGION})`)
  .option('--aws-profile <name>', 'a named profile from ~/.aws/config (default: the AWS default credential chain)')
  .option('--security-group <sg-id>', "the jump box's security group, for jumpgate allow-ip")
  .option('--id <id>', 'the id commands take (lower-case letters, digits and dashes); made from the name otherwise')
  .addHelpText(
    'after',
    '\nExamples:\n  jumpgate profile add prod --jump ec2-user@bastion.example.com --key ~/.ssh/id_ed25519\n  jumpgate profile add staging --jump ops@[2001:db8::1]:2222 --agent --region eu-west-1 --id stg',
  )
  .action((name: string, options: ProfileAddOptions) => withSession((session) => profileAdd(session, name, options)));

profile
  .command('show')
  .description('Show a profile as saved: jump box, AWS settings and targets')
  .argument('<profile>', 'profile id or name')
  .option('--json', 'machine-readable: { revision, profile } with the profile as saved (stable)')
  .addHelpText('after', '\nExamples:\n  jumpgate profile show prod\n  jumpgate profile show prod --json | jq ".profile.targets[].localPort"')
  .action((name: string, options: { json?: boolean }) => withSession((session) => profileShow(session, name, options)));

profile
  .command('rm')
  .description('Delete a profile (its open tunnels close first)')
  .argument('<profile>', 'profile id or name')
  .addHelpText('after', '\nExamples:\n  jumpgate profile rm example-production')
  .action((name: string) => withSession((session) => profileRemove(session, name)));

profile
  .command('rename')
  .description('Give a profile another name; its id, which commands and scripts take, stays')
  .argument('<profile>', 'profile id or name')
  .argument('<new-name>', 'the new name')
  .addHelpText('after', '\nExamples:\n  jumpgate profile rename prod "Production (eu-west-2)"')
  .action((name: string, newName: string) => withSession((session) => profileRename(session, name, newName)));

const target = profile.command('target').description("Add or remove a profile's databases");

target
  .command('add')
  .description('Add a database to a profile; its local port follows the convention (13306, 15432, the next free) unless given')
  .argument('<profile>', 'profile id or name')
  .argument('<name>', "the target's name (its id is made from it unless --id is given)")
  .requiredOption('--engine <engine>', `one of ${DbEngineSchema.options.join(', ')}`)
  .option('--host <endpoint[:port]>', "where the database is, as the jump box reaches it; the engine's port unless given")
  .option('--rds <identifier>', 'or an RDS instance or cluster identifier, looked up at each connect')
  .option('--rds-endpoint <kind>', 'with --rds: instance (default), cluster-writer or cluster-reader')
  .option('--port <local-port>', 'the local port on 127.0.0.1 (default: the next free by convention)')
  .option('--database <name>', 'the database to open')
  .option('--user <name>', 'the database user (a secret\'s own username wins)')
  .option('--secret <id-or-arn>', 'the password is in this Secrets Manager secret')
  .option('--rds-secret', "the password is in the instance's RDS-managed secret")
  .option('--id <id>', "the target's id (default: made from the name)")
  .addHelpText(
    'after',
    [
      '',
      'Without --secret or --rds-secret the password is typed by you when asked.',
      '',
      'Examples:',
      '  jumpgate profile target add prod orders --engine mysql --host orders.abc.eu-west-2.rds.amazonaws.com --secret prod/orders',
      '  jumpgate profile target add prod reports --engine postgres --rds reports-pg --rds-secret --database reports',
      '  jumpgate profile target add prod ledger --engine aurora-postgresql --rds ledger --rds-endpoint cluster-reader --port 25432',
    ].join('\n'),
  )
  .action((name: string, targetName: string, options: TargetAddOptions) => withSession((session) => targetAdd(session, name, targetName, options)));

target
  .command('rm')
  .description('Remove a database from a profile (its open tunnel closes first)')
  .argument('<profile>', 'profile id or name')
  .argument('<target>', 'target id or name')
  .addHelpText('after', '\nExamples:\n  jumpgate profile target rm prod orders')
  .action((name: string, targetName: string) => withSession((session) => targetRemove(session, name, targetName)));

const profileImport = profile
  .command('import')
  .description('Import a team file (from jumpgate profile export or the app): shows what it adds and changes, then asks')
  .argument('<file>', 'the team file')
  .option('--yes', 'import without asking (what scripts give; without a terminal and without --yes nothing is imported)')
  .option('--dry-run', 'only show what it would add and change')
  .option('--json', 'the plan as JSON: { revision, add, change, unchanged, imported } (stable); needs --yes or --dry-run')
  .addHelpText('after', '\nExamples:\n  jumpgate profile import team.json\n  jumpgate profile import team.json --dry-run --json\n  jumpgate profile import team.json --yes')
  .action((file: string, options: TeamImportOptions) => withSession((session) => teamImport(session, file, options)));

profileImport
  .command('ssh-config')
  .description('Make profiles from the hosts of an OpenSSH config (HostName, User, Port, IdentityFile, ProxyJump)')
  .argument('[path]', 'the config file (default ~/.ssh/config)')
  .option('--host <alias>', 'only this Host (repeatable; default: every host)', repeatable, [] as string[])
  .option('--json', 'what was imported and skipped as JSON: { path, imported, skipped } (stable)')
  .addHelpText('after', '\nExamples:\n  jumpgate profile import ssh-config\n  jumpgate profile import ssh-config ~/.ssh/work.conf --host bastion-prod')
  .action((path: string | undefined, options: SshConfigImportOptions) =>
    withSession((session) => importSshConfigHosts(session, sshConfigPathOf(path), options), { sshConfigPath: sshConfigPathOf(path) }),
  );

profile
  .command('export')
  .description('Write a team file of some profiles (all by default): where things are, never a password, passphrase or key')
  .argument('[profiles...]', 'profile ids or names (default: all)')
  .option('--out <file>', 'write it to this file instead of printing it')
  .addHelpText('after', '\nExamples:\n  jumpgate profile export > team.json\n  jumpgate profile export prod staging --out team.json')
  .action((names: string[], options: { out?: string }) => withSession((session) => profileExport(session, names, options)));

const team = program
  .command('team')
  .description("Team profiles published in AWS: an administrator publishes, everyone follows (host keys pinned as published)")
  .addHelpText(
    'after',
    [
      '',
      'A source is a Parameter Store path (ssm:/jumpgate/<team>; a big team is split across parameters under it) or an S3 object',
      '(s3://<bucket>/<key>). What is published: jump hosts, targets (RDS identifiers, engines, local ports, password source),',
      'security group, region and the jump boxes\' pinned host keys; never a secret, a key path or anything personal.',
      '',
      'Examples:',
      '  jumpgate team publish prod staging --to ssm:/jumpgate/acme',
      '  jumpgate team discover',
      '  jumpgate team follow ssm:/jumpgate/acme --key ~/.ssh/id_ed25519',
      '  jumpgate team refresh',
      '  jumpgate team status',
    ].join('\n'),
  );

const sourceOptions = (command: Command): Command =>
  command
    .option('--region <region>', `the source's AWS region (default: AWS_REGION, else the first profile's for a publish, else ${DEFAULT_AWS_REGION})`)
    .option('--aws-profile <name>', 'the AWS profile of ~/.aws/config to use (default: the AWS CLI\'s)');

sourceOptions(
  team
    .command('publish')
    .description('Publish profiles to a team source: shows the difference with what is published, refuses to overwrite a version you did not see')
    .argument('<profiles...>', 'profile ids or names (the source then holds exactly these)')
    .requiredOption('--to <source>', 'ssm:/jumpgate/<team> or s3://<bucket>/<key>')
    .option('--yes', 'publish without asking (without a terminal and without --yes nothing is published)')
    .option('--json', 'the outcome as JSON: { source, revision, published } (stable); needs --yes'),
)
  .addHelpText('after', '\nExamples:\n  jumpgate team publish prod --to ssm:/jumpgate/acme\n  jumpgate team publish prod staging --to s3://acme-ops/jumpgate/team.json --yes')
  .action((names: string[], options: PublishOptions) => withSession((session) => teamPublish(session, names, options)));

sourceOptions(
  team
    .command('follow')
    .description("Follow a team source: shows what it adds and changes here, then applies it; your key, options and moved ports stay yours")
    .argument('[source]', 'ssm:/jumpgate/<team> or s3://<bucket>/<key> (default: the only one published under /jumpgate, see team discover)')
    .option('--key <path>', "log in to the jump boxes with this private key file (default on a first follow: the key made in Jumpgate, else ~/.ssh's id_ed25519, id_ecdsa, id_rsa, else the SSH agent)")
    .option('--yes', 'apply without asking (without a terminal and without --yes nothing is applied)')
    .option('--json', 'the outcome as JSON: { source, revision, profiles, removed, pinned } (stable); needs --yes'),
)
  .addHelpText('after', '\nExamples:\n  jumpgate team follow\n  jumpgate team follow ssm:/jumpgate/acme --key ~/.ssh/id_ed25519\n  jumpgate team follow s3://acme-ops/jumpgate/team.json --region eu-west-1 --yes')
  .action((source: string | undefined, options: FollowOptions) => withSession((session) => teamFollow(session, source, options)));

sourceOptions(
  team
    .command('discover')
    .description('List the team sources published under /jumpgate in Parameter Store (S3 sources cannot be listed: ask for the s3:// address)')
    .option('--json', 'machine-readable: { region, sources: [{ source, revision, publishedAt }] } (stable)'),
)
  .addHelpText('after', '\nExamples:\n  jumpgate team discover\n  jumpgate team discover --region eu-west-1 --json')
  .action((options: SourceOptions & { json?: boolean }) => withSession((session) => teamDiscover(session, options)));

team
  .command('refresh')
  .description('Fetch every followed source again, show what changed, apply it; a source that cannot be fetched keeps its last copy')
  .option('--yes', 'apply without asking')
  .addHelpText('after', '\nExamples:\n  jumpgate team refresh\n  jumpgate team refresh --yes')
  .action((options: FollowOptions) => withSession((session) => teamRefresh(session, options)));

team
  .command('status')
  .description('The team sources followed: versions applied and fetched, how old, and why the last refresh failed')
  .option('--json', 'machine-readable (stable)')
  .action((options: { json?: boolean }) => withSession((session) => teamStatus(session, options)));

program
  .command('discover')
  .description("List the RDS databases of a profile's AWS region; --add makes targets of those it has none for")
  .argument('<profile>', 'profile id or name')
  .option('--add', 'add each one as a target (by identifier, local port by convention, the RDS-managed secret where there is one)')
  .option('--region <region>', "look in this region instead of the profile's")
  .option('--json', 'machine-readable: { profileId, region, databases, unsupported, ... } (stable)')
  .addHelpText('after', '\nExamples:\n  jumpgate discover prod\n  jumpgate discover prod --add\n  jumpgate discover prod --json | jq ".databases[].identifier"')
  .action((name: string, options: DiscoverOptions) => withSession((session) => discover(session, name, options)));

program
  .command('serve')
  .description('Serve the Jumpgate UI to your browser on 127.0.0.1 (token-protected)')
  .option('--port <port>', 'listen on this port (default: a free one)')
  .addHelpText('after', '\nExamples:\n  jumpgate serve\n  jumpgate serve --port 8421')
  // Loaded when asked for: the web host and its WebSocket server are nothing a tunnel needs.
  .action((options: { port?: string }) => withSession(async (session) => (await import('./commands/serve')).serve(session, options)));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.exitCode = report(error);
});
