import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Where the shell would find `program` on PATH (with PATHEXT's extensions on Windows), or
 * undefined. A pseudo-terminal starts the child in a forked process where "not found" is only an
 * exit code and a line in the child's output; looking first gives the same coded error as a
 * command run on pipes.
 */
export function findProgram(program: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const extensions = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const candidates = program.includes('/') || (platform === 'win32' && program.includes('\\')) || isAbsolute(program)
    ? [resolve(program)]
    : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const base of candidates) {
    for (const extension of extensions) {
      const path = base + extension;
      if (runnable(path, platform)) return path;
    }
  }
  return undefined;
}

function runnable(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
