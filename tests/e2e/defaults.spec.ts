/**
 * Defaults that must not hide what just happened (issue 13, part D), in Chromium against the headless
 * server in this process, over a Workstation on the simulated market in March 2027 — far from the wall
 * clock (the browser's Date.now). The market moves only when the test says so (`advanceSimulation`;
 * the wall clock the driver would tick on is virtual and stands still), so every step is exact:
 *
 * - before the first Start the simulated market waits at the open, and Overview says so;
 * - after a session and a night, at 01:10 ET, Orders & fills' default dates end on the engine's date (not the
 *   last session's); a close asked for then is queued for the open, and the order sent at 09:30 is listed;
 * - Trades → Export CSV with its defaults writes the simulated trades;
 * - notifications are still on Overview after a reload.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { Order, Position } from '../../shared/api.ts';
import { etDateTime } from '../../shared/time/et.ts';
import { brokerFromEnv } from '../../electron/application/broker/setup.ts';
import { VirtualClock } from '../../electron/engine/clock.ts';
import { openWorkstation, type Workstation } from '../../electron/application/workstation.ts';
import { startServer, type RunningServer } from '../../electron/headless/server.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { repoRoot, rpc } from '../helpers/headless.ts';
import { tempDir } from '../store/fixtures.ts';

type Desk = { ws: Workstation; server: RunningServer; url: string; token: string };

const MONDAY = '2027-03-01';
const TUESDAY = '2027-03-02';

const test = base.extend<object, { desk: Desk }>({
  desk: [
    async ({}, use) => {
      const dataDir = tempDir('thetadesk-e2e-defaults-');
      // The wall clock the simulation driver ticks on stands still: only advanceSimulation moves the market.
      const wall = new VirtualClock(Date.now());
      const env = { THETADESK_SIM_START: MONDAY, THETADESK_SIM_SEED: '3', THETADESK_SIM_SPEED: '600' };
      const ws = openWorkstation({ clock: wall, dataDir, backups: false, broker: brokerFromEnv('sim', env, wall, { dataDir }) });
      await expect.poll(() => ws.status().engineState, { timeout: 15_000 }).toBe('stopped');
      const token = 'e2e-defaults-token-' + 'x'.repeat(12);
      const server = await startServer({ workstation: ws, token, rendererDir: path.join(repoRoot, 'out', 'renderer') });
      await use({ ws, server, url: server.url, token });
      await server.close();
      await ws.close();
    },
    { scope: 'worker' },
  ],
});

const open = (page: Page, desk: Desk) => page.goto(`${desk.url}/#token=${desk.token}`);

test('a simulated market far from the wall clock: waits at the open, and the default dates show tonight’s order and export the trades', async ({ page, desk }, testInfo) => {
  test.setTimeout(120_000);
  expect(etDateTime(Date.now()).slice(0, 10)).not.toBe(TUESDAY);
  await open(page, desk);
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Stopped');
  await expect(page.getByTestId('sim-market')).toHaveText('Simulated market waiting at the open (Mon 2027-03-01 09:30 ET) — press Start');
  await expect(page.getByTestId('engine-clock')).toHaveText('2027-03-01 09:30 ET');
  await page.screenshot({ path: testInfo.outputPath('overview-waiting-at-open.png'), fullPage: true });

  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');
  await expect(page.getByTestId('sim-market')).toHaveText('Simulated market running at 600× real time');

  // The session (entries at 10:00, 11:00, 12:00 ET; a snapshot every 5 minutes to 16:00), then the night.
  await desk.ws.advanceSimulation(etToEpoch(MONDAY, '16:05'));
  await desk.ws.advanceSimulation(etToEpoch(TUESDAY, '01:10'));
  const position = (await rpc<Position[]>(desk, 'positions.list')).find((p) => p.status === 'ACTIVE');
  expect(position, 'a paper position open overnight').toBeDefined();
  // Closing it at 01:10 ET: the market is closed, so the close is queued for the open (no order tonight).
  const closing = await rpc<{ queuedFor: number | null }>(desk, 'positions.close', { tradeId: position!.tradeId, confirm: true });
  expect(closing.queuedFor).toBe(etToEpoch(TUESDAY, '09:30'));
  await expect(page.getByTestId('engine-clock')).toHaveText(`${TUESDAY} 01:10 ET`);

  await test.step('Orders & fills defaults to the engine’s date (Tuesday, after midnight), not the last session’s', async () => {
    await page.getByRole('button', { name: 'Orders & fills' }).click();
    await expect(page.getByLabel('From (ET)')).toHaveValue('2027-02-23');
    await expect(page.getByLabel('To (ET)')).toHaveValue(TUESDAY);
    await expect(page.getByRole('table', { name: 'Orders' })).toContainText(MONDAY);
    await page.screenshot({ path: testInfo.outputPath('orders-default-range-night.png'), fullPage: true });
  });

  // The open: the queued close goes out at 09:30 ET on Tuesday, and the page, following the engine, lists it.
  await desk.ws.advanceSimulation(etToEpoch(TUESDAY, '09:31'));
  const orders = await rpc<Order[]>(desk, 'orders.list', { from: MONDAY, to: TUESDAY });
  const sent = orders.find((o) => o.purpose === 'CLOSE' && o.tradeId === position!.tradeId);
  expect(sent && etDateTime(sent.createdAt)).toBe(`${TUESDAY} 09:30:00`);
  await test.step('the close sent at the open is on Orders & fills with the default dates', async () => {
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'Orders & fills' }).click();
    await expect(page.getByLabel('To (ET)')).toHaveValue(TUESDAY);
    const row = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: `${TUESDAY} 09:30:00` });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Close');
    await page.screenshot({ path: testInfo.outputPath('orders-default-range.png'), fullPage: true });
  });

  await test.step('Decisions and Context default to the engine’s date too', async () => {
    await page.getByRole('button', { name: 'Decisions' }).click();
    await expect(page.getByLabel('To (ET)')).toHaveValue(TUESDAY);
    await expect(page.getByRole('table', { name: 'Decisions' })).toContainText(`${MONDAY} 10:00:00`);
    await page.getByRole('button', { name: 'Context' }).click();
    await expect(page.getByLabel('From (ET)')).toHaveValue('2027-02-26');
    await expect(page.getByLabel('To (ET)')).toHaveValue(TUESDAY);
  });

  await test.step('Trades → Export CSV with the defaults writes the simulated trades', async () => {
    await page.getByRole('button', { name: 'Trades', exact: true }).click();
    await expect(page.getByLabel('From (ET)', { exact: true })).toHaveValue('2026-03-02');
    await expect(page.getByLabel('To (ET)', { exact: true })).toHaveValue(TUESDAY);
    const trades = await rpc<unknown[]>(desk, 'trades.list', { from: MONDAY, to: TUESDAY, limit: 1000 });
    expect(trades.length).toBeGreaterThan(0);
    await expect(page.getByRole('heading', { name: `Trades (${trades.length})` })).toBeVisible();
    await expect(page.getByTestId('export-range')).toHaveText(`2026-03-02 to ${TUESDAY} (ET), the filter's dates`);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`thetadesk-trades-2026-03-02-to-${TUESDAY}.csv`);
    const file = testInfo.outputPath('trades.csv');
    await download.saveAs(file);
    const rows = readFileSync(file, 'utf8').split('\r\n').filter(Boolean).length - 1;
    expect(rows).toBe(trades.length);
    await expect(page.getByRole('status')).toContainText(`Exported ${rows} row`);
    await page.screenshot({ path: testInfo.outputPath('trades-export-defaults.png'), fullPage: true });
  });
});

test('notifications are still on Overview after a reload', async ({ page, desk }, testInfo) => {
  await open(page, desk);
  const list = page.getByRole('list', { name: 'Recent notifications' });
  await rpc(desk, 'engine.closeAll', { confirm: true });
  await expect(list).toContainText('Close all');
  const before = await list.getByRole('listitem').allTextContents();
  await page.reload();
  await expect(page.getByTestId('engine-state')).toBeVisible();
  await expect(list.getByRole('listitem').first()).toBeVisible();
  expect(await list.getByRole('listitem').allTextContents()).toEqual(before);
  await page.screenshot({ path: testInfo.outputPath('overview-notifications-after-reload.png'), fullPage: true });
});
