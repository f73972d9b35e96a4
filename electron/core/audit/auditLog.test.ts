import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from './auditLog';

describe('AuditLog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-audit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per event, readable by the user only, and lists the newest first', async () => {
    let clock = 1_000;
    const log = new AuditLog({ path: join(dir, 'a.log'), now: () => clock++ });
    const seen: string[] = [];
    log.onEntry((entry) => seen.push(entry.kind));
    await log.record('tunnel-opened', 'Prod / Orders on 127.0.0.1:13306', { profileId: 'prod', targetId: 'orders' });
    await log.record('password-copied', 'Password for Prod / Orders', { profileId: 'prod', targetId: 'orders' });
    expect((await stat(join(dir, 'a.log'))).mode & 0o777).toBe(0o600);
    const entries = await log.list();
    expect(entries.map((entry) => [entry.kind, entry.at])).toEqual([
      ['password-copied', 1_001],
      ['tunnel-opened', 1_000],
    ]);
    expect(entries[1]).toMatchObject({ profileId: 'prod', targetId: 'orders', detail: 'Prod / Orders on 127.0.0.1:13306' });
    expect(entries[0]?.user).toBeTruthy();
    expect(seen).toEqual(['tunnel-opened', 'password-copied']);
    expect((await readFile(join(dir, 'a.log'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('skips a torn line, honours the limit, and says nothing for a missing file', async () => {
    const path = join(dir, 'b.log');
    expect(await new AuditLog({ path }).list()).toEqual([]);
    await writeFile(path, '');
    const log = new AuditLog({ path });
    for (let i = 0; i < 5; i++) await log.record('tunnel-closed', `close ${i}`);
    await appendFile(path, '{"at": 12, "kind": "tunn');
    expect((await log.list(3)).map((entry) => entry.detail)).toEqual(['close 4', 'close 3', 'close 2']);
  });

  it('moves a full file aside instead of growing without bound', async () => {
    const path = join(dir, 'c.log');
    const log = new AuditLog({ path, maxBytes: 200 });
    for (let i = 0; i < 6; i++) await log.record('ip-allowed', `81.2.3.${i}/32 on sg-0123456789abcdef0`);
    expect((await stat(path)).size).toBeLessThan(400);
    expect((await readFile(`${path}.1`, 'utf8')).length).toBeGreaterThan(0);
    expect((await log.list()).at(0)?.detail).toBe('81.2.3.5/32 on sg-0123456789abcdef0');
  });

  it('a write that cannot happen does not throw into the action it records', async () => {
    const log = new AuditLog({ path: join(dir, 'no-such-dir', 'd.log') });
    await expect(log.record('shell-opened', 'x')).resolves.toBeUndefined();
  });
});
