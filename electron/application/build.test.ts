import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/store/fixtures.ts';
import { VirtualClock } from '../engine/clock.ts';
import { StoreError } from '../store/errors.ts';
import { buildApplication } from './build.ts';
import { EnvError } from './env.ts';
import type { Workstation } from './workstation.ts';

const t0 = Date.UTC(2026, 0, 5, 15);
const SIM = { THETADESK_SIM_START: '2026-01-05', THETADESK_SIM_SPEED: '1' };
const open: Workstation[] = [];

afterEach(async () => {
  for (const ws of open.splice(0)) await ws.close();
});

async function build(dataDir: string, env: NodeJS.ProcessEnv = SIM): Promise<Workstation> {
  const ws = await buildApplication({ dataDir, holder: 'test app', env, clock: new VirtualClock(t0), backups: false });
  open.push(ws);
  return ws;
}

describe('buildApplication', () => {
  it('builds the whole application on a data folder: the saved broker (the simulator), the engine and every handler', async () => {
    const ws = await build(tempDir('td-build-'));
    await expect.poll(() => ws.status().engineState, { timeout: 10_000 }).toBe('stopped');
    expect(ws.status().connection).toMatchObject({ broker: 'sim', state: 'connected', paper: true });
    expect((await ws.handlers['strategies.list']({})).map((s) => s.id)).toEqual(['credit-verticals', 'optimus', 'spy-spx-0dte']);
  });

  it('holds the data folder until closed: a second one is refused naming the holder, and once closed the folder is free again', async () => {
    const dataDir = tempDir('td-build-');
    const first = await build(dataDir);
    const refused = await build(dataDir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ kind: 'locked', message: expect.stringMatching(/in use by another Thetadesk \(PID \d+, test app started/) });
    await first.close();
    const again = await build(dataDir);
    expect(again.status().engineState).not.toBe('halted');
  });

  it('refuses a bad THETADESK_* value with what to fix, and leaves nothing held behind', async () => {
    const dataDir = tempDir('td-build-');
    const refused = await build(dataDir, { ...SIM, THETADESK_SIM_SPEED: 'fast' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EnvError);
    expect((refused as Error).message).toMatch(/THETADESK_SIM_SPEED must be a number/);
    // The lock, the database and the log file were released: the same folder builds at once.
    await build(dataDir);
  });

  it('keeps a Tradier token from the environment as a secret: masked in every log line', async () => {
    const token = 'tradier-token-0123456789abcdef';
    const ws = await build(tempDir('td-build-'), { ...SIM, THETADESK_TRADIER_TOKEN: token });
    ws.logs.logger('test').info(`a line with ${token} in it`);
    expect(ws.logs.list(50).map((l) => l.message).join('\n')).not.toContain(token);
    expect((await ws.handlers['settings.get']({})).tradier).toMatchObject({ tokenSet: true });
  });

  it('keeps notification secrets from the environment (headless restarts) as secrets: set, masked in every log line', async () => {
    const env = { THETADESK_SMTP_PASSWORD: 'smtp-pass-0123456789', THETADESK_SLACK_WEBHOOK_URL: 'https://hooks.example.com/services/T1/B2/envSecret123', THETADESK_TELEGRAM_BOT_TOKEN: '123456789:AAenvTokenenvTokenenvToken' };
    const ws = await build(tempDir('td-build-'), { ...SIM, ...env });
    for (const v of Object.values(env)) ws.logs.logger('test').info(`a line with ${v} in it`);
    const lines = ws.logs.list(50).map((l) => l.message).join('\n');
    for (const v of Object.values(env)) expect(lines).not.toContain(v);
    expect((await ws.handlers['settings.get']({})).delivery).toMatchObject({ email: { passwordSet: true }, slack: { webhookUrlSet: true }, telegram: { botTokenSet: true } });
  });
});
