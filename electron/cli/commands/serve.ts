import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher } from '../../core/dispatcher';
import { startHeapRelease } from '../../core/platform/heapRelease';
import { startWebHost } from '../../host/webHost';
import { CliFailure, type CliSession } from '../session';

/** The built renderer: beside the built CLI (dist/cli -> dist/renderer), or the repo's dist/ when run from source. */
function rendererDir(): string {
  // This module's folder is dist/cli in the built CLI (its entry and every chunk sit there,
  // scripts/cliBuildOptions.mjs), wherever it is installed and whatever the working directory;
  // from source it is electron/cli/commands, and the checkout's dist/ is the working directory's.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), resolve('dist', 'renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: 'The web UI is not built.', hint: 'Run npm run build first.' });
  }
  return found;
}

/** `jumpgate serve`: the app in a browser, on 127.0.0.1 only, until Ctrl-C. */
export async function serve(session: CliSession, options: { port?: string }): Promise<number> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: `Not a port: ${options.port}.`, hint: 'Use a number from 1024 to 65535, or leave it out.' }, 2);
  }
  // Like the desktop app, a running serve fetches the team sources followed at start and every quarter hour (issue #16).
  session.jumpgate.watchTeamSources();
  // Tunnels held for hours: what V8 grew for a large transfer goes back once they are quiet.
  const stopHeapRelease = startHeapRelease();
  const host = await startWebHost({ jumpgate: session.jumpgate, dispatch: createDispatcher(session.jumpgate.handlers), staticDir: rendererDir(), port });
  process.stdout.write(`Jumpgate is serving on 127.0.0.1 only. Open this URL (it holds this run's access token: do not share it; it leaves the address bar once the page has read it):\n${host.url}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  stopHeapRelease();
  await host.close();
  return 0;
}
