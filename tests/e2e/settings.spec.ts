import { LIVE_CONFIRMATION } from '../../shared/api.ts';
import { expect, test } from './fixtures.ts';

const TOKEN = 'tdr-E2eSecretToken-7Hq2Lx9';

test('Settings: a bad port is refused clearly, a good one saved; the Tradier token is stored but never shown', async ({ page, openApp, server }, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('Broker to connect')).toHaveValue('sim');
  await expect(page.getByLabel('IB port')).toHaveValue('4002');
  await expect(page.getByRole('radio', { name: /Paper/ })).toBeChecked();
  await expect(page.getByLabel('Data folder location')).toHaveAttribute('readonly', '');
  await expect(page.getByText('THETADESK_DATA_DIR')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('settings-defaults.png'), fullPage: true });

  await page.getByLabel('IB port').fill('70000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('ibkr.port: the port must be from 1 to 65535');
  await page.screenshot({ path: testInfo.outputPath('settings-bad-port.png'), fullPage: true });

  // IB Gateway's live port in paper mode: saved, with a warning saying what it means and what to use.
  await page.getByLabel('IB port').fill('4001');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('IB port 4001 (saved) is the live port of IB Gateway, but the mode is paper');
  await expect(page.getByRole('alert')).toContainText('Use 4002, the paper port, for paper trading.');
  await page.screenshot({ path: testInfo.outputPath('settings-live-port-warning.png'), fullPage: true });

  await page.getByLabel('IB port').fill('4003');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('IB port')).toHaveValue('4003');

  // The token: typed once, stored, shown only as "stored"; never in the page or in settings.get.
  const responses: string[] = [];
  page.on('response', async (r) => {
    if (r.url().includes('/rpc/settings.')) responses.push(await r.text());
  });
  await page.getByLabel('Tradier account').fill('VA00001111');
  await page.getByLabel('Tradier token').fill(TOKEN);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const token = page.getByLabel('Tradier token');
  await expect(token).toHaveValue('');
  await expect(token).toHaveAttribute('placeholder', 'stored');
  await expect(page.getByRole('button', { name: 'Forget token' })).toBeVisible();
  expect(await page.content()).not.toContain(TOKEN);
  // settings.get as any client sees it: whether a token is stored, never the token.
  const get = await page.request.post(`${server.url}/rpc/settings.get`, { headers: { authorization: `Bearer ${server.token}` }, data: {} });
  const getText = await get.text();
  expect(getText).toContain('"tokenSet":true');
  expect(getText).not.toContain(TOKEN);
  expect(responses.length).toBeGreaterThanOrEqual(1);
  for (const body of responses) expect(body).not.toContain(TOKEN);
  expect(responses.at(-1)).toContain('"tokenSet":true');
  await page.screenshot({ path: testInfo.outputPath('settings-token-stored.png'), fullPage: true });

  // Forget it.
  await page.getByRole('button', { name: 'Forget token' }).click();
  await expect(page.getByRole('status')).toHaveText('Tradier token forgotten.');
  await expect(page.getByLabel('Tradier token')).toHaveAttribute('placeholder', 'not set');
});

test('Settings: live needs the exact sentence; cancel keeps paper; a saved broker change says it applies at the next start', async ({ page, openApp, server }, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: /Live/ }).click(); // opens the dialog; the radio stays on paper until confirmed
  const dialog = page.getByRole('alertdialog', { name: 'Switch to live trading?' });
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole('button', { name: 'Switch to live' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Confirmation sentence').fill(LIVE_CONFIRMATION.toLowerCase());
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Confirmation sentence').fill(LIVE_CONFIRMATION.slice(0, -1));
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Confirmation sentence').fill(LIVE_CONFIRMATION);
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('settings-live-dialog.png'), fullPage: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('radio', { name: /Paper/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Live/ })).not.toBeChecked();

  // Confirmed live on the simulator: the server refuses (the simulator is paper only) and nothing changes.
  await page.getByRole('radio', { name: /Live/ }).click(); // opens the dialog; the radio stays on paper until confirmed
  await dialog.getByLabel('Confirmation sentence').fill(LIVE_CONFIRMATION);
  await dialog.getByRole('button', { name: 'Switch to live' }).click();
  await expect(page.getByRole('radio', { name: /Live/ })).toBeChecked();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('the simulator trades paper only');
  const saved = await page.request.post(`${server.url}/rpc/settings.get`, { headers: { authorization: `Bearer ${server.token}` }, data: {} });
  expect(((await saved.json()) as { value: { mode: string } }).value.mode).toBe('paper');

  // Choosing IB Gateway is saved for the next start, and the page says so.
  await page.getByRole('radio', { name: /Paper/ }).check();
  await page.getByLabel('Broker to connect').selectOption('ibkr');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved. The new broker settings apply the next time Thetadesk starts.');
  await page.screenshot({ path: testInfo.outputPath('settings-restart-required.png'), fullPage: true });
});
