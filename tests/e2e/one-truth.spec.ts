/**
 * One figure on every page (issue 13), in Chromium against the headless server on the simulator: an
 * open trade's P&L in the Trades table is the figure Positions and the REST API show, and the Trades
 * page's equity curve starts at $0.00. Compared after the session's close, when the marks stand still.
 */
import { test as base, expect } from '@playwright/test';
import type { Position, Status } from '../../shared/api.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

// Seed 1 from Monday 2026-11-23 at 300×: the day's entry is still open at the close (16:00 ET, ~80 s of
// wall time), and the market stays shut for the next ~200 s. (Issue 15's market: seed 3's entry now
// takes its profit the same day.)
const DAY = '2026-11-23';
const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const server = await startHeadless({ env: { THETADESK_SIM_START: DAY, THETADESK_SIM_SPEED: '300', THETADESK_SIM_SEED: '1' } });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

test('an open trade shows the same P&L in Trades, Positions and the REST API; the equity curve starts at $0.00', async ({ page, server }, testInfo) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');

  // Wait (the simulated market running) for the close with a position held overnight.
  const afterClose = etToEpoch(DAY, '16:05');
  let held: Position | undefined;
  await expect
    .poll(
      async () => {
        const status = await rpc<Status>(server, 'status.get');
        held = (await rpc<Position[]>(server, 'positions.list')).find((p) => p.status === 'ACTIVE' && p.currentPnl !== null);
        return status.updatedAt >= afterClose && held !== undefined;
      },
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe(true);
  const tradeId = held!.tradeId;

  await page.getByRole('button', { name: 'Positions', exact: true }).click();
  const onPositions = (await page.getByTestId(`pnl-${tradeId}`).textContent())!;
  expect(onPositions).toMatch(/^-?\$[\d,]+\.\d{2}$/);
  await page.screenshot({ path: testInfo.outputPath('positions.png'), fullPage: true });

  await page.getByRole('button', { name: 'Trades', exact: true }).click();
  await expect(page.getByTestId(`open-pnl-${tradeId}`)).toHaveText(`${onPositions} open`);
  // The curve: from $0.00 at the start of the period (the filter's From date, 00:00 ET), and now with the
  // open trade at the same figure.
  const from = await page.getByLabel('From (ET)', { exact: true }).inputValue();
  expect(from < DAY).toBe(true);
  const caption = page.getByTestId('equity-caption');
  await expect(caption).toContainText(new RegExp(`^From \\$0\\.00 on ${from} 00:00 ET`));
  await expect(caption).toContainText(`with 1 open at ${onPositions}`);
  await expect(page.getByRole('img', { name: 'Equity curve' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('trades-open-pnl.png'), fullPage: true });

  // The REST API, to the cent: /api/trades and /api/positions agree.
  const get = async (path: string) => (await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } })).json() as Promise<Record<string, unknown>[]>;
  const restTrade = (await get('/api/trades?limit=50')).find((t) => t.id === tradeId)!;
  const restPosition = (await get('/api/positions')).find((p) => p.trade_id === tradeId)!;
  expect(restTrade.unrealized_pnl).toBe(restPosition.current_pnl);
  expect(restTrade.unrealized_pnl).toBe(Number(onPositions.replace(/[$,]/g, '')));
  expect(restTrade.trade_date).toMatch(new RegExp(`^${DAY} \\d\\d:\\d\\d$`));
  expect(errors).toEqual([]);
});
