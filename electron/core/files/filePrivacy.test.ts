import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/auditLog';
import { generateKey } from '../keys/keyGenerator';
import type { ToolOutput } from '../platform/runTool';
import { KnownHostsStore } from '../ssh/knownHosts';
import { writeFileAtomic } from './atomicFile';
import { createFilePrivacy, icaclsArgs, parseWhoamiSid, type FilePrivacy } from './filePrivacy';

/** whoami /user /fo csv /nh as Windows prints it for a local, a domain and an Entra ID (Azure AD) account. */
const WHOAMI = {
  local: '"desktop-7f3k2ql\\jane","S-1-5-21-3623811015-3361044348-30300820-1013"\r\n',
  domain: '"corp\\j.smith","S-1-5-21-1004336348-1177238915-682003330-512034"\r\n',
  entra: '"azuread\\janedoe","S-1-12-1-2933153436-1250388436-2453153202-3358563429"\r\n',
};

/** A stand-in for whoami.exe and icacls.exe that records every command line. */
function windowsTools(answers: { whoami?: ToolOutput | Error; icacls?: ToolOutput | Error }) {
  const calls: string[][] = [];
  const run = async (command: string, args: readonly string[]): Promise<ToolOutput> => {
    calls.push([command, ...args]);
    const answer = command.endsWith('whoami.exe') ? answers.whoami : command.endsWith('icacls.exe') ? answers.icacls : undefined;
    if (!answer || answer instanceof Error) throw answer ?? new Error(`${command} failed: ENOENT`);
    return answer;
  };
  return { run, calls };
}

describe('file privacy on Windows (icacls, by the command line it runs)', () => {
  const path = 'C:\\Users\\jane\\AppData\\Roaming\\Jumpgate\\.profiles.json.tmp-4242-1';

  it("reads the account's SID from whoami's CSV, whatever kind of account", () => {
    expect(parseWhoamiSid(WHOAMI.local)).toBe('S-1-5-21-3623811015-3361044348-30300820-1013');
    expect(parseWhoamiSid(WHOAMI.domain)).toBe('S-1-5-21-1004336348-1177238915-682003330-512034');
    expect(parseWhoamiSid(WHOAMI.entra)).toBe('S-1-12-1-2933153436-1250388436-2453153202-3358563429');
    expect(parseWhoamiSid('ERROR: Access is denied.\r\n')).toBeUndefined();
  });

  it('drops the inherited entries and grants the user alone, by SID; whoami runs once per process', async () => {
    const tools = windowsTools({ whoami: { stdout: WHOAMI.local, exitCode: 0 }, icacls: { stdout: 'processed file: ...', exitCode: 0 } });
    const privacy = createFilePrivacy({ platform: 'win32', run: tools.run, env: { SystemRoot: 'C:\\WINDOWS' } });
    await privacy.restrict(path);
    await privacy.restrict(`${path}.bak`);
    expect(tools.calls).toEqual([
      ['C:\\WINDOWS\\System32\\whoami.exe', '/user', '/fo', 'csv', '/nh'],
      ['C:\\WINDOWS\\System32\\icacls.exe', path, '/inheritance:r', '/grant:r', '*S-1-5-21-3623811015-3361044348-30300820-1013:F'],
      ['C:\\WINDOWS\\System32\\icacls.exe', `${path}.bak`, '/inheritance:r', '/grant:r', '*S-1-5-21-3623811015-3361044348-30300820-1013:F'],
    ]);
  });

  it('without whoami, grants DOMAIN\\user from the environment', async () => {
    const tools = windowsTools({ whoami: new Error('whoami.exe failed: ENOENT'), icacls: { stdout: '', exitCode: 0 } });
    const privacy = createFilePrivacy({ platform: 'win32', run: tools.run, env: { USERDOMAIN: 'CORP', USERNAME: 'j.smith' } });
    await privacy.restrict(path);
    expect(tools.calls.at(-1)).toEqual(['C:\\Windows\\System32\\icacls.exe', ...icaclsArgs(path, 'CORP\\j.smith')]);
  });

  it('a failed icacls, or no idea who the user is, is reported and never fails the write', async () => {
    const problems: string[] = [];
    const onProblem = (where: string, why: string) => problems.push(`${basename(where.replace(/\\/g, '/'))}: ${why}`);
    const denied = windowsTools({ whoami: { stdout: WHOAMI.domain, exitCode: 0 }, icacls: { stdout: 'Access is denied.', exitCode: 5 } });
    await expect(createFilePrivacy({ platform: 'win32', run: denied.run, env: {}, onProblem }).restrict(path)).resolves.toBeUndefined();
    const nobody = windowsTools({ whoami: { stdout: '', exitCode: 1 } });
    await expect(createFilePrivacy({ platform: 'win32', run: nobody.run, env: {}, onProblem }).restrict(path)).resolves.toBeUndefined();
    expect(problems).toEqual([
      '.profiles.json.tmp-4242-1: icacls exited with status 5',
      '.profiles.json.tmp-4242-1: Windows did not say who the current user is (whoami failed and USERNAME is not set)',
    ]);
    expect(nobody.calls.some((call) => call[0]?.endsWith('icacls.exe'))).toBe(false);
  });

  it('Linux and macOS run nothing: the 0600/0700 modes already say it', async () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const tools = windowsTools({});
      await createFilePrivacy({ platform, run: tools.run }).restrict('/home/jane/.config/Jumpgate/profiles.json');
      expect(tools.calls).toEqual([]);
    }
  });
});

describe('which data files are made private, and when', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-privacy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Records each file it is asked to restrict, with what that file held at that moment. */
  function recordingPrivacy(): FilePrivacy & { seen: Array<{ name: string; content: string }> } {
    const seen: Array<{ name: string; content: string }> = [];
    return {
      seen,
      restrict: async (path) => {
        seen.push({ name: basename(path), content: readFileSync(path, 'utf8') });
      },
    };
  }

  it('an atomic save: the new file and the backup copy, each before it takes its final name', async () => {
    const path = join(dir, 'profiles.json');
    await writeFile(path, 'old');
    const privacy = recordingPrivacy();
    await writeFileAtomic(path, 'new', `${path}.bak`, privacy);
    expect(privacy.seen.map((entry) => entry.content)).toEqual(['new', 'old']);
    expect(privacy.seen.map((entry) => entry.name)).toEqual([
      expect.stringMatching(/^\.profiles\.json\.tmp-/),
      expect.stringMatching(/^\.profiles\.json\.tmp-.*\.bak$/),
    ]);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('old');
  });

  it('known_hosts: the rewritten file before the rename', async () => {
    const privacy = recordingPrivacy();
    const store = new KnownHostsStore(join(dir, 'known_hosts'), privacy);
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
    await store.pin('bastion.example.com', 22, { type: 'ssh-ed25519', blob });
    expect(privacy.seen).toHaveLength(1);
    expect(privacy.seen[0]?.name).not.toBe('known_hosts');
    expect(privacy.seen[0]?.content).toContain('bastion.example.com ssh-ed25519 ');
  });

  it('the audit log: created empty and made private before its first entry, again after it rotates', async () => {
    const privacy = recordingPrivacy();
    const path = join(dir, 'audit.log');
    const log = new AuditLog({ path, maxBytes: 150, privacy });
    await log.record('tunnel-opened', 'Prod / Orders on 127.0.0.1:13306');
    await log.record('tunnel-closed', 'Prod / Orders');
    expect(privacy.seen).toEqual([{ name: 'audit.log', content: '' }]);
    await log.record('tunnel-opened', 'Prod / Orders on 127.0.0.1:13306');
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(privacy.seen).toEqual([
      { name: 'audit.log', content: '' },
      { name: 'audit.log', content: '' },
    ]);
  });

  it('a generated private key: made private while still empty; the public key is left readable', async () => {
    const privacy = recordingPrivacy();
    const key = await generateKey({ type: 'ed25519', path: join(dir, 'keys', 'id_ed25519'), comment: 'jane@laptop' }, undefined, privacy);
    expect(privacy.seen).toEqual([{ name: 'id_ed25519', content: '' }]);
    expect(readFileSync(key.privatePath, 'utf8')).toContain('PRIVATE KEY');
  });
});
