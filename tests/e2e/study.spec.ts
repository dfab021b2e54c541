/**
 * The Study page (seed 001) as a person reads it: an empty state until the study has data, then — after
 * `thetadesk study walk-forward`, `fit --promote` and `forward` on the real SPY hourly bars into the
 * server's data folder — today's probability table and strike ladder, the reliability diagram with
 * Brier and skill against climatology, and the walk-forward and forward-test tabs with both exit views.
 * Read-only: the page calls nothing that changes anything.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { repoRoot } from '../helpers/headless.ts';

const BARS = path.resolve(repoRoot, '../shared/data/spy_hourly_raw_lean_1998_2021.csv.gz');
const MUTATING = ['engine.start', 'engine.stop', 'engine.closeAll', 'positions.close', 'strategies.setConfig', 'settings.set', 'backtest.start'];

function study(dataDir: string, args: string[]): void {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/thetadesk.js'), 'study', ...args, '--bars', BARS, '--data-dir', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`thetadesk study ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

test('the Study page: empty state, then the probability table, ladder, reliability diagram and both exit views', async ({ page, openApp, server }, testInfo) => {
  test.setTimeout(180_000);
  const calls: string[] = [];
  page.on('request', (req) => {
    const m = /\/rpc\/([\w.]+)/.exec(req.url());
    if (m) calls.push(m[1]!);
  });
  await openApp(page);
  await page.getByRole('button', { name: 'Study (0DTE)' }).click();
  await expect(page.getByRole('status')).toContainText('No study data yet. Run "npx thetadesk study walk-forward');
  await expect(page.getByRole('note', { name: 'Disclaimer' })).toContainText('not financial advice');

  study(server.dataDir, ['walk-forward', '--from', '2019-01-02', '--to', '2021-02-26', '--out', path.join(server.dataDir, 'wf.csv')]);
  study(server.dataDir, ['fit', '--through', '2021-02-26', '--promote']);
  study(server.dataDir, ['forward', '--from', '2021-03-01', '--to', '2021-03-31']);

  await page.getByRole('button', { name: 'Refresh' }).click();
  const note = page.getByRole('note', { name: 'Disclaimer' });
  await expect(note).toContainText('Research and decision support only — not financial advice.');
  await expect(note).toContainText('SPY proxy — not SPX/SPXW.');
  await expect(page.getByText(/with hourly bars the first decision time the data supports at or after 10:30 is 11:00 ET/)).toBeVisible();
  await expect(page.getByLabel('Active model')).toContainText('trained through 2021-02-26');

  // Today: the latest forward decision (2021-03-31 at 11:00 ET).
  await expect(page.getByRole('heading', { name: 'Probability table — 2021-03-31 11:00 ET' })).toBeVisible();
  const probs = page.getByRole('table', { name: 'Breach probabilities' });
  await expect(probs.getByRole('row')).not.toHaveCount(1);
  const ladder = page.getByRole('table', { name: 'Strike ladder' });
  await expect(ladder.getByRole('row')).toHaveCount(5);
  await expect(ladder).toContainText('0.5%');
  await expect(ladder).toContainText('5.0%');
  await page.screenshot({ path: testInfo.outputPath('study-today.png'), fullPage: true });

  // Fill assumptions change the ladder's fills and EV, not the probabilities.
  const bidText = await ladder.textContent();
  await page.getByLabel('Fill', { exact: true }).selectOption('mid');
  await expect(page.getByText(/premiums at the mid less \$0\.00 slippage/)).toBeVisible();
  await expect.poll(async () => (await ladder.textContent()) !== bidText).toBe(true);

  // Calibration: the reliability diagram and Brier / skill against climatology.
  await page.getByRole('tab', { name: 'Calibration' }).click();
  await expect(page.getByRole('img', { name: 'Reliability diagram, all strikes' })).toBeVisible();
  const scores = page.getByLabel('Brier and skill');
  await expect(scores).toContainText('Brier (climatology)');
  await expect(page.getByText(/The conditional model (beats|does NOT beat) the climatological forecast\./)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Calibration by regime' })).toContainText('vix20-30');
  await page.getByLabel('Risk tier', { exact: true }).selectOption('1.0%');
  await expect(page.getByRole('img', { name: 'Reliability diagram, tier 1.0%' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('study-calibration.png'), fullPage: true });
  await page.getByLabel('Risk tier', { exact: true }).selectOption('all');

  // Walk-forward: both exit views side by side.
  await page.getByRole('tab', { name: 'Walk-forward' }).click();
  const byTier = page.getByRole('table', { name: 'Tier: hold to close and adaptive exit' }).first();
  await expect(byTier).toContainText('hold_to_close');
  await expect(byTier).toContainText('adaptive_exit');
  await expect(page.getByLabel('Acceptance criteria')).toContainText('Brier skill vs climatology');
  await page.screenshot({ path: testInfo.outputPath('study-walk-forward.png'), fullPage: true });

  // Forward test.
  await page.getByRole('tab', { name: 'Forward test' }).click();
  await expect(page.getByText(/23 sessions, 92 tier rows: 92 reconciled, 0 pending, 0 skipped/)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Forward-test rows' })).toContainText('2021-03-31');
  await page.screenshot({ path: testInfo.outputPath('study-forward.png'), fullPage: true });

  expect(calls).toContain('study.get');
  expect(calls.filter((c) => MUTATING.includes(c))).toEqual([]);
});
