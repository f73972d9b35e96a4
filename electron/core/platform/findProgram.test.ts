import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findProgram } from './findProgram';

describe('finding a program on PATH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-path-'));
  const empty = mkdtempSync(join(tmpdir(), 'jumpgate-path-empty-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('takes the first executable file on PATH, and neither a file that is not executable nor a directory', () => {
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    writeFileSync(join(empty, 'tool'), 'not executable');
    expect(findProgram('tool', { PATH: `${empty}:${dir}` }, 'linux')).toBe(join(dir, 'tool'));
    expect(findProgram('nowhere', { PATH: `${empty}:${dir}` }, 'linux')).toBeUndefined();
    expect(findProgram(join(dir, 'tool'), {}, 'linux')).toBe(join(dir, 'tool'));
  });

  it("reads a Windows environment as Windows writes it: Path spelled so in a copy of it, ';' between entries, PATHEXT's extensions", () => {
    writeFileSync(join(dir, 'migrate.CMD'), '@echo off\r\n');
    writeFileSync(join(dir, 'clip.exe'), '');
    const env = { Path: `${empty};${dir}`, PATHEXT: '.EXE;.CMD' };
    expect(findProgram('migrate', env, 'win32')).toBe(join(dir, 'migrate.CMD'));
    // A name with its extension is found as it is.
    expect(findProgram('clip.exe', env, 'win32')).toBe(join(dir, 'clip.exe'));
  });
});
