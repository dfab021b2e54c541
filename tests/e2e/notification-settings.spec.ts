import { startWebhooks, type LocalWebhooks } from '../helpers/notify-receivers.ts';
import { expect, test } from './fixtures.ts';

const HOOK_SECRET = 'T0E2E/B0E2E/e2eSlackSecretPart';
let hooks: LocalWebhooks;

test.beforeAll(async () => {
  hooks = await startWebhooks('111111111:AAunusedUnusedUnusedUnused');
});
test.afterAll(async () => {
  await hooks.close();
});

test('Settings: e-mail and webhook fields are validated clearly; the webhook URL is write-only; a test notification reports what happened', async ({ page, openApp, server }, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'E-mail and webhooks' })).toBeVisible();
  await expect(page.getByLabel('SMTP port')).toHaveValue('587');
  await expect(page.getByLabel('Webhook URL')).toHaveAttribute('placeholder', 'not set');

  // A port out of range, then e-mail on with no recipient: each refused with the field named.
  await page.getByLabel('SMTP port').fill('70000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('delivery.email.port: the port must be from 1 to 65535');
  await page.getByLabel('SMTP port').fill('587');
  await page.getByLabel('Send notifications by e-mail').check();
  await page.getByLabel('SMTP server').fill('smtp.example.com');
  await page.getByLabel('From', { exact: true }).fill('desk@example.com');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('delivery.email.to: e-mail notifications need at least one recipient');
  await page.getByLabel('Send notifications by e-mail').uncheck();
  // A webhook over plain http to another computer is refused.
  await page.getByLabel('Webhook URL').fill('http://hooks.example.com/services/x');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('delivery.slack.webhookUrl: the webhook URL must use https://');
  await page.screenshot({ path: testInfo.outputPath('delivery-bad-url.png'), fullPage: true });

  // The local receiver's URL: stored, shown only as "stored", never in the page or in settings.get.
  const url = `${hooks.url}/services/${HOOK_SECRET}`;
  await page.getByLabel('Webhook URL').fill(url);
  await page.getByLabel('Send notifications to a Slack incoming webhook').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByLabel('Webhook URL')).toHaveValue('');
  await expect(page.getByLabel('Webhook URL')).toHaveAttribute('placeholder', 'stored');
  expect(await page.content()).not.toContain(HOOK_SECRET);
  const get = await page.request.post(`${server.url}/rpc/settings.get`, { headers: { authorization: `Bearer ${server.token}` }, data: {} });
  const getText = await get.text();
  expect(getText).toContain('"webhookUrlSet":true');
  expect(getText).not.toContain(HOOK_SECRET);

  // Send test notification: delivered to the receiver, reported on the page.
  await page.getByRole('button', { name: 'Send test notification' }).click();
  const results = page.getByRole('list', { name: 'Test notification results' });
  await expect(results).toContainText('Slack webhook: Sent: delivered to the Slack webhook.');
  expect(hooks.posts.map((p) => p.path)).toEqual([`/services/${HOOK_SECRET}`]);
  expect((hooks.posts[0]!.body as { text: string }).text).toContain('This is a test notification from Thetadesk');

  // The receiver failing: the exact failure is shown.
  hooks.mode = 'fail';
  await page.getByRole('button', { name: 'Send test notification' }).click();
  await expect(results).toContainText('Slack webhook: The Slack webhook refused the message: HTTP 500 internal_error.');
  await page.screenshot({ path: testInfo.outputPath('delivery-test-failed.png'), fullPage: true });
  hooks.mode = 'ok';

  // Forget the URL: the channel is turned off with it.
  await page.getByRole('button', { name: 'Forget Slack webhook URL' }).click();
  await expect(page.getByRole('status')).toHaveText('Slack webhook URL forgotten.');
  await expect(page.getByLabel('Webhook URL')).toHaveAttribute('placeholder', 'not set');
  await expect(page.getByLabel('Send notifications to a Slack incoming webhook')).not.toBeChecked();
});
