/**
 * Overview, as a trader reads it, in Chromium against the headless server on the simulator (held at
 * Monday's open until Start, so the account stands still): the account's available funds are the figure
 * /api/account reports, and the next scheduled runs list only the systems that are switched on.
 */
import { test as base, expect, type Page } from '@playwright/test';
import type { Status } from '../../shared/api.ts';
import { formatUsd } from '../../shared/format.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const server = await startHeadless({ env: { THETADESK_SIM_START: '2026-11-23', THETADESK_SIM_SPEED: '300', THETADESK_SIM_SEED: '3' } });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

const open = (page: Page, server: Headless) => page.goto(`${server.url}/#token=${server.token}`);
const restGet = async (server: Headless, path: string) => (await fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } })).json() as Promise<Record<string, unknown>>;

test('Overview: available funds, the figure /api/account reports', async ({ page, server }) => {
  await expect.poll(async () => (await restGet(server, '/api/account')).available_funds, { timeout: 15_000 }).toEqual(expect.any(Number));
  const funds = (await restGet(server, '/api/account')).available_funds as number;
  expect(funds).toBeGreaterThan(0);
  await open(page, server);
  const card = page.getByRole('region', { name: 'Account' });
  await expect(card.getByTestId('available-funds')).toHaveText(formatUsd(funds));
});

test('Overview: the next scheduled runs leave out switched-off systems and say so', async ({ page, server }) => {
  await open(page, server);
  const { strategies } = await rpc<Status>(server, 'status.get');
  // Every system off but the first (the default app has at least two).
  expect(strategies.length).toBeGreaterThan(1);
  const [on, ...off] = strategies;
  await rpc(server, 'engine.start', { strategyId: on!.id });
  for (const s of off) await rpc(server, 'engine.stop', { strategyId: s.id });
  await page.reload();
  const table = page.getByRole('table', { name: 'Next scheduled runs' });
  await expect(table).toContainText(on!.name);
  for (const s of off) await expect(table).not.toContainText(s.name);
  const note = page.getByTestId('runs-switched-off');
  for (const s of off) await expect(note).toContainText(s.name);
  await expect(note).toContainText('switched off');
});
