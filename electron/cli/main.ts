import { Command, CommanderError } from 'commander';
import { toErrorInfo } from '../../shared/model/errors';
import { connect } from './commands/connect';
import { ls } from './commands/ls';
import { serve } from './commands/serve';
import { CliFailure, openSession, VERSION, type CliSession } from './session';

/**
 * `jumpgate`: the same core and the same profiles as the desktop app, for
 * terminals, scripts and CI jobs. Errors print as `error CODE: message` and the
 * hint; exit codes: 0 ok, 1 a failure, 2 a usage error (unknown profile, ...).
 */
async function withSession(run: (session: CliSession) => Promise<number | void>): Promise<void> {
  const session = await openSession();
  try {
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
  .exitOverride();

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
  .addHelpText(
    'after',
    '\nExamples:\n  jumpgate connect prod\n  jumpgate connect prod mysql\n  JG_PASS=... jumpgate connect prod --passphrase-env JG_PASS --trust-host-key SHA256:abc...',
  )
  .action((profile: string, targets: string[], options: { passphraseEnv?: string; trustHostKey?: string }) =>
    withSession((session) => connect(session, profile, targets, options)),
  );

program
  .command('serve')
  .description('Serve the Jumpgate UI to your browser on 127.0.0.1 (token-protected)')
  .option('--port <port>', 'listen on this port (default: a free one)')
  .addHelpText('after', '\nExamples:\n  jumpgate serve\n  jumpgate serve --port 8421')
  .action((options: { port?: string }) => withSession((session) => serve(session, options)));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.exitCode = report(error);
});
