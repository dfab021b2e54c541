import { readFileSync } from 'node:fs';
import { test as base, expect } from '@playwright/test';
import { startHeadless, type Headless } from '../helpers/headless.ts';
import { openTemp, seedArbTrade, tempDir } from '../store/fixtures.ts';

// A server whose database already holds seed 004's closed trade (1 SPX long, 10 SPY short, P&L $222.20),
// on a simulated market two weeks later (the Trades page's default dates reach a year back from it).
const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const dataDir = tempDir('thetadesk-e2e-export-');
      const store = openTemp(dataDir);
      seedArbTrade(store);
      store.close();
      const server = await startHeadless({ dataDir, env: { THETADESK_SIM_START: '2026-02-02' } });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

test('export trades to CSV from the Trades page and open the downloaded file', async ({ page, server }, testInfo) => {
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Trades' }).click();
  const table = page.getByRole('table', { name: 'Trades' });
  await expect(table).toContainText('$620.00');
  await expect(table).toContainText('$222.20');
  await expect(table).toContainText('TIME_EXIT');

  // The export covers the filter's dates.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-01-31');
  await expect(page.getByTestId('export-range')).toHaveText("2026-01-01 to 2026-01-31 (ET), the filter's dates");
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('thetadesk-trades-2026-01-01-to-2026-01-31.csv');
  const file = testInfo.outputPath('trades.csv');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
  expect(lines).toHaveLength(2);
  const header = lines[0]!.split(',');
  const row = lines[1]!.split(',');
  const field = (name: string) => row[header.indexOf(name)];
  expect(header.indexOf('trade_id')).toBeGreaterThanOrEqual(0);
  expect(lines[1]).toContain('222.20');
  expect(field('exit_reason')).toBe('TIME_EXIT');
  expect(lines[1]).toMatch(/2026-01-20T09:35:00(\.\d{3})?-05:00/);
  await expect(page.getByRole('status')).toContainText('Exported 1 row');
  await page.screenshot({ path: testInfo.outputPath('trades-page.png'), fullPage: true });

  // An empty range says so rather than failing.
  await page.getByLabel('From (ET)', { exact: true }).fill('2025-01-01');
  await page.getByLabel('To (ET)', { exact: true }).fill('2025-01-31');
  const empty = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await empty;
  await expect(page.getByRole('status')).toContainText('Exported 0 rows');
});
