import { basename } from 'node:path';
import { configDefaults, defineConfig, type TestProjectConfiguration } from 'vitest/config';

// Tests live beside the code they cover (x.test.ts). Real peers (sshd, puttygen, gnome-keyring)
// are started per test file by e2e/rig; what is costly to start and safe to share (the built
// app, Chromium, moto, MariaDB, PostgreSQL, sshd host keys) comes from one shared rig per run
// (e2e/rig/rigBroker.ts).
const TESTS = ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'];

// Files run two at a time, each in its own process: most of them wait on real peers (sshd,
// databases, Chromium) far more than they compute, so a 2-core box does two nearly as fast as one.
// They run in groups, one group after another (vitest's sequence.groupOrder):
//
// 1. everything not named below;
// 2. the browser UI files and packaging.test.ts. Packaging rebuilds the repo's own dist/
//    (`npm run build` deletes it first), which cli.test.ts serves and e2e/electron/shell.test.ts
//    builds, so it never runs beside those two; the UI files keep it company instead;
// 3. tunnelManager.test.ts, which moves 1 GB through a tunnel, and flowControl.test.ts (500
//    connections at once, 190 MB): CPU bursts that could starve a neighbour's short time budget,
//    so only plain unit files (no peers, no real-time budgets) run beside them;
// 4. the timing-sensitive files, one at a time with the machine to themselves: their assertions
//    ride on short real-time budgets (keepalive of a few hundred ms, reconnect backoff and ready
//    timeouts, a 1.5 s wall-clock bound) that any neighbour's CPU burst (key generation, a bundle
//    build) could starve into a false failure.
const WITH_PACKAGING = ['e2e/ui/**/*.test.ts', 'scripts/packaging.test.ts'];
const BULK = ['electron/core/tunnels/tunnelManager.test.ts', 'electron/core/tunnels/flowControl.test.ts'];
const PLAIN_UNITS = [
  'shared/**/*.test.ts',
  'renderer/**/*.test.ts',
  'electron/main/**/*.test.ts',
  'electron/cli/secretMask.test.ts',
  'electron/cli/secretEncodings.test.ts',
  'electron/core/ssh/backoff.test.ts',
  'electron/core/ssh/knownHosts.test.ts',
  'electron/core/tunnels/idleCloser.test.ts',
  'electron/core/profiles/teamFile.test.ts',
  'electron/core/team/teamProfiles.test.ts',
  'electron/core/profiles/sshConfigImport.test.ts',
];
const ALONE = [
  'electron/core/tunnels/reconnect.test.ts',
  'electron/core/secrets/clipboardGuard.test.ts',
  'e2e/ui/resilience.test.ts',
];

const common = {
  environment: 'node',
  // Real servers start in these tests; a slow 2-core CI box needs headroom.
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // On a Node older than 22 (below package.json's engines, e.g. a checkout not yet reinstalled)
  // the AWS SDK's "support ends" notice would otherwise repeat through the log.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
} as const;

function group(name: string, order: number, include: string[], exclude: string[] = []): TestProjectConfiguration {
  return { test: { ...common, name, include, exclude: [...configDefaults.exclude, ...exclude], sequence: { groupOrder: order } } };
}

export default defineConfig({
  test: {
    ...common,
    // One shared rig per run (e2e/rig/rigBroker.ts), stopped by its teardown.
    globalSetup: ['e2e/rig/globalSetup.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      group('main', 0, TESTS, [...WITH_PACKAGING, ...BULK, ...PLAIN_UNITS, ...ALONE]),
      group('ui+packaging', 1, WITH_PACKAGING, ALONE),
      group('bulk+units', 2, [...BULK, ...PLAIN_UNITS]),
      // A group of one file runs alone: groups never overlap.
      ...ALONE.map((file, index) => group(`alone:${basename(file, '.test.ts')}`, 3 + index, [file])),
    ],
  },
});
