/**
 * The full kill -9 fault campaign (issue 12):
 *
 *   node scripts/fault-campaign.ts [--broker sim|ibkr|all] [--kills N] [--seed S] [--json FILE]
 *
 * `--kills` is per broker (default 25, so `--broker all` makes 50). Prints one line per kill and the
 * invariant check; exits 1 when any invariant failed. `npm test` runs a short loop of the same code
 * (tests/faults/kill9.test.ts); tests/faults/campaign.ts says what is checked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ibSubject, runCampaign, simSubject, type CampaignReport, type Subject } from '../tests/faults/campaign.ts';

const { values } = parseArgs({ options: { broker: { type: 'string', default: 'all' }, kills: { type: 'string', default: '25' }, seed: { type: 'string', default: '1' }, json: { type: 'string' } } });
const kills = Number(values.kills);
const seed = Number(values.seed);
if (!Number.isInteger(kills) || kills < 1) throw new Error(`--kills must be a whole number ≥ 1, got ${values.kills}`);
if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${values.seed}`);
const makers: Record<string, () => Promise<Subject>> = { sim: async () => simSubject(), ibkr: ibSubject };
const chosen = values.broker === 'all' ? Object.keys(makers) : [values.broker as string];
for (const c of chosen) if (!makers[c]) throw new Error(`--broker must be sim, ibkr or all, got ${values.broker}`);

const reports: CampaignReport[] = [];
for (const name of chosen) {
  const subject = await makers[name]!();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `thetadesk-campaign-${name}-`));
  console.log(`\n${subject.name}: ${kills} kills, seed ${seed}, data in ${dataDir}`);
  try {
    const report = await runCampaign({ subject, kills, seed, dataDir, log: (l) => console.log(`  ${l}`) });
    reports.push(report);
    console.log(`${subject.name}: ${report.kills} kills in ${report.wallSeconds} s — ${report.orders} orders, ${report.fills} executions, ${report.trades} trades (${report.openTrades} open at the end)`);
    console.log(report.failures.length === 0 ? '  every invariant held' : report.failures.map((f) => `  FAILED: ${f}`).join('\n'));
  } finally {
    await subject.close();
  }
}
const total = reports.reduce((n, r) => n + r.kills, 0);
console.log(`\n${total} kills in total; ${reports.every((r) => r.failures.length === 0) ? 'every invariant held' : 'FAILURES above'}`);
if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
process.exit(reports.some((r) => r.failures.length > 0) ? 1 : 0);
