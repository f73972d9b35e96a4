import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { BaseAgent, Client, createAgent, generateKeyPair, OpenSSHAgent, parseKey } from './ssh2Parts';

/** Node's own modules that the index of ssh2 loads for its HTTP agents, and none of Jumpgate's tunnel needs. */
const WEB_MODULES = ['NativeModule http', 'NativeModule https', 'NativeModule tls', 'NativeModule _http_agent'];

/** What a fresh Node process has loaded after importing `module` (TypeScript through tsx). */
function modulesLoadedBy(module: string): string[] {
  const script = `await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(process.moduleLoadList));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`importing ${module} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

describe("ssh2's values, from the files that define them (electron/core/ssh/ssh2Parts.ts)", () => {
  it("are the very objects ssh2's index exports: a release that moves or renames a file fails here", () => {
    expect(Client).toBe(ssh2.Client);
    expect(BaseAgent).toBe(ssh2.BaseAgent);
    expect(OpenSSHAgent).toBe(ssh2.OpenSSHAgent);
    expect(createAgent).toBe(ssh2.createAgent);
    expect(parseKey).toBe(ssh2.utils.parseKey);
    expect(generateKeyPair).toBe(ssh2.utils.generateKeyPair);
  });

  it("leave out what the index loads beside them: Node's http, https and tls (its HTTP agents)", () => {
    // The index does load them: without that, the next assertion would prove nothing.
    expect(modulesLoadedBy('ssh2')).toEqual(expect.arrayContaining(WEB_MODULES));
    const loaded = modulesLoadedBy(resolve('electron/core/ssh/ssh2Parts.ts'));
    expect(loaded).toContain('NativeModule net');
    expect(loaded.filter((name) => WEB_MODULES.includes(name))).toEqual([]);
  });
});
