import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from './settingsStore';

describe('the settings file', () => {
  let dir: string;
  let path: string;
  const now = () => new Date('2026-12-03T10:00:00.000Z');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-settings-'));
    path = join(dir, 'settings.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the defaults, keeps a change, and reads it back in a new store', async () => {
    const store = new SettingsStore(path);
    expect(await store.load(now)).toBeUndefined();
    expect(store.get()).toEqual({ theme: 'system' });
    expect(await store.update({ theme: 'dark' })).toEqual({ theme: 'dark' });
    const again = new SettingsStore(path);
    await again.load(now);
    expect(again.get()).toEqual({ theme: 'dark' });
  });

  it('keeps a damaged file aside, byte for byte, and starts from the defaults', async () => {
    writeFileSync(path, '{"theme": "purple"}');
    const store = new SettingsStore(path);
    const problem = await store.load(now);
    expect(problem?.why).toMatch(/^theme: /);
    expect(problem?.keptAt).toBe(`${path}.corrupt-2026-12-03T10-00-00-000Z`);
    expect(readFileSync(problem?.keptAt ?? '', 'utf8')).toBe('{"theme": "purple"}');
    expect(store.get()).toEqual({ theme: 'system' });
  });

  it('never reads a huge file into memory', async () => {
    writeFileSync(path, `{"theme":"dark","pad":"${'x'.repeat(1024 * 1024)}"}`);
    const problem = await new SettingsStore(path).load(now);
    expect(problem?.why).toBe('it is larger than 65536 bytes');
  });

  it.skipIf(process.platform === 'win32')('does not hang on a FIFO in its place', async () => {
    execFileSync('mkfifo', [path]);
    const problem = await new SettingsStore(path).load(now);
    expect(problem?.why).toBe('it is not a regular file (a named pipe)');
    expect(readdirSync(dir).some((name) => name.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});
