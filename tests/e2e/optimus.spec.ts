/**
 * Issue 16: the Optimus page. The headless app runs its simulator anchored on the real daily files
 * (THETADESK_SIM_DATA = ../shared/data) from 2024-09-16, a day of the real history where every gate
 * passed (thetadesk optimus signals: 2024-09-11…17 in Bullish Calm), trading from the start. The page
 * shows the close's diagnosis — the three §3 layers and the ten gates, each with its value, threshold and
 * verdict —, SPX with its bands, EMA and regime band; the spread decided on the close of 09-16 is queued
 * for the next 10:00–11:00 ET window and shows among the positions with its DTE.
 */
import path from 'node:path';
import { expect, test as base } from '@playwright/test';
import { repoRoot, rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const server = await startHeadless({ env: { THETADESK_SIM_DATA: path.resolve(repoRoot, '..', 'shared', 'data'), THETADESK_SIM_START: '2024-09-16', THETADESK_SIM_SPEED: '2000', THETADESK_SIM_SEED: '5' } });
      // Trading from the start (the close of 09-16 is a signal day, 09-18 on are not): Start once the engine has reconciled.
      const deadline = Date.now() + 30_000;
      while ((await rpc<{ engineState: string }>(server, 'status.get')).engineState !== 'stopped') {
        if (Date.now() > deadline) throw new Error(`the engine did not reconcile: ${server.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // A $500k account: at the default $100k, 2 % × conviction is below one 50-wide spread's max loss (§6.1 skips it).
      await rpc(server, 'settings.set', { accountRisk: { capitalCents: 50_000_000 } });
      await rpc(server, 'engine.start');
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

test('the Optimus page: gates and layers with values and thresholds, the chart with its regime band, then a staggered position with its DTE', async ({ page, server }, testInfo) => {
  test.setTimeout(180_000);
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Optimus' }).click();

  // The diagnosis of the last close (2024-09-13 or a day after: Bullish Calm all that week).
  const gates = page.getByRole('table', { name: 'Entry gates' });
  await expect(gates.locator('tbody tr')).toHaveCount(10, { timeout: 30_000 });
  await expect(page.getByTestId('op-regime')).toContainText('Bullish Calm');
  for (const layer of ['Volatility assessment', 'Market sentiment', 'Regime classification']) await expect(page.getByRole('table', { name: new RegExp(`Diagnosis: ${layer}`) })).toBeVisible();
  // A data-port filter nobody feeds says so; it is never shown as passed.
  await expect(page.getByRole('table', { name: /Diagnosis: Market sentiment/ })).toContainText('no data');
  // Each gate row: its number, value and threshold, and a verdict.
  const first = gates.locator('tbody tr').first();
  await expect(first.locator('td').nth(0)).toHaveText('1');
  await expect(first.locator('td').nth(3)).not.toHaveText('');
  await expect(first).toContainText('pass');
  await expect(first).toContainText('Bullish Calm');
  // The regime band is drawn in the SPX chart itself (one time axis: each close tinted by its regime).
  await expect(page.getByRole('img', { name: 'SPX with Bollinger bands and EMA, each close tinted by its regime' }).locator('canvas').first()).toBeVisible();
  // At $500,000 one spread fits: no capacity warning.
  await expect(page.getByTestId('op-capacity')).toHaveCount(0);
  await expect(page.getByTestId('op-heat')).toContainText('of 15 %');
  await expect(page.getByTestId('op-delta')).toContainText('limit -0.50');
  await expect(page.getByTestId('op-breaker')).toContainText('not tripped');
  await expect(page.getByTestId('op-breaker')).toContainText('entries allowed');
  await expect(page.getByTestId('op-breaker')).not.toContainText('OFF');

  // The close of 2024-09-16 gives a signal; its entry is queued for 09-17 10:00–11:00 and fills there.
  const positions = page.getByRole('table', { name: 'Optimus positions' });
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(positions.locator('tbody tr').first()).toContainText(/open|queued|working/, { timeout: 2_000 });
  }).toPass({ timeout: 150_000 });
  const row = positions.locator('tbody tr').first();
  // The DTE column: the seed's 30–60 DTE window at entry.
  const dte = Number(await row.locator('td').nth(4).textContent());
  expect(dte).toBeGreaterThanOrEqual(28);
  expect(dte).toBeLessThanOrEqual(60);
  await expect(page.getByRole('heading', { name: /Latest decision \(§9\) — 2024-09-1\d/ })).toBeVisible();
  await expect(page.locator('pre.op-log').first()).toContainText('[ENTRY EVAL]');
  await page.screenshot({ path: testInfo.outputPath('optimus-page.png'), fullPage: true });
});

test('the Backtests page runs Optimus on the real daily files (model-priced): equity, drawdown, the pricing note and the §16 table', async ({ page, server }, testInfo) => {
  test.setTimeout(180_000);
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Backtests' }).click();
  await page.getByLabel('Strategy', { exact: true }).selectOption('optimus');
  // Its own market first: the daily files with model-priced options (the simulator is the other choice).
  await expect(page.getByLabel('Market', { exact: true })).toHaveValue('model');
  // What the daily files cover, and the default period their last year (not today's last two weeks, after them).
  await expect(page.getByTestId('bt-data-range')).toHaveText('The daily files cover 1990-01-02 → 2026-03-16; a period past them is clipped to them.');
  await expect(page.getByLabel('To (ET)', { exact: true })).toHaveValue('2026-03-16');
  // Autumn 2018: entries in September, the October sell-off's regime shift.
  await page.getByLabel('From (ET)', { exact: true }).fill('2018-09-01');
  await page.getByLabel('To (ET)', { exact: true }).fill('2018-12-31');
  // The capital: empty is the system's own, which the field shows.
  await expect(page.getByLabel('Capital ($)', { exact: true })).toHaveAttribute('placeholder', '500000');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByTestId('bt-progress-text')).toContainText('Done', { timeout: 150_000 });
  await expect(page.getByTestId('bt-run-capital')).toHaveText('Capital: $500,000');
  await expect(page.getByRole('table', { name: 'Exits by reason' })).toContainText('REGIME_SHIFT');
  await expect(page.getByTestId('bt-pricing')).toContainText('IV RMSE 1.34 vol points');
  const targets = page.getByRole('table', { name: 'Section 16 targets' });
  await expect(targets.locator('tbody tr')).toHaveCount(7);
  for (const metric of ['CAGR', 'Sharpe ratio', 'Win rate', 'Profit factor', 'Max drawdown', 'Monthly income', 'Avg trade duration']) await expect(targets).toContainText(metric);
  await expect(page.getByRole('table', { name: 'Section 16 by regime' })).toContainText('Bullish Calm');
  await expect(page.getByRole('table', { name: 'Section 16 by year' })).toContainText('2018');
  await expect(page.getByRole('img', { name: 'Backtest equity curve' }).locator('canvas').first()).toBeVisible();
  await expect(page.getByRole('img', { name: 'Backtest drawdown' }).locator('canvas').first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Backtest trades' })).toContainText('REGIME_SHIFT');
  await page.screenshot({ path: testInfo.outputPath('optimus-backtest.png'), fullPage: true });
});
