/** The Backtests page as a person uses it: run seed 000 over a simulated week, read the results, reopen a run, fix a bad input. */
import { expect, test } from './fixtures.ts';
import type { Page } from '@playwright/test';

async function runAndWait(page: Page, from: string, to: string, seed: string): Promise<string> {
  await page.getByLabel('From (ET)', { exact: true }).fill(from);
  await page.getByLabel('To (ET)', { exact: true }).fill(to);
  await page.getByLabel('Seed', { exact: true }).fill(seed);
  await page.getByRole('button', { name: 'Run backtest' }).click();
  const progress = page.getByRole('progressbar', { name: 'Backtest progress' });
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('bt-progress-text')).toContainText('Done', { timeout: 120_000 });
  await expect(progress).toHaveAttribute('value', '1');
  return (await page.getByTestId('bt-progress-text').textContent()) ?? '';
}

/** Closed trades in the statistics + open at the end = rows of the trade list. */
async function expectCountsMatch(page: Page): Promise<number> {
  const closed = Number(await page.getByTestId('bt-stat-trades').textContent());
  const open = Number(/^\d+/.exec((await page.getByTestId('bt-stat-open').textContent()) ?? '')?.[0]);
  const table = page.getByRole('table', { name: 'Backtest trades' });
  await expect(table.getByRole('row')).toHaveCount(closed + open + 1); // + the header row
  return closed;
}

test('run a one-week backtest from the Backtests page, read its results, reopen it, and get a clear message on a bad period', async ({ page, openApp }, testInfo) => {
  test.setTimeout(240_000);
  await openApp(page);
  await page.getByRole('button', { name: 'Backtests' }).click();
  await expect(page.getByText('Run a backtest: pick dates and press Run')).toBeVisible();
  await expect(page.getByLabel('Strategy', { exact: true })).toHaveValue('credit-verticals');
  await expect(page.getByLabel('Slippage fraction', { exact: true })).toHaveValue('0.30');
  await page.screenshot({ path: testInfo.outputPath('backtests-form.png'), fullPage: true });

  // A week of the simulated market (seed 1). The progress bar is shown as soon as it starts.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-11-23');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-11-27');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByRole('progressbar', { name: 'Backtest progress' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('backtests-running.png'), fullPage: true });
  await expect(page.getByTestId('bt-progress-text')).toContainText('Done', { timeout: 120_000 });
  const weekDone = (await page.getByTestId('bt-progress-text').textContent()) ?? '';
  testInfo.annotations.push({ type: 'one-week backtest', description: weekDone });

  // Results: statistics, both charts, the trade list with as many rows as the statistics count.
  await expect(page.getByRole('region', { name: 'Statistics' })).toBeVisible();
  const closed = await expectCountsMatch(page);
  expect(closed).toBeGreaterThan(0);
  await expect(page.getByRole('img', { name: 'Backtest equity curve' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Backtest drawdown' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Backtest trades' })).toContainText('TAKE_PROFIT_50');
  const total = await page.getByTestId('bt-stat-total').textContent();
  // The page scrolls inside the app's frame: a tall window shows every result at once.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1440, height: 1900 });
  await page.screenshot({ path: testInfo.outputPath('backtests-results.png') });
  if (viewport) await page.setViewportSize(viewport);

  // A month with another seed, then reopen the week from the list of previous runs: the same figures.
  const monthDone = await runAndWait(page, '2026-10-01', '2026-10-30', '7');
  testInfo.annotations.push({ type: 'one-month backtest', description: monthDone });
  await expectCountsMatch(page);
  const runs = page.getByRole('table', { name: 'Previous backtests' });
  await expect(runs.getByRole('row')).toHaveCount(3);
  await runs.getByRole('button', { name: /^Open backtest credit-verticals 2026-11-23 → 2026-11-27 seed 1/ }).click();
  await expect(page.getByRole('heading', { name: 'credit-verticals 2026-11-23 → 2026-11-27, seed 1' })).toBeVisible();
  await expect(page.getByTestId('bt-stat-total')).toHaveText(total ?? '');
  expect(await expectCountsMatch(page)).toBe(closed);

  // From after To: a clear alert, nothing started.
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-11-27');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-11-23');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByRole('alert')).toContainText('From (2026-11-27) is after To (2026-11-23)');
  await expect(page.getByLabel('From (ET)', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(runs.getByRole('row')).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('backtests-bad-input.png'), fullPage: true });
});

test('the commission is a field (the paper account’s by default) shown with the run; a long run can be cancelled and the next one starts', async ({ page, openApp }) => {
  test.setTimeout(240_000);
  await openApp(page);
  await page.getByRole('button', { name: 'Backtests' }).click();
  await expect(page.getByLabel('Commission ($ per contract)', { exact: true })).toHaveValue('0.65');

  // A bad commission: a clear message, nothing started.
  await page.getByLabel('Commission ($ per contract)', { exact: true }).fill('0.655');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByRole('alert')).toContainText('The commission must be dollars per contract from 0 to 100, to the cent');

  // A whole year at $1.00 a contract, cancelled part-way.
  await page.getByLabel('Commission ($ per contract)', { exact: true }).fill('1');
  await page.getByLabel('From (ET)', { exact: true }).fill('2026-01-02');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-12-31');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByTestId('bt-fill-model')).toHaveText('Fill model: mid ∓ f × (ask − bid), f 0.30, $1.00 commission per contract per leg');
  await page.getByRole('button', { name: 'Cancel backtest' }).click();
  await expect(page.getByTestId('bt-progress-text')).toContainText('Cancelled at');
  // Its results say how far it got (here at once: nothing saved yet, or what it had done by then).
  await expect(page.getByRole('list', { name: 'Backtest warnings' })).toContainText(/^Cancelled at \d+% \(2026-\d\d-\d\d\): /);
  const runs = page.getByRole('table', { name: 'Previous backtests' });
  await expect(runs.getByRole('row').nth(1)).toContainText('cancelled');
  await expect(page.getByRole('button', { name: 'Run backtest' })).toBeEnabled();

  await page.getByLabel('From (ET)', { exact: true }).fill('2026-11-23');
  await page.getByLabel('To (ET)', { exact: true }).fill('2026-11-27');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByTestId('bt-progress-text')).toContainText('Done', { timeout: 120_000 });
  // Newest first: the finished week, then the cancelled year.
  await expect(runs.getByRole('row').nth(1)).toContainText('done');
  await expect(runs.getByRole('row').nth(2)).toContainText('cancelled');
});
