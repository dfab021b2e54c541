import { describe, expect, it } from 'vitest';
import { CreditVerticalsConfigSchema, DEFAULT_CONFIG, parseCreditVerticalsConfig } from './config.ts';
import { creditVerticals } from './strategy.ts';

describe('credit-verticals config', () => {
  it("has the seed's MVP defaults", () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      contracts: 1,
      targetDtes: [3, 5, 7],
      dteTolerance: 1,
      deltaTargets: [0.1, 0.2],
      side: 'put',
      root: 'SPXW',
      width: 25,
      takeProfitPct: 0.5,
      stopLossPct: 1,
      sessionExit: { enabled: false, minutesBeforeClose: 15 },
      minCredit: 0.3,
      minOpenInterest: 0,
      scoring: { returnWeight: 1, spreadPenalty: 0.1 },
      quoteQuality: { maxSpreadAbs: 2, maxSpreadPct: 0.25, pctFloorAbs: 0.1, staleAfterMs: 300_000 },
    });
    // Seed 000's portfolio limits: max open 1, max new per day 1, daily stop after a stop loss.
    expect(DEFAULT_CONFIG.risk).toEqual({ maxOpenTrades: 1, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: true, maxLossPerTradeCents: null, maxLossPerDayCents: null, eventBlackoutHours: 0, events: [] });
    expect(DEFAULT_CONFIG.execution).toEqual({ stepTicks: 1, stepEverySeconds: 30, maxSteps: 6, timeoutSeconds: 300 });
    expect(creditVerticals.configSchema.parse({})).toEqual(DEFAULT_CONFIG);
    expect(parseCreditVerticalsConfig(undefined)).toEqual(DEFAULT_CONFIG);
  });

  it('fills nested defaults around a partial override', () => {
    const c = parseCreditVerticalsConfig({ sessionExit: { enabled: true }, quoteQuality: { maxSpreadPct: 0.5 }, risk: { maxOpenTrades: 2 } });
    expect(c.sessionExit).toEqual({ enabled: true, minutesBeforeClose: 15 });
    expect(c.quoteQuality).toEqual({ maxSpreadAbs: 2, maxSpreadPct: 0.5, pctFloorAbs: 0.1, staleAfterMs: 300_000 });
    expect(c.risk.maxOpenTrades).toBe(2);
    expect(c.risk.maxNewTradesPerDay).toBe(1);
  });

  it('accepts the ends of every range', () => {
    const c = parseCreditVerticalsConfig({ contracts: 100, targetDtes: [0, 14], dteTolerance: 3, deltaTargets: [0.01, 0.49], width: 200, side: 'call', takeProfitPct: 1, stopLossPct: 10, minCredit: 0.05 });
    expect(c).toMatchObject({ contracts: 100, targetDtes: [0, 14], dteTolerance: 3, deltaTargets: [0.01, 0.49], width: 200, side: 'call' });
    expect(parseCreditVerticalsConfig({ width: 5 }).width).toBe(5);
    expect(parseCreditVerticalsConfig({ width: 50 }).width).toBe(50);
  });

  it.each([
    [{ width: 27 }, 'width: width must be a multiple of 5 points'],
    [{ width: 0 }, 'width: width must be 5..200 points'],
    [{ width: 205 }, 'width: width must be 5..200 points'],
    [{ contracts: 0 }, 'contracts: contracts must be at least 1'],
    [{ contracts: 101 }, 'contracts: contracts must be at most 100'],
    [{ contracts: 1.5 }, 'contracts: contracts must be a whole number'],
    [{ contracts: '2' }, 'contracts: contracts must be a whole number of contracts'],
    [{ targetDtes: [3, 15] }, 'targetDtes.1: target DTE must be 0..14'],
    [{ targetDtes: [-1] }, 'targetDtes.0: target DTE must be 0..14'],
    [{ targetDtes: [] }, 'targetDtes: at least one target DTE'],
    [{ targetDtes: [3, 3] }, 'targetDtes: target DTEs must not repeat'],
    [{ dteTolerance: 4 }, 'dteTolerance: dteTolerance must be 0..3 days'],
    [{ deltaTargets: [0.5] }, 'deltaTargets.0: delta targets are absolute deltas in (0, 0.5)'],
    [{ deltaTargets: [0.1, 0] }, 'deltaTargets.1: delta targets are absolute deltas in (0, 0.5)'],
    [{ side: 'condor' }, "side: side must be 'put' or 'call'"],
    [{ root: 'SPY' }, "root: root must be 'SPXW'"],
    [{ takeProfitPct: 0 }, 'takeProfitPct: takeProfitPct must be in (0, 1]'],
    [{ takeProfitPct: 1.2 }, 'takeProfitPct: takeProfitPct must be in (0, 1]'],
    [{ stopLossPct: 0 }, 'stopLossPct: stopLossPct must be 0.1..10'],
    [{ minCredit: 0.01 }, 'minCredit: minCredit must be at least 0.05'],
    [{ widht: 25 }, '(root): Unrecognized key: "widht"'],
    [{ sessionExit: { enable: true } }, 'sessionExit: Unrecognized key: "enable"'],
    [{ quoteQuality: { maxSpread: 1 } }, 'quoteQuality: Unrecognized key: "maxSpread"'],
    [{ risk: { maxOpenTrades: 0 } }, 'risk.maxOpenTrades'],
  ])('rejects %j with a message naming the field', (input, message) => {
    expect(() => parseCreditVerticalsConfig(input)).toThrow(message);
    expect(() => parseCreditVerticalsConfig(input)).toThrow(/^credit-verticals config: /);
    expect(CreditVerticalsConfigSchema.safeParse(input).success).toBe(false);
  });

  it('lists every bad field at once', () => {
    let message = '';
    try {
      parseCreditVerticalsConfig({ width: 27, contracts: 0 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('width:');
    expect(message).toContain('contracts:');
  });
});

describe('config versions stored by earlier builds', () => {
  /** The whole config as `strategy_configs` and settings kept it before issue 14 (the seed's defaults, every field written out). */
  const BEFORE_ISSUE_14 = {
    contracts: 1, targetDtes: [3, 5, 7], dteTolerance: 1, deltaTargets: [0.1, 0.2], maxDeltaGap: 0.05, side: 'put', root: 'SPXW', width: 25, takeProfitPct: 0.5, stopLossPct: 1,
    exitTriggerPrice: 'mid', sessionExit: { enabled: false, minutesBeforeClose: 15 }, minCredit: 0.3, minOpenInterest: 0,
    quoteQuality: { maxSpreadAbs: 2, maxSpreadPct: 0.25, pctFloorAbs: 0.1, staleAfterMs: 300000 }, scoring: { returnWeight: 1, spreadPenalty: 0.1 },
    risk: { maxOpenTrades: 1, maxNewTradesPerDay: 1, dailyStopAfterStopLoss: true, maxLossPerTradeCents: null, maxLossPerDayCents: null, eventBlackoutHours: 0, events: [] },
    execution: { stepTicks: 1, stepEverySeconds: 30, maxSteps: 6, timeoutSeconds: 300 },
  };

  it('load unchanged: the shape has not changed, so no migration is needed (a change to it must add one and update this test)', () => {
    expect(CreditVerticalsConfigSchema.parse(JSON.parse(JSON.stringify(BEFORE_ISSUE_14)))).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual(BEFORE_ISSUE_14);
  });
});
