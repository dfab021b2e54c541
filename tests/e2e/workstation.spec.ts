/**
 * The pages a trader watches all day — Overview, Positions, Trades, Logs — used as a person would, in
 * Chromium against the real headless server on the simulator.
 */
import { readFileSync } from 'node:fs';
import { test as base, expect, type Page } from '@playwright/test';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';
import { seedTradeHistory, type SeededTrade } from '../helpers/seed-history.ts';
import { openTemp, tempDir } from '../store/fixtures.ts';

type Servers = { history: Headless & { seeded: SeededTrade[] }; live: Headless };

const test = base.extend<object, Servers>({
  // A database holding 3,000 closed trades from March 2026 (simulator idle at real-time speed).
  history: [
    async ({}, use) => {
      const dataDir = tempDir('thetadesk-e2e-history-');
      const store = openTemp(dataDir);
      const seeded = seedTradeHistory(store, { count: 3_000, start: Date.UTC(2026, 2, 2, 15, 0), everyMinutes: 37 });
      store.close();
      const server = await startHeadless({ dataDir, env: { THETADESK_SIM_START: '2026-11-23', THETADESK_SIM_SPEED: '1' } });
      await use({ ...server, seeded });
      await server.stop();
    },
    { scope: 'worker' },
  ],
  // The simulator 300× faster than real time from Monday 23 Nov 2026: the 10:00 ET entry comes within seconds.
  live: [
    async ({}, use) => {
      const server = await startHeadless({ env: { THETADESK_SIM_START: '2026-11-23', THETADESK_SIM_SPEED: '300', THETADESK_SIM_SEED: '3' } });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

const open = (page: Page, server: Headless) => page.goto(`${server.url}/#token=${server.token}`);

test('Trades: filters, statistics, equity curve and a virtualized table over 3,000 trades', async ({ page, history }, testInfo) => {
  await open(page, history);
  await page.keyboard.press('Alt+5');
  await expect(page.getByRole('button', { name: 'Trades', exact: true })).toHaveAttribute('aria-current', 'page');
  const table = page.getByRole('table', { name: 'Trades', exact: true });
  await expect(page.getByRole('heading', { name: 'Trades (3,000)' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Equity curve' })).toBeVisible();
  const total = history.seeded.reduce((a, s) => a + s.pnlCents, 0) / 100;
  const usd = (v: number) => v.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  await expect(page.getByTestId('stat-trades')).toHaveText('3000');
  await expect(page.getByTestId('stat-total')).toHaveText(usd(total));
  // Only the rows in view are in the DOM.
  expect(await table.locator('tbody tr').count()).toBeLessThan(80);
  await page.screenshot({ path: testInfo.outputPath('trades.png'), fullPage: true });

  // Filter: stop losses entered 9–13 March.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-03-09');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-03-13');
  await page.getByLabel('Exit reason').selectOption('STOP_LOSS');
  const expected = history.seeded.filter((s) => s.entryDate >= '2026-03-09' && s.entryDate <= '2026-03-13' && s.exitReason === 'STOP_LOSS');
  await expect(page.getByRole('heading', { name: `Trades (${expected.length})` })).toBeVisible();
  await expect(page.getByTestId('stat-trades')).toHaveText(String(expected.length));
  await expect(page.getByTestId('stat-total')).toHaveText(usd(expected.reduce((a, s) => a + s.pnlCents, 0) / 100));
  await expect(page.getByTestId('stat-winrate')).toHaveText('0.0%');
  const exits = await table.locator('tbody tr td:nth-child(7)').allTextContents();
  expect(exits.length).toBeGreaterThan(0);
  expect(new Set(exits)).toEqual(new Set(['STOP_LOSS']));
  await page.screenshot({ path: testInfo.outputPath('trades-filtered.png'), fullPage: true });

  // A reversed range says what is wrong instead of showing nothing.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-03-20');
  await expect(page.getByRole('alert')).toHaveText('"From" must not be after "To".');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByRole('heading', { name: 'Trades (3,000)' })).toBeVisible();

  // Scrolling to the end shows the oldest trade.
  await page.getByRole('region', { name: 'Trades (scrollable)' }).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(table).toContainText(`${history.seeded[0]!.tradeId}`);

  // Export the filtered month (the export covers the filter's dates) and open the file.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-03-01');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-03-31');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = testInfo.outputPath('trades.csv');
  await (await downloading).saveAs(file);
  const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
  expect(lines.length - 1).toBe(history.seeded.filter((s) => s.entryDate >= '2026-03-01' && s.entryDate <= '2026-03-31').length);
});

test('dark and light themes, keyboard shortcuts and the engine clock in ET', async ({ page, history }, testInfo) => {
  await open(page, history);
  await expect(page.getByTestId('engine-clock')).toHaveText(/^2026-11-2\d \d\d:\d\d ET$/);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(245, 247, 250)');
  await page.screenshot({ path: testInfo.outputPath('overview-light.png'), fullPage: true });
  // The choice survives a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.keyboard.press('Alt+3');
  await expect(page.getByRole('main', { name: 'Positions' })).toBeVisible();
  await expect(page.getByText('No open positions.')).toBeVisible();
  await page.keyboard.press('Alt+-');
  await expect(page.getByRole('main', { name: 'Logs' })).toBeVisible();
  await page.getByLabel('Search').fill('Workstation ready');
  await expect(page.getByRole('table', { name: 'Log lines' })).toContainText('Workstation ready');
  await page.getByLabel('Level').selectOption('error');
  await expect(page.getByText('No log lines match.')).toBeVisible();
});

test('Overview and Positions: a simulated entry shows with its legs and exit levels, and its close button closes it', async ({ page, live }, testInfo) => {
  test.setTimeout(120_000);
  await open(page, live);
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Stopped');
  await expect(page.getByRole('table', { name: 'Next scheduled runs' })).toContainText('SPX credit verticals');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');
  await page.screenshot({ path: testInfo.outputPath('overview-running.png'), fullPage: true });

  // Wait (in simulated time: a few real seconds) for the first filled entry.
  type P = { tradeId: number; status: string; legs: unknown[] };
  await expect.poll(async () => (await rpc<P[]>(live, 'positions.list')).filter((p) => p.status === 'ACTIVE').length, { timeout: 90_000, intervals: [500] }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Positions', exact: true }).click();
  const card = page.getByRole('region', { name: /^Position \d+$/ }).first();
  await expect(card).toBeVisible();
  const name = (await card.getAttribute('aria-label'))!;
  const tradeId = Number(name.split(' ')[1]);
  const legs = page.getByRole('table', { name: `Legs of position ${tradeId}` });
  await expect(legs.locator('tbody tr')).toHaveCount(2);
  await expect(legs).toContainText('-1');
  await expect(legs).toContainText('+1');
  await expect(card).toContainText('Take profit at');
  await expect(card).toContainText(/DTE/);
  await page.screenshot({ path: testInfo.outputPath('positions.png'), fullPage: true });

  await page.getByRole('button', { name: `Close position ${tradeId}` }).click();
  const dialog = page.getByRole('alertdialog', { name: `Close position ${tradeId}?` });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('close-position-confirm.png') });
  await dialog.getByRole('button', { name: 'Close this position' }).click();
  await expect(page.getByRole('status')).toContainText(`trade ${tradeId}`);
  await expect.poll(async () => (await rpc<P[]>(live, 'positions.list')).some((p) => p.tradeId === tradeId), { timeout: 60_000, intervals: [500] }).toBe(false);
  await page.getByRole('button', { name: 'Trades', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Trades', exact: true })).toContainText('MANUAL');
  await page.screenshot({ path: testInfo.outputPath('trades-after-close.png'), fullPage: true });
});
