import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The engine's status as the server has it (the contract call the UI makes). */
async function strategyEnabled(page: Page, url: string, token: string): Promise<boolean | undefined> {
  const r = await page.request.post(`${url}/rpc/status.get`, { headers: { authorization: `Bearer ${token}` }, data: {} });
  const body = (await r.json()) as { value: { strategies: { id: string; enabled: boolean }[] } };
  return body.value.strategies.find((s) => s.id === 'credit-verticals')?.enabled;
}

test('Strategies: defaults, a refused value, a saved value that persists, and the on/off switch', async ({ page, server, openApp }, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Strategies' }).click();
  // On the default $100,000 account Optimus cannot fit one 50-wide spread at 2 %: its card says so and what would.
  await expect(page.getByRole('region', { name: /^Optimus/ }).getByTestId('strategy-warning')).toContainText('At $100,000 equity, 2 % risk per trade ($2,000, $3,000 at the highest conviction) cannot fit one 50-wide spread (max loss ≈ $4,700): Optimus will not enter.');
  const card = page.getByRole('region', { name: 'SPX credit verticals (3/5/7 DTE)' });
  await expect(card).toContainText('Seed 000');
  await expect(card).toContainText('Closed trades');
  const takeProfit = card.getByLabel('Take profit (fraction of max profit)');
  await expect(takeProfit).toHaveValue('0.5');
  await expect(card.getByLabel('Contracts (spreads)')).toHaveValue('1');
  await expect(card.getByLabel('Target DTEs (calendar days, comma-separated)')).toHaveValue('3, 5, 7');
  await expect(card.getByRole('group', { name: 'Session exit' })).toBeVisible();
  await expect(card.getByLabel('Close before the session ends')).not.toBeChecked();
  await page.screenshot({ path: testInfo.outputPath('strategies-defaults.png') });

  // A value out of range: the server refuses it, naming the field and the range; nothing is saved.
  await takeProfit.fill('5');
  await card.getByRole('button', { name: 'Save configuration' }).click();
  const alert = card.getByRole('alert');
  await expect(alert).toContainText('takeProfitPct: must be at most 1');
  await expect(alert).toContainText('allowed: more than 0 up to 1');
  await expect(alert).toContainText("the seed's default is 0.5");
  await expect(takeProfit).toHaveAttribute('aria-invalid', 'true');
  // The field the message names shows it too.
  await expect(card.locator('#cfg-credit-verticals-takeProfitPct-err')).toContainText('must be at most 1');
  await takeProfit.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('strategies-refused-field.png') });
  await alert.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('strategies-refused-alert.png') });
  await page.reload();
  await page.getByRole('button', { name: 'Strategies' }).click();
  await expect(card.getByLabel('Take profit (fraction of max profit)')).toHaveValue('0.5');

  // A good value: saved as a new version, still there after a reload.
  await card.getByLabel('Take profit (fraction of max profit)').fill('0.65');
  await card.getByLabel('Target DTEs (calendar days, comma-separated)').fill('3, 5');
  await card.getByRole('button', { name: 'Save configuration' }).click();
  await expect(card.getByRole('status')).toHaveText(/^Saved — version \d+, applies from the next decision\.$/);
  await expect(card.getByRole('alert')).toHaveCount(0);
  await card.getByRole('status').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('strategies-saved.png') });
  await page.reload();
  await page.getByRole('button', { name: 'Strategies' }).click();
  await expect(card.getByLabel('Take profit (fraction of max profit)')).toHaveValue('0.65');
  await expect(card.getByLabel('Target DTEs (calendar days, comma-separated)')).toHaveValue('3, 5');

  // Reset loads the seed's defaults into the form (saved only with Save).
  await card.getByRole('button', { name: 'Reset to seed defaults' }).click();
  await expect(card.getByLabel('Take profit (fraction of max profit)')).toHaveValue('0.5');
  await expect(card.getByRole('status')).toContainText('Seed defaults loaded');

  // The system's switch: off, then on again, as the engine's status says.
  const toggle = card.getByRole('switch', { name: 'SPX credit verticals (3/5/7 DTE) enabled' });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect(card).toContainText('Off: no new entries');
  await expect.poll(() => strategyEnabled(page, server.url, server.token)).toBe(false);
  await toggle.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('strategies-off.png') });
  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(card).toContainText('On: new entries allowed');
  await expect.poll(() => strategyEnabled(page, server.url, server.token)).toBe(true);
});
