// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'net', 'os', 'crypto', 'child_process', 'stream', 'util', 'http', 'https', 'events'];

/** Forbid imports that cross the layers: shared <- electron/core <- (main, host, cli); renderer <- shared. */
function layer(files, forbidden, message) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/', 'bench/.build/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
    },
  },
  layer(
    ['shared/**/*.ts'],
    [...nodeBuiltins, 'electron', '**/electron/**', '**/renderer/**', 'ssh2'],
    'shared/ is the contract and the model: no Node, no Electron, no engine, no UI.',
  ),
  layer(
    ['electron/core/**/*.ts'],
    ['electron', '**/electron/main/**', '**/electron/preload/**', '**/electron/host/**', '**/electron/cli/**', '**/renderer/**'],
    "electron/core is plain Node: it never imports 'electron' or its shells; inject what it needs.",
  ),
  layer(
    ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    [...nodeBuiltins, 'electron', '**/electron/**', 'ssh2'],
    'The renderer talks only to window.jumpgate or the WebSocket client; it imports shared/ and nothing of Node.',
  ),
  layer(
    ['electron/preload/**/*.ts'],
    ['**/electron/core/**', '**/electron/main/**'],
    'The preload is a thin facade over the contract keys; it never reaches into the engine.',
  ),
);
