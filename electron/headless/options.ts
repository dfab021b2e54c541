/** Command-line and environment options of the headless server, validated with clear messages. */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { defaultDataDir } from '../store/paths.ts';
import { envChoice, envNumber, type EnvError } from '../application/env.ts';

const BROKERS = ['sim', 'ibkr', 'tradier'] as const;

export type HeadlessOptions = {
  host: string;
  port: number;
  dataDir: string;
  token: string;
  tokenGenerated: boolean;
  broker: 'sim' | 'ibkr' | 'tradier';
  /** True when --broker or THETADESK_BROKER named the broker (otherwise the saved settings choose). */
  brokerGiven: boolean;
  /** Host names the UI may be reached by off loopback (--allow-host, repeatable, or THETADESK_ALLOWED_HOSTS, comma-separated). */
  allowedHosts: string[];
};

export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

export const HEADLESS_USAGE = `Usage: npm run headless -- [--port N] [--host ADDR] [--data-dir DIR] [--broker sim|ibkr|tradier]
  --port      port to listen on (default THETADESK_PORT or 5000)
  --host      address to bind (default 127.0.0.1: this machine only)
  --data-dir  data folder (default THETADESK_DATA_DIR or the per-user app-data folder)
  --broker    broker adapter (default sim: the built-in simulator, paper trading)
  --allow-host  a host name the UI may be reached by when --host is not loopback (repeatable; or
              THETADESK_ALLOWED_HOSTS=a,b). Other Host headers are refused.
Off loopback the token travels in clear text over the network: use a trusted network or an HTTPS proxy.
The access token comes from THETADESK_TOKEN, or is generated at start and printed with the URL.`;

export function parseHeadlessOptions(argv: string[], env: NodeJS.ProcessEnv): HeadlessOptions | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        broker: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}\n${HEADLESS_USAGE}`);
  }
  if (values.help) return 'help';
  let port: number;
  const portArg = values.port as string | undefined;
  if (portArg !== undefined) {
    port = Number(portArg);
    if (!/^\d+$/.test(portArg) || !Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new OptionsError(`Port "${portArg}" is not valid: use a whole number from 1 to 65535 (0 picks a free port).`);
    }
  } else {
    try {
      port = envNumber(env, 'THETADESK_PORT', { min: 0, max: 65_535, integer: true, hint: '0 picks a free port' }, 5000);
    } catch (error) {
      throw new OptionsError((error as EnvError).message);
    }
  }
  const brokerArg = values.broker as string | undefined;
  let broker: HeadlessOptions['broker'];
  if (brokerArg !== undefined) {
    if (!BROKERS.includes(brokerArg as HeadlessOptions['broker'])) throw new OptionsError(`Broker "${brokerArg}" is not one of sim, ibkr, tradier.`);
    broker = brokerArg as HeadlessOptions['broker'];
  } else {
    try {
      broker = envChoice(env, 'THETADESK_BROKER', BROKERS) ?? 'sim';
    } catch (error) {
      throw new OptionsError((error as EnvError).message);
    }
  }
  const envToken = env.THETADESK_TOKEN?.trim();
  if (envToken !== undefined && envToken !== '' && (envToken.length < 16 || !/^[\x21-\x7e]+$/.test(envToken))) {
    // The value is a secret: its length is said, never the value.
    throw new OptionsError(`THETADESK_TOKEN must be at least 16 printable characters without spaces, got ${envToken.length} character${envToken.length === 1 ? '' : 's'}${/\s/.test(envToken) ? ' with spaces' : ''} (the value is not shown: it is a secret).`);
  }
  const token = envToken || randomBytes(24).toString('hex');
  const dataDirArg = values['data-dir'] as string | undefined;
  const allowedHosts = [...((values['allow-host'] as string[] | undefined) ?? []), ...(env.THETADESK_ALLOWED_HOSTS ?? '').split(',')].map((h) => h.trim()).filter(Boolean);
  const badHost = allowedHosts.find((h) => !/^[A-Za-z0-9.:-]+$/.test(h));
  if (badHost !== undefined) throw new OptionsError(`Allowed host "${badHost}" is not a host name or address (letters, digits, dots, hyphens, colons; no port).`);
  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port,
    dataDir: dataDirArg ? defaultDataDir({ THETADESK_DATA_DIR: dataDirArg }) : defaultDataDir(env),
    token,
    tokenGenerated: !envToken,
    broker,
    brokerGiven: values.broker !== undefined || (env.THETADESK_BROKER ?? '') !== '',
    allowedHosts,
  };
}
