/**
 * Issue 13: the Context page draws negative GEX bars red and positive ones green (they were all green).
 * The page shows a seeded day whose GEX runs from −$3 bn to +$3 bn, and the test counts the chart's red
 * and green pixels on its canvases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { etToEpoch } from '../../shared/time/et.ts';
import { openStore } from '../../electron/store/store.ts';
import { expect, test as base, type Page } from '@playwright/test';
import { startHeadless, type Headless } from '../helpers/headless.ts';

const DAY = '2026-03-02';

/** Pixels of the element's canvases close to each colour (lightweight-charts fills bars with the exact colour). */
async function colourCounts(page: Page, name: string, colours: Record<string, [number, number, number]>): Promise<Record<string, number>> {
  return page.getByRole('img', { name }).evaluate((el, want) => {
    const counts: Record<string, number> = Object.fromEntries(Object.keys(want).map((k) => [k, 0]));
    for (const canvas of el.querySelectorAll('canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) {
        for (const [k, [r, g, b]] of Object.entries(want)) {
          if (Math.abs(d[i]! - r) <= 6 && Math.abs(d[i + 1]! - g) <= 6 && Math.abs(d[i + 2]! - b) <= 6 && d[i + 3]! > 200) counts[k]!++;
        }
      }
    }
    return counts;
  }, colours);
}

// One server for the file, on a data folder holding one day of context snapshots: 78 of them,
// 09:35..16:00, with GEX from −$3 bn rising through zero at midday to +$3 bn.
const test = base.extend<object, { server: Headless }>({
  server: [
    async ({}, use) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'td-e2e-gex-'));
      const store = openStore({ dataDir });
      for (let i = 0; i < 78; i++) {
        const takenAt = etToEpoch(DAY, '09:35') + i * 5 * 60_000;
        const gexNet = (-3 + (6 * i) / 77) * 1e9;
        store.context.insert({ takenAt, spx: 6000 + i, vix: 16, vix9d: 15, vix3m: 18, termStructure: 15 / 16, gexNet, zeroGammaLevel: 6010, payload: {} });
      }
      store.close();
      const server = await startHeadless({ dataDir });
      await use(server);
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

test('GEX bars: red below zero, green above', async ({ page, server }, testInfo) => {
  await page.goto(`${server.url}/#token=${server.token}`);
  await page.getByRole('button', { name: 'Context' }).click();
  await page.getByLabel('From (ET)').fill(DAY);
  await page.getByLabel('To (ET)').fill(DAY);
  await expect(page.getByLabel('Latest context')).toContainText('SPX 6077.00');
  const chart = 'GEX net and SPX';
  await expect(page.getByRole('img', { name: chart }).locator('canvas').first()).toBeVisible();
  const colours = { red: [0xef, 0x44, 0x44] as [number, number, number], green: [0x22, 0xc5, 0x5e] as [number, number, number] };
  // Poll until the chart has painted its bars.
  await expect.poll(async () => {
    const c = await colourCounts(page, chart, colours);
    return c.red! > 500 && c.green! > 500;
  }, { timeout: 10_000 }).toBe(true);
  const counts = await colourCounts(page, chart, colours);
  // Half the bars each way: about as much red as green.
  expect(counts.red! / counts.green!).toBeGreaterThan(0.6);
  expect(counts.red! / counts.green!).toBeLessThan(1.6);
  await page.getByRole('img', { name: chart }).screenshot({ path: testInfo.outputPath('gex-bars.png') });
});
