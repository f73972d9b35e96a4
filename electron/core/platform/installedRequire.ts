import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A `require` that resolves packages as the installed app finds them, for code that needs a
 * package's file path (a worker's module, a helper executable) rather than the package itself.
 * The builds have a require that resolves from their own folder (main's CommonJS bundle its own,
 * the CLI's ES modules the one scripts/cliBuildOptions.mjs puts in each chunk); from source, it
 * resolves from the working directory, the checkout.
 */
export function installedRequire(): NodeJS.Require {
  return typeof require === 'function' ? require : createRequire(join(process.cwd(), 'noop.js'));
}
