// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'net', 'os', 'crypto', 'child_process', 'stream', 'util', 'http', 'https', 'events'];

/**
 * zod only through shared/zod.ts, which imports its functional build (zod/mini) and gives it English
 * messages: the classic API gives every schema instance its own methods, and the shipped processes
 * weighed 8 MB more with it (issue #17); a second import style would also be a second zod.
 */
const zodMessage = 'Import zod as `import * as z from shared/zod` (zod/mini with English messages), not from the package.';
// `paths` for the bare name: as a pattern, 'zod' would also match the relative '../zod'.
const zodPaths = [{ name: 'zod', message: zodMessage }];
const zodPatterns = [{ group: ['zod/*'], message: zodMessage }];

/** Forbid imports that cross the layers: shared <- electron/core <- (main, host, cli); renderer <- shared. */
function layer(files, forbidden, message, { zod = true } = {}) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: zod ? zodPaths : [], patterns: [...forbidden.map((group) => ({ group: [group], message })), ...(zod ? zodPatterns : [])] }],
    },
  };
}

/**
 * ssh2's values only through electron/core/ssh/ssh2Parts.ts, which requires the files that define
 * them: the package's index also loads its HTTP agents (Node's http, https, tls) and its server,
 * 3 MB in every process that holds a tunnel (issue #17). Its types may come from the index.
 */
const ssh2IndexRule = {
  files: ['electron/**/*.ts', 'bench/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      { paths: [{ name: 'ssh2', allowTypeImports: true, message: "Import ssh2's values from electron/core/ssh/ssh2Parts.ts; `import type` from 'ssh2' is fine." }] },
    ],
  },
};

const sharedForbidden = [...nodeBuiltins, 'electron', '**/electron/**', '**/renderer/**', 'ssh2'];
const sharedMessage = 'shared/ is the contract and the model: no Node, no Electron, no engine, no UI.';

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
      'no-restricted-imports': ['error', { paths: zodPaths, patterns: zodPatterns }],
    },
  },
  layer(['shared/**/*.ts'], sharedForbidden, sharedMessage),
  // The one module that imports the package.
  layer(['shared/zod.ts'], sharedForbidden, sharedMessage, { zod: false }),
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
  ssh2IndexRule,
  layer(
    ['electron/preload/**/*.ts'],
    ['**/electron/core/**', '**/electron/main/**'],
    'The preload is a thin facade over the contract keys; it never reaches into the engine.',
  ),
);
