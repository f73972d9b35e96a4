import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import type { RunToolOptions, ToolOutput } from '../platform/runTool';
import { createPortHolderFinder } from './portHolder';

function fixtureBytes(name: string): Buffer {
  return readFileSync(join(import.meta.dirname, 'fixtures', name));
}

/** A stand-in for the tools: answers from recorded output by program name, decoding it as runTool would. */
function recordedTools(outputs: Record<string, { file?: string; exitCode?: number }>) {
  const calls: Array<{ command: string; args: readonly string[] }> = [];
  const run = async (command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolOutput> => {
    calls.push({ command, args });
    const program = command.split(/[\\/]/).pop() ?? command;
    const answer = outputs[program];
    if (!answer) throw new Error(`${command} failed: ENOENT`);
    return { stdout: answer.file ? fixtureBytes(answer.file).toString(options.encoding ?? 'utf8') : '', exitCode: answer.exitCode ?? 0 };
  };
  return { run, calls };
}

function listenOn(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('port holder on Windows (recorded netstat and tasklist output)', () => {
  it('asks netstat -ano and then tasklist for that PID, by absolute path under SystemRoot', async () => {
    const tools = recordedTools({ 'netstat.exe': { file: 'netstat-ano.en-US.txt' }, 'tasklist.exe': { file: 'tasklist-pid-7312.en-US.csv' } });
    const find = createPortHolderFinder({ platform: 'win32', run: tools.run, env: { SystemRoot: 'D:\\WINDOWS' } });
    expect(await find(13306)).toEqual({ pid: 7312, name: 'mysqld.exe' });
    expect(tools.calls).toEqual([
      { command: 'D:\\WINDOWS\\System32\\netstat.exe', args: ['-ano'] },
      { command: 'D:\\WINDOWS\\System32\\tasklist.exe', args: ['/FI', 'PID eq 7312', '/FO', 'CSV', '/NH'] },
    ]);
  });

  it('on a German Windows: the PID from the localized table, the name with ? for what the code page garbles', async () => {
    const tools = recordedTools({ 'netstat.exe': { file: 'netstat-ano.de-DE.cp850.txt' }, 'tasklist.exe': { file: 'tasklist-pid-2244.de-DE.cp850.csv' } });
    const find = createPortHolderFinder({ platform: 'win32', run: tools.run, env: {} });
    expect(await find(13306)).toEqual({ pid: 2244, name: 'L?fter-Dienst.exe' });
    expect(tools.calls[0]?.command).toBe('C:\\Windows\\System32\\netstat.exe');
  });

  it('a free port runs no tasklist; a PID tasklist no longer knows is named unknown', async () => {
    const free = recordedTools({ 'netstat.exe': { file: 'netstat-ano.en-US.txt' } });
    expect(await createPortHolderFinder({ platform: 'win32', run: free.run, env: {} })(13307)).toBeUndefined();
    expect(free.calls).toHaveLength(1);
    const gone = recordedTools({ 'netstat.exe': { file: 'netstat-ano.en-US.txt' }, 'tasklist.exe': { file: 'tasklist-no-match.en-US.txt' } });
    expect(await createPortHolderFinder({ platform: 'win32', run: gone.run, env: {} })(15432)).toEqual({ pid: 5120, name: 'unknown' });
  });

  it('a tool that fails, exits non-zero or is missing gives no holder, never an error', async () => {
    const failing = recordedTools({ 'netstat.exe': { file: 'netstat-ano.en-US.txt', exitCode: 1 } });
    expect(await createPortHolderFinder({ platform: 'win32', run: failing.run, env: {} })(13306)).toBeUndefined();
    const missing = recordedTools({});
    expect(await createPortHolderFinder({ platform: 'win32', run: missing.run, env: {} })(13306)).toBeUndefined();
  });
});

describe('port holder on macOS (lsof)', () => {
  it('asks lsof for TCP listeners on the port in its field format (recorded output)', async () => {
    const tools = recordedTools({ lsof: { file: 'lsof-Fpc.macos.txt' } });
    const find = createPortHolderFinder({ platform: 'darwin', run: tools.run });
    expect(await find(15432)).toEqual({ pid: 612, name: 'postgres' });
    expect(tools.calls).toEqual([{ command: '/usr/sbin/lsof', args: ['-nP', '-iTCP:15432', '-sTCP:LISTEN', '-Fpc'] }]);
  });

  it('lsof finding nothing (exit 1, no output) is no holder', async () => {
    const tools = recordedTools({ lsof: { exitCode: 1 } });
    expect(await createPortHolderFinder({ platform: 'darwin', run: tools.run })(15432)).toBeUndefined();
  });

  describe.skipIf(!peersAvailable('lsof'))('the real lsof (the same program macOS ships)', () => {
    let held: { server: Server; port: number };
    beforeAll(async () => {
      held = await listenOn('127.0.0.1');
    });
    afterAll(() => new Promise<void>((resolve) => held.server.close(() => resolve())));

    it('names this test process as the holder of a port it listens on', async () => {
      const find = createPortHolderFinder({ platform: 'darwin', lsofPath: peerPath('lsof') });
      const comm = readFileSync('/proc/self/comm', 'utf8').trim();
      expect(await find(held.port)).toEqual({ pid: process.pid, name: comm });
    });

    it('a port nobody listens on has no holder', async () => {
      const probe = await listenOn('127.0.0.1');
      await new Promise<void>((resolve) => probe.server.close(() => resolve()));
      expect(await createPortHolderFinder({ platform: 'darwin', lsofPath: peerPath('lsof') })(probe.port)).toBeUndefined();
    });
  });
});

describe('port holder on Linux (/proc)', () => {
  it('names this process for a port it listens on, IPv4 or IPv6', async () => {
    const find = createPortHolderFinder({ platform: 'linux' });
    const v4 = await listenOn('127.0.0.1');
    const v6 = await listenOn('::1').catch(() => undefined);
    try {
      expect((await find(v4.port))?.pid).toBe(process.pid);
      if (v6) expect((await find(v6.port))?.pid).toBe(process.pid);
    } finally {
      await Promise.all([v4, v6].map((held) => held && new Promise<void>((resolve) => held.server.close(() => resolve()))));
    }
  });

  it('a platform with no lookup says nothing rather than guessing', async () => {
    expect(await createPortHolderFinder({ platform: 'freebsd' })(22)).toBeUndefined();
  });
});
