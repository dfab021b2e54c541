/**
 * The trading records as a person reads them, against the headless server with the simulated market:
 * the engine enters a trade, then the Decisions page shows the entry with its gates and numbers and
 * opens the chain it read (exactly the chosen legs highlighted), the Orders page shows the entry order
 * with its fills and price steps, and the Context page draws its three charts.
 */
import { test as base, expect, type Page } from '@playwright/test';
import type { Decision, Order } from '../../shared/api.ts';
import { parseOcc } from '../../shared/domain/occ.ts';
import { etDateTime } from '../../shared/time/et.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

// One server for the file: the simulated market from Monday 2026-11-23 at 2000× (a 6.5 h session in ~12 s).
const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const server = await startHeadless({ env: { THETADESK_SIM_START: '2026-11-23', THETADESK_SIM_SPEED: '2000', THETADESK_SIM_SEED: '7' } });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

/** The first ENTER decision whose entry order has filled (its order is created at the decision's time). */
async function enteredAndFilled(server: Headless): Promise<{ decision: Decision; order: Order } | null> {
  const range = { from: '2026-11-23', to: '2026-12-04' };
  const decisions = await rpc<Decision[]>(server, 'decisions.list', { ...range, limit: 10_000 });
  const orders = await rpc<Order[]>(server, 'orders.list', { ...range, limit: 10_000 });
  for (const decision of decisions.filter((d) => d.kind === 'ENTER')) {
    const order = orders.find((o) => o.purpose === 'OPEN' && o.strategyId === decision.strategyId && o.createdAt === decision.decidedAt);
    if (order && order.filledQuantity > 0 && order.fills.length > 0) return { decision, order };
  }
  return null;
}

async function setRange(page: Page, day: string): Promise<void> {
  await page.getByLabel('From (ET)').fill(day);
  await page.getByLabel('To (ET)').fill(day);
}

test('an entry read back: decision with gates and numbers, its snapshot with the chosen legs, the order with fills and steps, the context charts', async ({ page, server }, testInfo) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${server.token}`);
  // Before any decision the snapshot viewer says how to get there.
  await page.getByRole('button', { name: 'Snapshot viewer' }).click();
  await expect(page.getByText('Open a decision on the Decisions page and press View snapshot')).toBeVisible();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');

  // Wait (polling the API, the simulated market running) for an entry and its fill.
  let found: { decision: Decision; order: Order } | null = null;
  await expect
    .poll(async () => (found = await enteredAndFilled(server)) !== null, { timeout: 90_000, intervals: [250] })
    .toBe(true);
  const { decision, order } = found!;
  const day = etDateTime(decision.decidedAt).slice(0, 10);
  const legStrikes = order.legs.map((l) => parseOcc(l.symbol).strike).sort((a, b) => a - b);
  expect(legStrikes).toHaveLength(2);

  await test.step('Context: the three charts fed live, no error', async () => {
    await page.getByRole('button', { name: 'Context' }).click();
    for (const name of ['VIX, VIX9D and VIX3M', 'Term structure VIX9D / VIX', 'GEX net and SPX']) {
      await expect(page.getByRole('img', { name })).toBeVisible();
      // lightweight-charts drew into the element.
      await expect(page.getByRole('img', { name }).locator('canvas').first()).toBeVisible();
    }
    const latest = page.getByLabel('Latest context');
    await expect(latest).toContainText('VIX');
    // The market keeps running: new points stream into the charts and the latest reading moves on.
    const before = await latest.textContent();
    await expect(latest).not.toHaveText(before ?? '');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('context.png'), fullPage: true });
  });
  await test.step('Decisions: filter to the entry, read its gates and numbers', async () => {
    await page.getByRole('button', { name: 'Decisions' }).click();
    await setRange(page, day);
    await page.getByLabel('Kind').selectOption('ENTER');
    const table = page.getByRole('table', { name: 'Decisions' });
    const row = table.getByRole('row').filter({ hasText: etDateTime(decision.decidedAt) });
    await expect(row).toHaveCount(1);
    // The kind filter left only entries.
    await expect(table.getByRole('row').filter({ hasText: 'SKIP' })).toHaveCount(0);
    await row.click();
    await expect(page.getByRole('heading', { name: `Decision ${decision.id} — ${decision.strategyId}` })).toBeVisible();
    const gates = page.getByRole('list', { name: 'Gates' });
    await expect(gates.getByRole('listitem').first()).toBeVisible();
    await expect(gates).toContainText('passed');
    await expect(gates).toContainText(decision.gate ?? 'ENTER');
    const numbers = page.getByRole('term');
    expect(await numbers.count()).toBeGreaterThan(2);
    await expect(page.getByLabel('Decision numbers')).toContainText('deltaTarget');
    await page.screenshot({ path: testInfo.outputPath('decisions.png'), fullPage: true });
  });

  await test.step('Snapshot viewer: the chain the entry read with exactly its legs highlighted', async () => {
    await page.getByRole('button', { name: `View snapshot ${decision.snapshotIds[0]}` }).click();
    await expect(page.getByRole('heading', { name: `Chain snapshot ${decision.snapshotIds[0]} — decision ${decision.id}` })).toBeVisible();
    const chain = page.getByRole('table', { name: /^Chain SPX/ });
    await expect(chain).toBeVisible();
    const highlighted = chain.locator('tbody tr.highlight');
    await expect(highlighted).toHaveCount(2);
    const strikes = (await highlighted.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-strike'))))).sort((a, b) => a - b);
    expect(strikes).toEqual(legStrikes);
    const quantity = decision.quantity ?? 1;
    await expect(highlighted.filter({ hasText: `SELL ${quantity}` })).toHaveCount(1);
    await expect(highlighted.filter({ hasText: `BUY ${quantity}` })).toHaveCount(1);
    await expect(highlighted.first()).toBeInViewport();
    expect(await chain.locator('tbody tr').count()).toBeGreaterThan(10);
    await page.screenshot({ path: testInfo.outputPath('snapshot.png') });
    // A snapshot id that does not exist is said so, and no stale chain stays on screen.
    await page.getByLabel('Snapshot id').fill('999999');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByRole('alert')).toContainText('There is no chain snapshot 999999');
    await expect(chain).toBeHidden();
  });

  await test.step('Orders & fills: the entry order with its fills and price steps', async () => {
    await page.getByRole('button', { name: 'Orders & fills' }).click();
    await setRange(page, day);
    const table = page.getByRole('table', { name: 'Orders' });
    const row = table.getByRole('row').filter({ hasText: etDateTime(order.createdAt) }).filter({ hasText: 'Entry' });
    await expect(row).toHaveCount(1);
    await row.click();
    await expect(page.getByRole('heading', { name: `Order ${order.id} — ${order.clientOrderId}` })).toBeVisible();
    const fills = page.getByRole('table', { name: 'Fills' });
    // The fills now (a partial can have been completed since the poll), one row per leg execution.
    await expect(fills.getByRole('row')).not.toHaveCount(1);
    expect((await fills.getByRole('row').count()) - 1).toBeGreaterThanOrEqual(order.fills.length);
    const legSymbols = order.legs.map((l) => l.symbol);
    for (const s of legSymbols) await expect(fills).toContainText(s);
    const steps = page.getByRole('table', { name: 'Price steps' });
    await expect(steps).toContainText('created');
    await expect(steps).toContainText('Working at credit');
    await expect(steps).toContainText(/Partially filled|Filled/);
    await page.screenshot({ path: testInfo.outputPath('orders.png'), fullPage: true });
  });

  expect(errors).toEqual([]);
});
