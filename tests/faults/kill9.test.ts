/**
 * Issue 12: processes that trade, killed with SIGKILL at random moments — a short loop for `npm test`
 * (the full campaign of 50+ kills is `node scripts/fault-campaign.ts`). tests/faults/campaign.ts says
 * what is checked after every kill and at the end.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ibSubject, runCampaign, simSubject, type Subject } from './campaign.ts';

const seed = Number(process.env.FC_SEED ?? 12);

async function campaign(subject: Subject, kills: number) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-kill9-'));
  try {
    return await runCampaign({ subject, kills, seed, dataDir, atLeast: { executions: 3, maxKills: 20 } });
  } finally {
    await subject.close();
  }
}

describe('kill -9 at random moments (short loop)', { timeout: 600_000 }, () => {
  it('the headless server on the simulator at 40,000×: every restart opens its databases intact and reconciles without halting; no order twice, no fill lost, the same positions', async () => {
    const report = await campaign(simSubject(), 6);
    expect(report.failures).toEqual([]);
    expect(report.records.length).toBeGreaterThanOrEqual(6);
    // It must have traded, or it proved nothing about orders and fills.
    expect(report.orders).toBeGreaterThan(0);
    expect(report.fills).toBeGreaterThan(0);
  });

  it('the execution core on the fake IB Gateway: the same after every kill, with orders and fills in flight', async () => {
    const report = await campaign(await ibSubject(), 6);
    expect(report.failures).toEqual([]);
    expect(report.orders).toBeGreaterThan(6);
    expect(report.fills).toBeGreaterThan(0);
  });
});
