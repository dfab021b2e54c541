// Lint, and the layering rules of ARCHITECTURE.md: a broken layer fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'net', 'http', 'https', 'crypto', 'stream', 'url', 'util', 'events', 'zlib', 'readline', 'timers', 'dns', 'tls'];
const wallClock = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read time from the injected Clock, never the wall clock (ARCHITECTURE.md: clock is a port).' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read time from the injected Clock, never the wall clock (ARCHITECTURE.md: clock is a port).' },
  { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read time from the injected Clock.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'release/**', 'test-results/**', 'playwright-report/**', '.cache/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error',
        { selector: "Property[key.name='nodeIntegration'][value.value=true]", message: 'nodeIntegration stays off.' },
        { selector: "Property[key.name='contextIsolation'][value.value=false]", message: 'contextIsolation stays on.' },
        { selector: "Property[key.name='sandbox'][value.value=false]", message: 'sandbox stays on.' },
        { selector: "Property[key.name='webSecurity'][value.value=false]", message: 'webSecurity stays on.' },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Playwright fixtures must destructure their (empty) dependencies with `{}`.
    files: ['tests/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // shared/ is used by both sides: it imports neither side, nor Node, nor Electron.
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports neither electron/ nor renderer/.' },
        { group: ['electron', ...nodeBuiltins], message: 'shared/ is environment-free: no Electron, no Node built-ins.' },
      ] }],
    },
  },
  {
    // Its unit tests run in Node (they may read ../shared/data) but still test shared/ on its own.
    files: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/electron/**', '**/renderer/**', 'electron'], message: 'shared/ imports neither electron/ nor renderer/.' },
      ] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/electron/**', 'electron'], message: 'renderer/ talks to the main process only through the contract in shared/.' },
        { group: nodeBuiltins, message: 'renderer/ runs in a sandboxed page: no Node built-ins.' },
      ] }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/app/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron'], message: "Only electron/app/ imports 'electron'; the Workstation must run in plain Node." },
        { group: ['**/renderer/**'], message: 'The main process does not import the renderer.' },
      ] }],
    },
  },
  {
    // Strategies are pure: no broker, store or clock implementation, no I/O, no wall clock.
    files: ['electron/strategies/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', '**/brokers/**', '**/store/**', '**/app/**', '**/headless/**', '**/cli/**', '**/engine/clock*', '**/engine/scheduler*', 'better-sqlite3', '@stoqey/ib', 'node-schedule', ...nodeBuiltins], message: 'Strategies are pure: no broker, store, clock or I/O (ARCHITECTURE.md).' },
      ] }],
      'no-restricted-syntax': ['error', ...wallClock, { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Strategies are deterministic: no Math.random.' }],
    },
  },
  {
    // The engine, market and backtest code reads time only from the injected Clock.
    files: ['electron/engine/**/*.ts', 'electron/market/**/*.ts', 'electron/backtest/**/*.ts', 'electron/brokers/**/*.ts'],
    ignores: ['**/*.test.ts', 'electron/engine/clock.ts'],
    rules: { 'no-restricted-syntax': ['error', ...wallClock] },
  },
);
