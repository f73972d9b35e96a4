import { defineConfig } from 'vitest/config';

// Tests live beside the code they cover (x.test.ts). The rig's real peers
// (sshd, MariaDB, PostgreSQL, puttygen) are started per test file by e2e/rig.
export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // One shared rig per run (e2e/rig/rigBroker.ts): the app built once, one Chromium, and
    // moto/MariaDB/PostgreSQL servers lent to one file at a time and reset in between.
    globalSetup: ['e2e/rig/globalSetup.ts'],
    // Real servers start in these tests; a slow 2-core CI box needs headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run files one after another so timing-sensitive tests
    // (keepalive, reconnect) are not starved by a neighbour's 1 GiB transfer.
    fileParallelism: false,
    // The AWS SDK's "Node 20 support ends" notice would otherwise repeat through the log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
