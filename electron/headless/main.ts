/** `npm run headless`: the workstation without Electron, serving the renderer to a browser. */
import path from 'node:path';
import { buildApplication } from '../application/build.ts';
import type { Workstation } from '../application/workstation.ts';
import { BrokerError } from '../brokers/port.ts';
import { StoreError } from '../store/errors.ts';
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
  // Secrets live in memory here (THETADESK_TRADIER_TOKEN keeps a Tradier token across restarts, and
  // THETADESK_SMTP_PASSWORD, THETADESK_SLACK_WEBHOOK_URL, THETADESK_TELEGRAM_BOT_TOKEN the notification ones); the log
  // is echoed to the console. --broker / THETADESK_BROKER as before; otherwise the saved settings choose.
  let workstation: Workstation;
  try {
    workstation = await buildApplication({
      dataDir: options.dataDir,
      holder: 'headless server',
      env: process.env,
      broker: options.brokerGiven ? options.broker : null,
      echoLog: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    // The data folder is locked or damaged, the paper account cannot be opened (1), or a THETADESK_* value is wrong (2).
    if (error instanceof StoreError || error instanceof BrokerError) {
      process.stderr.write(`${error.message}\n`);
      return error instanceof BrokerError ? 2 : 1;
    }
    throw error;
  }
  let server;
  try {
    server = await startServer({
      workstation,
      token: options.token,
      host: options.host,
      port: options.port,
      allowedHosts: options.allowedHosts,
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
  // Off loopback, said loudly (on stderr too) and kept in the log — without the token.
  if (server.exposure) {
    process.stdout.write(`\n${server.exposure}\n\n`);
    workstation.logs.write('warn', 'http', server.exposure.replace(/\n/g, ' '));
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
