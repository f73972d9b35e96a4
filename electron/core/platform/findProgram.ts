import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Where the shell would find `program` on PATH (with PATHEXT's extensions on Windows), or
 * undefined: the clipboard programs the CLI uses, and the command `jumpgate exec` runs on a
 * pseudo-terminal (started in a forked process where "not found" is only an exit code and a line
 * in the child's output; looking first gives the same coded error as a command run on pipes).
 * A copy of Windows' environment keeps the variable's own spelling (`Path`), and its list
 * separator is `;` whatever machine this runs on.
 */
export function findProgram(program: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const windows = platform === 'win32';
  const extensions = windows ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const candidates =
    program.includes('/') || (windows && program.includes('\\')) || isAbsolute(program)
      ? [resolve(program)]
      : (env.PATH ?? env.Path ?? '').split(windows ? ';' : delimiter).filter(Boolean).map((dir) => join(dir, program));
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
