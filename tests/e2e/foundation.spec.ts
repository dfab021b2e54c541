import { expect, test } from './fixtures.ts';

test('Start, Stop and Close all change the engine state, and every open client sees it', async ({ page, browser, server, openApp }, testInfo) => {
  await openApp(page);
  const engine = page.getByTestId('engine-state');
  await expect(engine).toHaveText('Engine: Stopped');
  await expect(page.getByTestId('stream-state')).toHaveText('Live updates');
  // The token is taken out of the address bar once read.
  expect(page.url()).not.toContain('token=');

  // A second client, opened separately, follows the changes through the event stream.
  const other = await browser.newPage();
  await other.goto(`${server.url}/#token=${server.token}`);
  await expect(other.getByTestId('engine-state')).toHaveText('Engine: Stopped');

  await page.getByRole('button', { name: 'Start' }).click();
  await expect(engine).toHaveText('Engine: Running');
  await expect(other.getByTestId('engine-state')).toHaveText('Engine: Running');
  await page.screenshot({ path: testInfo.outputPath('running.png') });

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(engine).toHaveText('Engine: Stopped');
  await expect(other.getByTestId('engine-state')).toHaveText('Engine: Stopped');

  await page.getByRole('button', { name: 'Start' }).click();
  await expect(engine).toHaveText('Engine: Running');

  // Close all asks first; cancelling changes nothing.
  await page.getByRole('button', { name: 'Close all' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Close all positions?' });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('close-all-confirm.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(engine).toHaveText('Engine: Running');

  await page.getByRole('button', { name: 'Close all' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Close all positions' }).click();
  await expect(engine).toHaveText('Engine: Stopped');
  await expect(other.getByTestId('engine-state')).toHaveText('Engine: Stopped');
  await expect(page.getByText('new entries disabled until Start')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('after-close-all.png'), fullPage: true });
  await other.close();
});

test('without the token the page says what to do', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByRole('alert')).toContainText('Open the URL the Thetadesk server printed');
});

test('the log page lists what the engine did', async ({ page, openApp }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('button', { name: 'Logs' }).click();
  await expect(page.getByRole('table', { name: 'Log lines' })).toContainText('Start: new entries allowed.');
});
