import { expect, test } from './fixtures.ts';

test("Strategies: the SPY/SPX 0DTE system's card puts the seeds' claims beside what is measured", async ({ page, openApp }, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Strategies' }).click();
  const card = page.getByRole('region', { name: 'SPY/SPX 0DTE call position' });
  await expect(card).toContainText('Seed 004');
  // Off until someone switches it on.
  await expect(card.getByRole('switch', { name: 'SPY/SPX 0DTE call position enabled' })).not.toBeChecked();
  await expect(card).toContainText('SPX/SPY is within 9.95–10.05');
  const claims = card.getByRole('table', { name: 'SPY/SPX 0DTE call position: seed claims vs measured' });
  await expect(claims.getByRole('row', { name: /Win rate/ })).toContainText('85–90 %');
  await expect(claims.getByRole('row', { name: /Average P&L per trade/ })).toContainText('$500–$800');
  // Nothing traded yet: the measurement says so rather than echoing the claim.
  await expect(claims.getByRole('row', { name: /Win rate/ }).getByRole('cell').nth(1)).toHaveText('—');
  await expect(card).toContainText('npx thetadesk backtest spy-spx-0dte');
  // Every seed 004 default is in the form.
  await expect(card.getByLabel('Min entry credit')).toHaveValue('400.00');
  await expect(card.getByLabel('Max daily loss')).toHaveValue('1000.00');
  await claims.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('spy-spx-claims.png') });
});
