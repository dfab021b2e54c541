/**
 * The full kill -9 fault campaign (issue 12): `node scripts/fault-campaign.ts [--broker sim|ibkr|all]
 * [--kills N] [--seed S] [--json FILE]`. Prints one line per kill and the invariant check; exits 1 when
 * any invariant failed. `npm test` runs a short loop of the same code (tests/faults/kill9.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign, simHarness, type BrokerHarness, type CampaignReport } from '../tests/faults/campaign.ts';

const { values } = parseArgs({ options: { broker: { type: 'string', default: 'sim' }, kills: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' }, json: { type: 'string' } } });
const kills = Number(values.kills);
const seed = Number(values.seed);
if (!Number.isInteger(kills) || kills < 1) throw new Error(`--kills must be a whole number ≥ 1, got ${values.kills}`);

const harnesses: (() => Promise<BrokerHarness>)[] = [];
if (values.broker === 'sim' || values.broker === 'all') harnesses.push(async () => simHarness());
if (harnesses.length === 0) throw new Error(`--broker must be sim or all, got ${values.broker}`);

const reports: CampaignReport[] = [];
for (const make of harnesses) {
  const harness = await make();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `thetadesk-campaign-${harness.name}-`));
  console.log(`\n${harness.name}: ${kills} kills, seed ${seed}, data in ${dataDir}`);
  try {
    const report = await runCampaign({ harness, kills, seed, dataDir, log: (l) => console.log(`  ${l}`) });
    reports.push(report);
    console.log(`${harness.name}: ${report.kills} kills in ${report.wallSeconds} s — ${report.orders} orders, ${report.fills} fills, ${report.trades} trades, ${report.openPositions} open at the end`);
    console.log(report.failures.length === 0 ? '  every invariant held' : report.failures.map((f) => `  FAILED: ${f}`).join('\n'));
  } finally {
    await harness.close?.();
  }
}
if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
process.exit(reports.some((r) => r.failures.length > 0) ? 1 : 0);
