/**
 * Issue 12: the whole app killed with SIGKILL at random moments, a short loop for `npm test` (the full
 * campaign of 50+ kills is `node scripts/fault-campaign.ts`). See tests/faults/campaign.ts for what is
 * checked after every kill and at the end.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCampaign, simHarness } from './campaign.ts';

describe('kill -9 at random moments (short loop)', { timeout: 600_000 }, () => {
  it('simulator at 12000×: every restart opens the database intact, reconciles without halting; no order sent twice, no fill lost, positions match', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-kill9-'));
    const report = await runCampaign({ harness: simHarness(), kills: 6, seed: Number(process.env.FC_SEED ?? 12), dataDir });
    expect(report.failures).toEqual([]);
    expect(report.records).toHaveLength(6);
    // The loop must have traded, or it proved nothing about orders and fills.
    expect(report.orders).toBeGreaterThan(0);
    expect(report.fills).toBeGreaterThan(0);
  });
});
