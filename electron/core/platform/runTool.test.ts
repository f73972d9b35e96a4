import { describe, expect, it } from 'vitest';
import { runTool } from './runTool';

// Real programs: the runner is the one piece of the Windows and macOS lookups that runs the same everywhere.
describe('runTool', () => {
  it('gives stdout and the exit status, non-zero included, and passes arguments without a shell', async () => {
    expect(await runTool('/bin/sh', ['-c', 'printf "%s|" "$1" "$2"; exit 3', 'sh', '$(touch nope)', 'a b'])).toEqual({
      stdout: '$(touch nope)|a b|',
      exitCode: 3,
    });
  });

  it('decodes bytes as latin1 when asked, so no OEM code page byte is lost or refused', async () => {
    const output = await runTool('/usr/bin/printf', ['ABH\\231REN'], { encoding: 'latin1' });
    expect(output.stdout).toBe('ABH\x99REN');
  });

  it('fails a program that hangs, prints too much or does not exist', async () => {
    await expect(runTool('/bin/sleep', ['5'], { timeoutMs: 200 })).rejects.toThrow(/timed out/);
    await expect(runTool('/bin/sh', ['-c', 'head -c 100000 /dev/zero'], { maxBytes: 1000 })).rejects.toThrow(/failed/);
    await expect(runTool('/nonexistent/netstat.exe', [])).rejects.toThrow(/ENOENT/);
  });
});
