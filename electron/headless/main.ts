/** `npm run headless`: the workstation without Electron, serving the renderer to a browser. */
import path from 'node:path';
import { SystemClock } from '../engine/clock.ts';
import { BrokerError } from '../brokers/port.ts';
import { chooseBroker, type BrokerSetup } from '../application/broker/setup.ts';
import { openLogFolder } from '../application/logs/file.ts';
import { MemorySecretStore, savedConnection, TRADIER_TOKEN } from '../application/settings/settings.ts';
import { Workstation } from '../application/workstation.ts';
import { StoreError } from '../store/errors.ts';
import { lockDataFolder } from '../store/lock.ts';
import { openStore, type Store } from '../store/store.ts';
import { HEADLESS_USAGE, OptionsError, parseHeadlessOptions } from './options.ts';
import { ServerStartError, startServer } from './server.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

async function main(): Promise<number> {
  let options;
  try {
    options = parseHeadlessOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${HEADLESS_USAGE}\n`);
    return 0;
  }
  const clock = new SystemClock();
  // One engine per data folder: the lock is taken before the database is opened. The OS drops it if the
  // process dies; on every exit path we also release it ourselves, which removes the holder file.
  let store: Store;
  try {
    const lock = lockDataFolder(options.dataDir, 'headless server');
    process.on('exit', () => lock.release());
  } catch (error) {
    if (error instanceof StoreError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    store = openStore({ dataDir: options.dataDir, now: () => clock.now() });
  } catch (error) {
    if (error instanceof StoreError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // Secrets live in memory here; THETADESK_TRADIER_TOKEN keeps a Tradier token across restarts.
  const secrets = new MemorySecretStore();
  if (process.env.THETADESK_TRADIER_TOKEN) secrets.set(TRADIER_TOKEN, process.env.THETADESK_TRADIER_TOKEN);
  // --broker / THETADESK_BROKER as before; otherwise the broker and mode saved on the Settings page.
  const saved = savedConnection(store);
  let broker: BrokerSetup;
  let problem: string | null;
  try {
    ({ setup: broker, problem } = chooseBroker({ given: options.brokerGiven ? options.broker : null, saved, tradierToken: secrets.get(TRADIER_TOKEN), env: process.env, clock, dataDir: options.dataDir }));
  } catch (error) {
    store.close();
    if (error instanceof BrokerError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof StoreError) {
      // The simulator's paper account in the data folder cannot be opened (damaged, locked, read-only).
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // The log goes to <data>/logs as well as the console, so it survives a crash or restart.
  const log = await openLogFolder(options.dataDir);
  let workstation: Workstation;
  try {
    workstation = new Workstation({
      clock,
      store,
      broker,
      secrets,
      mode: broker.broker.paper ? 'paper' : 'live',
      dataDir: options.dataDir,
      echoLog: (line) => process.stdout.write(`${line}\n`),
      logFile: log.file,
    });
  } catch (error) {
    store.close();
    await log.file?.close();
    if (error instanceof StoreError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (process.env.THETADESK_TRADIER_TOKEN) workstation.logs.addSecret(process.env.THETADESK_TRADIER_TOKEN);
  if (log.problem) workstation.logs.logger('log').error(log.problem);
  if (problem) workstation.logs.logger('settings').error(problem);
  let server;
  try {
    server = await startServer({
      workstation,
      token: options.token,
      host: options.host,
      port: options.port,
      rendererDir: process.env.THETADESK_RENDERER_DIR ?? path.join(repoRoot, 'out', 'renderer'),
    });
  } catch (error) {
    await workstation.close();
    if (error instanceof ServerStartError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // The token is printed once, here, for the user to open the UI; it is never written to the log.
  process.stdout.write(`Thetadesk is running (headless). Open ${server.url}/#token=${options.token}\n`);
  process.stdout.write(`API: ${server.url}/api/status with "Authorization: Bearer <token>"${options.tokenGenerated ? ' (token generated for this run; set THETADESK_TOKEN to keep one)' : ''}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received: shutting down cleanly…\n`);
    await server.close();
    await workstation.close();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`Thetadesk could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
