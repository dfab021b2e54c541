/**
 * The headless server in this process, over a real Workstation on the simulated broker and a real
 * SQLite file in a fresh temp folder, for tests that need the fastify instance itself (its routes) or
 * the Workstation beside it. `tests/helpers/headless.ts` starts the same server as a child process.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dispatch } from '../../electron/application/rpc.ts';
import { brokerFromEnv } from '../../electron/application/broker/setup.ts';
import { SystemClock } from '../../electron/engine/clock.ts';
import { openWorkstation, type Workstation } from '../../electron/application/workstation.ts';
import { startServer, type RunningServer } from '../../electron/headless/server.ts';

export type InProcessServer = {
  server: RunningServer;
  workstation: Workstation;
  url: string;
  port: number;
  token: string;
  dataDir: string;
  /** The renderer's index.html as served (a small real bundle written to the temp folder). */
  indexHtml: string;
  stop(): Promise<void>;
};

export const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>';

export async function startInProcessServer(): Promise<InProcessServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-server-'));
  const rendererDir = path.join(dataDir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("thetadesk");\n');
  const clock = new SystemClock();
  const broker = brokerFromEnv('sim', { THETADESK_SIM_START: '2025-03-18' }, clock);
  const workstation = openWorkstation({ clock, dataDir, broker, mode: 'paper' });
  const token = 'in-process-token-' + 'k'.repeat(16);
  const server = await startServer({ workstation, token, rendererDir });
  // The engine comes up reconciling with the simulated broker; tests start from the settled state.
  const deadline = performance.now() + 15_000;
  while (workstation.status().engineState !== 'stopped') {
    if (performance.now() > deadline) throw new Error(`the engine did not settle: ${workstation.status().engineState}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    server,
    workstation,
    url: server.url,
    port: server.port,
    token,
    dataDir,
    indexHtml: INDEX_HTML,
    stop: async () => {
      agent.destroy();
      await server.close();
      await workstation.close();
    },
  };
}

/** Everything an attacker could change through the API, read back through the engine itself. */
export async function stateOf(workstation: Workstation): Promise<unknown> {
  const read = async (method: Parameters<typeof dispatch>[1], input: unknown = {}) => {
    const result = await dispatch(workstation, method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value;
  };
  const status = workstation.status();
  const strategies = (await read('strategies.list')) as { id: string; enabled: boolean; config: unknown; configVersion: number | null }[];
  return {
    engineState: status.engineState,
    isTrading: status.isTrading,
    strategies: strategies.map((s) => ({ id: s.id, enabled: s.enabled, config: s.config, configVersion: s.configVersion })),
    settings: await read('settings.get'),
    backtests: await read('backtest.list'),
    trades: await read('trades.list', { limit: 1000 }),
    orders: await read('orders.list', { from: '2000-01-01', to: '2100-01-01' }),
  };
}

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/**
 * One HTTP request with the path sent exactly as given (no URL normalisation, unlike fetch: dot
 * segments, backslashes, `#` and odd encodings reach the server as written). A connection the server
 * closes without an answer (Node's parser refuses a request-target that does not start with `/`)
 * comes back as status 0 with the error as the body.
 */
export function rawRequest(port: number, method: string, rawPath: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, agent, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', (e) => resolve({ status: 0, headers: {}, body: e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: e.message }));
    req.end(body);
  });
}

/** A WebSocket upgrade request with the path sent exactly as given; resolves with 101 when the server switched protocols. */
export function rawUpgrade(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: rawPath,
      agent: false,
      headers: {
        host: `127.0.0.1:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('thetadesk-test-k').toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}
