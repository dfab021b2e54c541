import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogFile } from '../../electron/application/logs/file.ts';
import { LogHub } from '../../electron/application/logs/hub.ts';
import { startHeadless } from '../helpers/headless.ts';
import { expect, test } from './fixtures.ts';

const PREVIOUS_RUN = 1_200;

test('the log page reads back the run before a restart and loads older lines', async ({ page }, testInfo) => {
  test.setTimeout(120_000); // starts its own server on a seeded data folder
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'td-e2e-logs-'));
  // A previous run's log on disk, written the way the engine writes it.
  const at = Date.UTC(2026, 2, 2, 15, 0);
  const previous = new LogHub(() => at, { file: await LogFile.open(path.join(dataDir, 'logs')) });
  for (let i = 1; i <= PREVIOUS_RUN; i++) previous.logger(i % 100 === 0 ? 'broker:sim' : 'engine').info(`previous run line ${i}`);
  await previous.close();

  const server = await startHeadless({ dataDir });
  try {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.getByRole('button', { name: 'Logs' }).click();
    const table = page.getByRole('table', { name: 'Log lines' });
    // This run's lines on top, then the restart row, then the run before it.
    await expect(table).toContainText(`Restart — the app started again here, at `);
    await expect(table).toContainText(`by the wall clock (line #${PREVIOUS_RUN + 1}); the lines below are from the run before.`);
    await expect(table).toContainText(`previous run line ${PREVIOUS_RUN}`);
    await expect(table).toContainText('Workstation ready');
    await page.screenshot({ path: testInfo.outputPath('logs-after-restart.png') });

    // The engine filters; "Load older lines" pages back through the files to the first line kept.
    await page.getByLabel('Search').fill('PREVIOUS RUN line');
    // The search is sent once typing settles: wait until this run's lines have left the table.
    await expect(table).not.toContainText('Workstation ready');
    const older = page.getByRole('button', { name: 'Load older lines' });
    await expect(page.getByText('500 lines')).toBeVisible();
    await expect(older).toBeEnabled();
    await older.click();
    await expect(page.getByText('1000 lines')).toBeVisible();
    await expect(older).toBeEnabled();
    await older.click();
    await expect(page.getByText(`${PREVIOUS_RUN} lines`)).toBeVisible();
    await expect(page.getByText('Start of the kept log.')).toBeVisible();
    await page.getByRole('region', { name: 'Log lines (scrollable)' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(table.getByRole('cell', { name: 'previous run line 1', exact: true })).toBeVisible();

    // Source filter, served from the same files.
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Source').selectOption('broker:sim');
    await expect(table.getByRole('cell', { name: 'previous run line 1200', exact: true })).toBeVisible();
    await expect(table.getByRole('cell', { name: 'previous run line 1199', exact: true })).toHaveCount(0);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
