/**
 * Issue 13: what a trade's record says about its prices, as a person reads it, against the real
 * headless server on the simulated market.
 * - Close all while the market is closed: the confirmation says so and when the closes go out, no
 *   order is sent, Positions shows each position's close queued for the open, and at the open the
 *   close is sent and fills.
 * - The entry decision links to its trade ("Trade #N" on the Decisions page opens it on Trades).
 * - A take profit that fired at mid and closed at natural shows its intended level beside what it
 *   realized on the Trades page (a trade seeded into the data folder before the server starts).
 */
import { test as base, expect } from '@playwright/test';
import type { Decision, Order, Position, Status, Trade } from '../../shared/api.ts';
import { etDateTime, etWhen } from '../../shared/time/et.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';
import { openTemp, seedTakeProfitTrade, tempDir } from '../store/fixtures.ts';

const HOUR = 3_600_000;

// The simulated market from Monday 2026-11-23 at 2000× (an hour of market time in 1.8 s; a night in ~30 s).
const test = base.extend<object, { server: Headless & { seededTradeId: number } }>({
  server: [
    async ({}, use) => {
      const dataDir = tempDir('thetadesk-e2e-queue-');
      const store = openTemp(dataDir);
      const { tradeId } = seedTakeProfitTrade(store, Date.UTC(2026, 10, 20, 15, 0), '2026-11-25'); // Friday 2026-11-20 10:00 ET, 5 DTE
      store.close();
      const server = await startHeadless({ dataDir, env: { THETADESK_SIM_START: '2026-11-23', THETADESK_SIM_SPEED: '2000', THETADESK_SIM_SEED: '7' } });
      await use({ ...server, seededTradeId: tradeId });
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

test('Close all at night: the dialog says the closes go out at the open, Positions shows them queued, the open sends them', async ({ page, server }, testInfo) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');
  await page.getByRole('button', { name: 'Positions', exact: true }).click();

  // Wait (polling the API while the simulated market runs) for a filled position early in a night,
  // with hours of market time (several seconds) left before the open.
  let status: Status | null = null;
  let position: Position | null = null;
  await expect
    .poll(async () => {
      status = await rpc<Status>(server, 'status.get');
      const positions = await rpc<Position[]>(server, 'positions.list');
      position = positions.find((p) => p.status === 'ACTIVE') ?? null;
      return position !== null && !status.marketHours.open && status.marketHours.nextOpen - status.updatedAt > 10 * HOUR;
    }, { timeout: 180_000, intervals: [100] })
    .toBe(true);
  const { tradeId } = position!;
  const nextOpen = status!.marketHours.nextOpen;
  await expect(page.getByRole('region', { name: `Position ${tradeId}` })).toBeVisible();

  await page.getByRole('button', { name: 'Close all' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Close all positions?' });
  await expect(dialog).toContainText(`The market is closed; the closes will be sent at the open on ${etWhen(nextOpen)}.`);
  await page.screenshot({ path: testInfo.outputPath('close-all-dialog.png') });
  await dialog.getByRole('button', { name: 'Close all positions' }).click();

  const card = page.getByRole('region', { name: `Position ${tradeId}` });
  await expect(card.getByTestId(`position-status-${tradeId}`)).toHaveText('CLOSE QUEUED');
  await expect(card.getByTestId(`close-queued-${tradeId}`)).toContainText(`Close queued for the open (${etWhen(nextOpen)})`);
  await expect(card.getByRole('button', { name: `Close position ${tradeId}` })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('positions-close-queued.png'), fullPage: true });
  // Nothing was sent to be rejected: the trade has no close order while the market is closed.
  const day = etDateTime(nextOpen).slice(0, 10);
  const closesOf = async () => (await rpc<Order[]>(server, 'orders.list', { from: '2026-11-23', to: day, limit: 10_000 })).filter((o) => o.tradeId === tradeId && o.purpose === 'CLOSE');
  const before = await rpc<Status>(server, 'status.get');
  if (before.updatedAt < nextOpen) expect(await closesOf()).toEqual([]);

  // At the open the close goes out and fills: the position leaves the page, the trade closes MANUAL.
  await expect(card).toBeHidden({ timeout: 120_000 });
  await expect.poll(async () => (await rpc<Trade[]>(server, 'trades.list', { limit: 100 })).find((t) => t.id === tradeId)?.status, { timeout: 30_000 }).toBe('CLOSED');
  const closes = await closesOf();
  expect(closes.map((o) => [o.status, o.createdAt])).toEqual([['FILLED', nextOpen]]);
  expect(closes[0]!.steps.map((s) => s.type)).not.toContain('rejected');

  await test.step('Decisions: the entry links to its trade; Trades shows it', async () => {
    const decisions = await rpc<Decision[]>(server, 'decisions.list', { from: '2026-11-23', to: day, limit: 10_000 });
    const entry = decisions.find((d) => d.kind === 'ENTER' && d.tradeId === tradeId)!;
    expect(entry).toBeDefined();
    await page.getByRole('button', { name: 'Decisions' }).click();
    const entryDay = etDateTime(entry.decidedAt).slice(0, 10);
    await page.getByLabel('From (ET)').fill(entryDay);
    await page.getByLabel('To (ET)').fill(entryDay);
    await page.getByLabel('Kind').selectOption('ENTER');
    await page.getByRole('table', { name: 'Decisions' }).getByRole('row').filter({ hasText: etDateTime(entry.decidedAt) }).click();
    await page.getByRole('button', { name: `Open trade ${tradeId}` }).click();
    await expect(page.getByRole('button', { name: 'Trades', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { name: `Trade #${tradeId} — ${entry.strategyId}` })).toBeVisible();
    await expect(page.getByLabel('Trade facts')).toContainText('MANUAL');
    await expect(page.getByLabel('Trade facts')).toContainText(`${entry.id}`);
  });

  await test.step('Trades: a take profit at mid that closed at natural shows intended vs realized', async () => {
    await page.getByRole('table', { name: 'Trades', exact: true }).getByRole('row').filter({ hasText: 'TAKE_PROFIT_50' }).filter({ hasText: '2026-11-20' }).click();
    await expect(page.getByRole('heading', { name: `Trade #${server.seededTradeId} — credit-verticals` })).toBeVisible();
    await expect(page.getByTestId('exit-intended')).toHaveText('Take profit at 50% of max profit $235.00 = $118.00, measured at mid (it fired at $121.00, 51.49%)');
    await expect(page.getByTestId('exit-realized')).toHaveText('$85.00 = 36.17% of max profit, the close filled at debit 1.50 (before commissions)');
    await expect(page.getByLabel('Trade facts')).toContainText('at credit 2.35 (credit $235.00)');
    await page.screenshot({ path: testInfo.outputPath('trade-intended-vs-realized.png'), fullPage: true });
  });
  expect(errors).toEqual([]);
});
