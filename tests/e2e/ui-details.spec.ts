/**
 * Details a trader noticed (issue 13, part E), each checked the way a person sees it: the page's own
 * pixels (chart canvases), layout metrics at a 1280 px window, the browser's network log on load.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { LIVE_CONFIRMATION, type Position, type StrategyDetail } from '../../shared/api.ts';
import { rpc, startHeadless, type Headless } from '../helpers/headless.ts';

// One server per file: the simulator 300× faster than real time from Monday 23 Nov 2026, so the
// 10:00 ET entry fills within seconds once started.
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

type Rgba = [number, number, number, number];
const luminance = ([r, g, b]: Rgba) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/**
 * The colours of the horizontal grid lines of a chart, read from its pane canvas: rows whose pixels
 * are (almost) all one opaque colour across the whole width.
 */
async function gridLineColors(chart: Locator): Promise<Rgba[]> {
  return chart.evaluate((host) => {
    const rows = host.querySelectorAll('table tr');
    const canvases = [...(rows[0]?.querySelectorAll('canvas') ?? [])];
    const pane = canvases.sort((a, b) => b.width - a.width)[0]!;
    const { data, width, height } = pane.getContext('2d')!.getImageData(0, 0, pane.width, pane.height);
    const found = new Map<string, [number, number, number, number]>();
    for (let y = 0; y < height; y++) {
      const at = (x: number) => (y * width + x) * 4;
      const first = at(2);
      if (data[first + 3] !== 255) continue;
      let same = 0;
      for (let x = 0; x < width; x++) {
        const i = at(x);
        if (data[i] === data[first] && data[i + 1] === data[first + 1] && data[i + 2] === data[first + 2] && data[i + 3] === 255) same++;
      }
      if (same >= width * 0.9) found.set(`${data[first]},${data[first + 1]},${data[first + 2]}`, [data[first]!, data[first + 1]!, data[first + 2]!, 255]);
    }
    return [...found.values()];
  });
}

/**
 * Ink of the time axis' labels in its leftmost pixel column (below the border line and the tick
 * marks): a label cut by the left edge ("025" for "2025") runs through it; a whole one starts after
 * its first glyph's side bearing.
 */
async function timeAxisEdgeInk(chart: Locator): Promise<{ left: number; labelRows: number }> {
  return chart.evaluate((host) => {
    const rows = host.querySelectorAll('table tr');
    const canvases = [...(rows[rows.length - 1]?.querySelectorAll('canvas') ?? [])];
    const axis = canvases.sort((a, b) => b.width - a.width)[0]!;
    const { data, width, height } = axis.getContext('2d')!.getImageData(0, 0, axis.width, axis.height);
    const top = Math.ceil((8 * axis.width) / axis.clientWidth); // border (1 px) + tick marks (5 px) with a margin, in canvas pixels
    let left = 0;
    let labelRows = 0;
    for (let y = top; y < height; y++) {
      let rowInk = 0;
      for (let x = 0; x < width; x++) if (data[(y * width + x) * 4 + 3]! > 96) rowInk++;
      if (rowInk > 0) labelRows++;
      if (data[y * width * 4 + 3]! > 96) left++;
    }
    return { left, labelRows };
  });
}

async function runBacktest(page: Page, from: string, to: string): Promise<void> {
  await page.getByRole('button', { name: 'Backtests' }).click();
  await page.getByLabel('From (ET)', { exact: true }).fill(from);
  await page.getByLabel('To (ET)', { exact: true }).fill(to);
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await expect(page.getByTestId('bt-progress-text')).toContainText('Done', { timeout: 120_000 });
}

test('the favicon is served: loading the app logs no 404 and no console error', async ({ page, server }) => {
  const problems: string[] = [];
  const icons: { url: string; status: number }[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()} (${m.location().url})`));
  // Chromium fetches the icon outside the page's request events: the DevTools network log has it.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.status >= 400) problems.push(`${e.response.status} ${e.response.url}`);
    if (/favicon|icon/.test(e.response.url)) icons.push({ url: e.response.url, status: e.response.status });
  });
  await open(page, server);
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Stopped');
  // The browser asks for the page's icon once the page has loaded: wait for that answer.
  await expect.poll(() => icons.length, { timeout: 15_000 }).toBeGreaterThan(0);
  expect(icons.map((i) => i.status)).toEqual(icons.map(() => 200));
  // The page declares its icon, a PNG served from the bundle.
  const href = await page.locator('link[rel~="icon"]').getAttribute('href');
  expect(href).toBeTruthy();
  const icon = await page.request.get(new URL(href!, page.url()).href);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/png');
  expect([...(await icon.body()).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(problems).toEqual([]);
});

test('Overview at 1280 px: the next-runs table fits its card', async ({ page, server }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, server);
  const table = page.getByRole('table', { name: 'Next scheduled runs' });
  await expect(table).toContainText('entry');
  const card = page.getByRole('region', { name: 'Next scheduled runs' });
  await card.screenshot({ path: testInfo.outputPath('next-runs-1280.png') });
  await page.screenshot({ path: testInfo.outputPath('overview-1280.png') });
  for (const box of [card, table]) {
    const m = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(m.scroll, `scrollWidth ${m.scroll} > clientWidth ${m.client}`).toBeLessThanOrEqual(m.client);
  }
  // The table stays inside the card's box.
  const [c, t] = [await card.boundingBox(), await table.boundingBox()];
  expect(t!.x + t!.width).toBeLessThanOrEqual(c!.x + c!.width);
});

test('Settings: when live mode is refused, the radio goes back to Paper', async ({ page, server }) => {
  await open(page, server);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: /Live/ }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Switch to live trading?' });
  await dialog.getByLabel('Confirmation sentence').fill(LIVE_CONFIRMATION);
  await dialog.getByRole('button', { name: 'Switch to live' }).click();
  await expect(page.getByRole('radio', { name: /Live/ })).toBeChecked();
  // The simulator is paper only: the server refuses, and the form shows what is in force.
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('the simulator trades paper only');
  await expect(page.getByRole('radio', { name: /Paper/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Live/ })).not.toBeChecked();
  await expect(page.getByText('Live is confirmed for the next save.')).toHaveCount(0);
  // Saving again saves paper (nothing about live is left over).
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  expect((await rpc<{ mode: string }>(server, 'settings.get')).mode).toBe('paper');
});

type Field = { path: string[]; schema: { title?: string; unit?: string; default?: unknown; type?: string; anyOf?: { type?: string }[] } };

/** Every leaf field of a config JSON Schema, with its path. */
function leafFields(schema: { properties?: Record<string, Field['schema'] & { properties?: unknown }> }, path: string[] = []): Field[] {
  const out: Field[] = [];
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const branch = (raw.anyOf?.find((b) => b.type !== 'null') ?? raw) as Field['schema'] & { properties?: Record<string, Field['schema']> };
    if (branch.type === 'object' && branch.properties) out.push(...leafFields(branch as never, [...path, key]));
    else out.push({ path: [...path, key], schema: raw });
  }
  return out;
}

test('Strategies: no developer units on screen; milliseconds shown as seconds and cents as dollars, saved in the schema units', async ({ page, server }, testInfo) => {
  await open(page, server);
  await page.getByRole('button', { name: 'Strategies' }).click();
  const [detail] = await rpc<StrategyDetail[]>(server, 'strategies.list');
  const card = page.getByRole('region', { name: detail!.name });
  const editor = card.getByRole('form', { name: `${detail!.name} configuration` });
  await expect(editor).toBeVisible();
  await editor.getByRole('button', { name: 'Reset to seed defaults' }).click();

  // Every label of the editor: no "(ms)", no "cents".
  const labels = await editor.locator('label, legend').allTextContents();
  expect(labels.length).toBeGreaterThan(20);
  for (const l of labels) expect(l).not.toMatch(/\(ms\)|\bms\b|cents/i);
  expect(await editor.textContent()).not.toMatch(/\(ms\)|cents/i);

  // Each field kept in ms or cents shows its default converted: seconds, dollars with 2 decimals.
  const converted = leafFields(detail!.schema as never).filter((f) => f.schema.unit === 'ms' || f.schema.unit === 'cents');
  expect(converted.map((f) => f.path.join('.'))).toEqual(expect.arrayContaining(['quoteQuality.staleAfterMs', 'risk.maxLossPerTradeCents', 'risk.maxLossPerDayCents']));
  for (const f of converted) {
    const input = editor.locator(`#cfg-${detail!.id}-${f.path.join('-')}`);
    const d = f.schema.default as number | null;
    const expected = d === null ? '' : f.schema.unit === 'ms' ? String(d / 1000) : (d / 100).toFixed(2);
    await expect(input, f.path.join('.')).toHaveValue(expected);
    const label = (await editor.locator(`label[for="cfg-${detail!.id}-${f.path.join('-')}"]`).textContent()) ?? '';
    expect(label).toContain(f.schema.unit === 'ms' ? '(seconds)' : '($)');
    const hint = (await editor.locator(`#cfg-${detail!.id}-${f.path.join('-')}-hint`).textContent()) ?? '';
    expect(hint).toContain(`Default: ${d === null ? 'none' : f.schema.unit === 'ms' ? `${d / 1000} seconds` : `$${(d / 100).toFixed(2)}`}.`);
  }
  await expect(editor.getByLabel('Stale after (seconds)')).toHaveValue('300');
  await editor.getByLabel('Stale after (seconds)').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('strategies-units.png') });

  // Typed in the shown units, saved in the schema's: 90 s → 90000 ms, $512.34 → 51234 cents.
  await editor.getByLabel('Stale after (seconds)').fill('90');
  await editor.getByLabel('Max loss per trade ($)').fill('512.34');
  await editor.getByRole('button', { name: 'Save configuration' }).click();
  await expect(card.getByRole('status')).toHaveText(/^Saved — version \d+/);
  const saved = (await rpc<StrategyDetail[]>(server, 'strategies.list'))[0]!.config as { quoteQuality: { staleAfterMs: number }; risk: { maxLossPerTradeCents: number | null } };
  expect(saved.quoteQuality.staleAfterMs).toBe(90_000);
  expect(saved.risk.maxLossPerTradeCents).toBe(51_234);
  await page.reload();
  await page.getByRole('button', { name: 'Strategies' }).click();
  await expect(editor.getByLabel('Stale after (seconds)')).toHaveValue('90');
  await expect(editor.getByLabel('Max loss per trade ($)')).toHaveValue('512.34');

  // A refused value is described in the same units as the field.
  await editor.getByLabel('Max loss per trade ($)').fill('0');
  await editor.getByRole('button', { name: 'Save configuration' }).click();
  const alert = card.getByRole('alert');
  await expect(alert).toContainText('must be more than $0.00');
  await expect(alert).not.toContainText(/cents\b/);
  await editor.getByLabel('Max loss per trade ($)').fill('');
  await editor.getByLabel('Stale after (seconds)').fill('300');
  await editor.getByRole('button', { name: 'Save configuration' }).click();
  await expect(card.getByRole('status')).toHaveText(/^Saved — version \d+/);
});

test('Backtest chart: the first time-axis label is whole, and grid lines follow the theme (light grey in light)', async ({ page, server }, testInfo) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 1400 });
  await open(page, server);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // Two months from 2 January: the first label of the axis is the year, "2025", at the left edge.
  await runBacktest(page, '2025-01-02', '2025-02-27');
  const chart = page.getByRole('img', { name: 'Backtest equity curve' });
  await expect(chart).toBeVisible();
  await chart.screenshot({ path: testInfo.outputPath('equity-dark.png') });
  await expect.poll(async () => (await timeAxisEdgeInk(chart)).labelRows, { message: 'the time axis has labels' }).toBeGreaterThan(0);
  expect((await timeAxisEdgeInk(chart)).left, 'label ink in the leftmost pixel column of the time axis').toBe(0);
  const dark = await gridLineColors(chart);
  expect(dark.length).toBeGreaterThan(0);
  for (const c of dark) expect(luminance(c)).toBeLessThan(90);

  // Switched to light with the chart on screen: its grid turns light grey.
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect.poll(async () => (await gridLineColors(chart)).map(luminance).every((l) => l > 200), { message: 'light grey grid lines after the switch' }).toBe(true);
  expect((await gridLineColors(chart)).length).toBeGreaterThan(0);
  await chart.screenshot({ path: testInfo.outputPath('equity-light-switched.png') });

  // Opened in light: the same.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Backtests' }).click();
  await page.getByRole('table', { name: 'Previous backtests' }).getByRole('button').first().click();
  await expect(chart).toBeVisible();
  await expect.poll(async () => (await gridLineColors(chart)).length).toBeGreaterThan(0);
  for (const c of await gridLineColors(chart)) expect(luminance(c)).toBeGreaterThan(200);
  expect((await timeAxisEdgeInk(chart)).left).toBe(0);
  await chart.screenshot({ path: testInfo.outputPath('equity-light.png') });
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect.poll(async () => (await gridLineColors(chart)).map(luminance).every((l) => l < 90)).toBe(true);
});

test('Positions: leg gamma and vega, and the short strike against spot, as the engine computes them', async ({ page, server }, testInfo) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, server);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('engine-state')).toHaveText('Engine: Running');
  await expect.poll(async () => (await rpc<Position[]>(server, 'positions.list')).filter((p) => p.status === 'ACTIVE' && p.greeks !== null).length, { timeout: 90_000, intervals: [500] }).toBeGreaterThan(0);
  // The market keeps moving at 300×: the page is held on one real answer of the engine (the first
  // with a priced position) so what it shows can be compared with exactly what the engine sent.
  let held: string | null = null;
  await page.route('**/rpc/positions.list', async (route) => {
    if (held !== null) return route.fulfill({ status: 200, contentType: 'application/json', body: held });
    const response = await route.fetch();
    const body = await response.text();
    const answer = JSON.parse(body) as { ok: boolean; value?: Position[] };
    if (answer.ok && answer.value?.some((p) => p.status === 'ACTIVE' && p.greeks !== null && p.shortStrikes.every((s) => s.spot !== null))) held = body;
    return route.fulfill({ response, body });
  });
  await page.getByRole('button', { name: 'Positions', exact: true }).click();
  await expect.poll(() => held !== null, { timeout: 30_000 }).toBe(true);
  // The held answer of the engine; the page shows it once the short-strike text below matches.
  const p = (JSON.parse(held!) as { value: Position[] }).value.find((x) => x.status === 'ACTIVE' && x.greeks !== null)!;
  const tradeId = p.tradeId;
  const card = page.getByRole('region', { name: `Position ${tradeId}`, exact: true });
  await expect(card).toBeVisible();
  const legs = page.getByRole('table', { name: `Legs of position ${tradeId}` });
  const headers = await legs.locator('thead th').allTextContents();
  expect(headers).toEqual(expect.arrayContaining(['Gamma (Δ per pt)', 'Vega ($ per vol pt)']));
  const col = (name: string) => headers.indexOf(name);

  // The short strike, against the spot the engine used: "Short put 5,650 is 212.3 pts (4.1 %) below spot 5,862.30".
  expect(p.shortStrikes).toHaveLength(1);
  const s = p.shortStrikes[0]!;
  expect(s.spot).not.toBeNull();
  expect(s.distance).toBeCloseTo(s.strike - s.spot!, 2);
  const words = `${Math.abs(s.distance!).toFixed(1)} pts (${(Math.abs(s.distancePct!) * 100).toFixed(1)} %) ${s.distance! < 0 ? 'below' : 'above'} spot`;
  await expect(card.getByTestId(`short-strike-${tradeId}`)).toContainText(`Short ${s.right === 'P' ? 'put' : 'call'} ${s.strike.toLocaleString('en-US')} is ${words}`);

  // The page shows what the engine sent: each leg's gamma and vega (signed contracts × multiplier × per-contract greek).
  const rows = legs.locator('tbody tr');
  await expect(rows).toHaveCount(p.legs.length);
  for (let i = 0; i < p.legs.length; i++) {
    const cells = await rows.nth(i).locator('td').allTextContents();
    const symbol = cells[0]!;
    const leg = p.legs.find((l) => l.symbol === symbol)!;
    expect(leg.exposure.gamma).not.toBeNull();
    expect(leg.exposure.gamma).toBeCloseTo(leg.quantity * leg.multiplier * leg.gamma!, 3);
    expect(leg.exposure.vega).toBeCloseTo(leg.quantity * leg.multiplier * leg.vega!, 2);
    expect(Number(cells[col('Gamma (Δ per pt)')]!.replace(/[^\d.-]/g, ''))).toBeCloseTo(leg.exposure.gamma!, 3);
    expect(Number(cells[col('Vega ($ per vol pt)')]!.replace(/[^\d.-]/g, ''))).toBeCloseTo(leg.exposure.vega!, 2);
  }

  // The twelve columns fit the card at 1280 px.
  const fit = await legs.evaluate((t) => ({ table: t.scrollWidth, box: t.parentElement!.clientWidth }));
  expect(fit.table).toBeLessThanOrEqual(fit.box);
  await card.screenshot({ path: testInfo.outputPath('position-greeks-distance.png') });

  // The entry decision's numbers: prices in dollars and times in seconds, named without "Cents"/"Ms".
  await page.getByRole('button', { name: 'Decisions' }).click();
  await page.getByLabel('Kind').selectOption('ENTER');
  await page.getByRole('table', { name: 'Decisions' }).getByRole('row').nth(1).click();
  const numbers = page.getByLabel('Decision numbers');
  // Net prices read credit/debit ("mid  credit 3.00"), other amounts in dollars ("comboSpread ($)").
  await expect(numbers).toContainText(/mid\s*(credit|debit) \d/);
  await expect(numbers).toContainText('comboSpread ($)');
  expect(await numbers.textContent()).not.toMatch(/Cents|Ms\b/);
  await numbers.screenshot({ path: testInfo.outputPath('decision-numbers.png') });
});
