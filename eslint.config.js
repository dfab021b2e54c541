// Lint, and the layering rules of ARCHITECTURE.md: a broken layer fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'net', 'http', 'https', 'crypto', 'stream', 'url', 'util', 'events', 'zlib', 'readline', 'timers', 'dns', 'tls'];
const wallClock = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read time from the injected Clock, never the wall clock (ARCHITECTURE.md: clock is a port).' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read time from the injected Clock, never the wall clock (ARCHITECTURE.md: clock is a port).' },
  { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read time from the injected Clock.' },
];

const notTests = { group: ['**/tests/**'], message: 'Production code does not import test code: fixtures, fakes and helpers live in tests/.' };
const notRenderer = { group: ['**/renderer/**'], message: 'The main process does not import the renderer.' };
/** Every main-process file, its tests too: no Electron outside app/, no renderer. */
const mainProcess = [{ group: ['electron'], message: "Only electron/app/ imports 'electron'; the Workstation must run in plain Node." }, notRenderer];
const strategyPackages = [{ group: ['electron', 'better-sqlite3', '@stoqey/ib', 'node-schedule', ...nodeBuiltins], message: 'Strategies are pure: no broker, store, clock or I/O (ARCHITECTURE.md).' }];
const strategyFolder = "Strategies are pure: a system's folder imports only shared/, its own folder and strategies/types.ts, common.ts (ARCHITECTURE.md).";
/** The message for a folder that imports one of the folders above it. */
const above = (folder, why) => `electron/${folder}/ ${why}: it does not import the folders above it (electron/README.md).`;
/** Production files of electron/<folder>/ import no test code and none of `forbidden` (electron/<name>/). */
function layer(folder, message, forbidden) {
  const base = folder === 'app' ? [notRenderer] : mainProcess;
  return {
    files: [`electron/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...base, notTests, ...(forbidden.length > 0 ? [{ group: forbidden.map((f) => `**/${f}/**`), message }] : [])] }] },
  };
}

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
        notTests,
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
        notTests,
      ] }],
    },
  },
  {
    // Every file of the main process, its unit tests too.
    files: ['electron/**/*.ts'],
    ignores: ['electron/app/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: mainProcess }] },
  },
  // The layers of electron/ (electron/README.md), lowest first: a folder imports only the folders below
  // it. Production code only; a unit test beside the code may also reach for fixtures and fakes.
  layer('market', above('market', 'holds market data: chains, context, indicators, loaders, the simulator'), ['engine', 'application', 'backtest', 'brokers', 'strategies', 'research', 'headless', 'cli', 'app']),
  layer('store', above('store', 'is the database: it knows rows, not who writes them'), ['engine', 'application', 'backtest', 'brokers', 'strategies', 'research', 'headless', 'cli', 'app']),
  layer('brokers', above('brokers', 'are adapters of the Broker port: the engine uses them, never the reverse'), ['engine', 'application', 'backtest', 'strategies', 'research', 'headless', 'cli', 'app']),
  layer('engine', above('engine', 'is the trading core: the application and the backtester build on it, never the reverse'), ['application', 'backtest', 'research', 'headless', 'cli', 'app']),
  layer('backtest', above('backtest', 'runs the core on a virtual clock; the application starts it'), ['application', 'headless', 'cli', 'app']),
  layer('research', above('research', 'is the study pipeline; the application starts it'), ['application', 'headless', 'cli', 'app']),
  layer('application', above('application', 'is what the transports (app/, headless/, cli/) use'), ['headless', 'cli', 'app']),
  layer('headless', above('headless', 'is a transport over the application'), ['cli', 'app']),
  layer('cli', above('cli', 'is a transport over the application'), ['headless', 'app']),
  layer('app', above('app', "is Electron's transport over the application"), ['cli']),
  {
    // Strategies are pure: each system's folder imports only shared/, its own folder and strategies/types.ts
    // and common.ts; no broker, store, clock or I/O, no wall clock, no randomness.
    files: ['electron/strategies/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...mainProcess, notTests, ...strategyPackages, { regex: '^\\.\\./(?!\\.\\./shared/)', message: 'strategies/types.ts, common.ts and index.ts import only shared/ and strategies/.' }] }],
      'no-restricted-syntax': ['error', ...wallClock, { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Strategies are deterministic: no Math.random.' }],
    },
  },
  {
    files: ['electron/strategies/*/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...mainProcess, notTests, ...strategyPackages, { regex: '^\\.\\./(?!types\\.ts$|common\\.ts$|\\.\\./\\.\\./shared/)', message: strategyFolder }] }] },
  },
  {
    // One level of subfolders inside a system's folder.
    files: ['electron/strategies/*/*/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...mainProcess, notTests, ...strategyPackages, { regex: '^\\.\\./\\.\\./(?!types\\.ts$|common\\.ts$|\\.\\./\\.\\./shared/)', message: strategyFolder }] }] },
  },
  {
    files: ['electron/strategies/*/*/*/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '.', message: "A system's folder has at most one level of subfolders (so the layering rule can see it)." }] }] },
  },
  {
    // The core, market, backtest, broker, store, research and application code read time only from an injected Clock.
    files: ['electron/engine/**/*.ts', 'electron/market/**/*.ts', 'electron/backtest/**/*.ts', 'electron/brokers/**/*.ts', 'electron/store/**/*.ts', 'electron/research/**/*.ts', 'electron/application/**/*.ts'],
    ignores: ['**/*.test.ts', 'electron/engine/clock.ts'],
    rules: { 'no-restricted-syntax': ['error', ...wallClock] },
  },
);
