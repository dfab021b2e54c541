/**
 * Seed 002 §6 "Position Sizing" (`position_sizer.py`, `conviction_scorer.py`, the drawdown scaling of
 * `risk_manager.py`). Never by premium: by maximum loss.
 *
 * §6.1, in integer cents:
 *   max loss per contract = (spread width − premium received) × multiplier
 *   max risk per trade    = equity × risk per trade × regime allocation × conviction
 *   contracts             = floor(max risk per trade / max loss per contract)
 * e.g. $500,000 × 2 % = $10,000; 50 points at a $4.00 credit: ($50 − $4) × 100 = $4,600; floor(10,000 /
 * 4,600) = 2 contracts.
 *
 * §6.3 drawdown scaling: equity `drawdownPct` (or more) below its peak caps the risk per trade at that
 * step's `riskPerTradePct` (10 % → 1.5 %, 20 % → 1 %; the deepest step reached applies, never above the
 * base risk).
 *
 * §6.2 conviction, from 0.5× to 1.5× of the base size: each factor scores 0 (the seed's "low
 * conviction" column) to 1 ("high"), linearly between them, clipped; the multiplier is min + (max − min)
 * × the mean score of the factors that have data:
 *
 * | factor            | 0 (low)                           | 1 (high)                           |
 * |-------------------|-----------------------------------|------------------------------------|
 * | IV rank           | ≤ 55 %                            | ≥ 70 %                             |
 * | VIX term structure| flat: VIX/VIX3M ≥ 1.00            | strong contango: ≤ 0.85            |
 * | trend strength    | barely above: close/EMA − 1 ≤ 0 % | well above: ≥ 5 %                  |
 * | BB depth          | shallow: the band itself (k σ)    | deep: ≥ k + 0.5 σ (2.5 σ for 2.0)  |
 * | recent win rate   | last 10 trades ≤ 60 % won         | ≥ 80 % won                         |
 *
 * Without VIX3M the term-structure factor has no data; with fewer than 10 closed trades the win-rate
 * factor has none: both are then left out of the mean (said so in the details).
 */
import type { AccountView, ClosedTradeView } from '../types.ts';
import type { OptimusConfig } from './config.ts';
import type { Diagnosis } from './diagnosis.ts';

export type Factor = { name: string; value: number | null; score: number | null; low: string; high: string };

export type Conviction = { multiplier: number; factors: Factor[]; mean: number | null };

const clip01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** 0 at `low`, 1 at `high`, linear between (either direction). */
const ramp = (x: number, low: number, high: number): number => clip01((x - low) / (high - low));
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** §6.2: the conviction multiplier and its factors. */
export function conviction(d: Diagnosis, closed: readonly ClosedTradeView[] | undefined, c: OptimusConfig): Conviction {
  const factors: Factor[] = [];
  const add = (name: string, value: number | null, score: number | null, low: string, high: string) => factors.push({ name, value: value === null ? null : r4(value), score: score === null ? null : r4(score), low, high });
  add('IV rank', d.ivRank, d.ivRank === null ? null : ramp(d.ivRank, 55, 70), '50–55 %', '> 70 %');
  add('VIX term structure', d.termRatio, d.termRatio === null ? null : ramp(d.termRatio, 1, 0.85), 'flat (1.00)', 'strong contango (≤ 0.85)');
  const strength = d.spx !== null && d.ema !== null && d.ema > 0 ? d.spx.close / d.ema - 1 : null;
  add('Trend strength', strength, strength === null ? null : ramp(strength, 0, 0.05), 'barely above the EMA', '≥ 5 % above');
  const depth = d.touch?.depthSd ?? null;
  add('BB depth', depth, depth === null ? null : ramp(depth, c.bbStdDev, c.bbStdDev + 0.5), `shallow (${c.bbStdDev} σ)`, `deep (≥ ${c.bbStdDev + 0.5} σ)`);
  const last10 = closed === undefined || closed.length < 10 ? null : closed.slice(-10);
  const winRate = last10 === null ? null : last10.filter((t) => t.pnlCents > 0).length / 10;
  add('Recent win rate', winRate, winRate === null ? null : ramp(winRate, 0.6, 0.8), 'last 10 < 60 %', 'last 10 > 80 %');
  const scored = factors.filter((f) => f.score !== null);
  const mean = scored.length === 0 ? null : scored.reduce((s, f) => s + f.score!, 0) / scored.length;
  const { min, max } = c.conviction;
  const multiplier = !c.conviction.enabled || mean === null ? 1 : r4(min + (max - min) * mean);
  return { multiplier, factors, mean: mean === null ? null : r4(mean) };
}

/** §6.3 drawdown scaling: the risk per trade at the account's drawdown from its peak. */
export function riskPerTrade(account: Pick<AccountView, 'equityCents' | 'peakEquityCents'>, c: Pick<OptimusConfig, 'riskPerTradePct' | 'drawdownScaling'>): { riskPct: number; drawdownPct: number; step: number | null } {
  const dd = account.peakEquityCents > 0 ? Math.max(0, (account.peakEquityCents - account.equityCents) / account.peakEquityCents) : 0;
  let riskPct = c.riskPerTradePct;
  let step: number | null = null;
  for (const s of c.drawdownScaling) {
    if (dd >= s.drawdownPct && (step === null || s.drawdownPct > step)) {
      step = s.drawdownPct;
      riskPct = Math.min(c.riskPerTradePct, s.riskPerTradePct);
    }
  }
  return { riskPct, drawdownPct: r4(dd), step };
}

export type Size = {
  contracts: number;
  /** Per contract: (width × 100 − credit) × multiplier, cents. */
  maxLossPerContractCents: number;
  /** The budget: equity × risk × allocation × conviction, cents (floored). */
  maxRiskCents: number;
};

/** §6.1 with the scalings applied. `creditCents` per share; width in points. */
export function positionSize(o: { equityCents: number; riskPct: number; allocation: number; conviction: number; creditCents: number; widthPoints: number; multiplier: number }): Size {
  const maxLossPerContractCents = (o.widthPoints * 100 - o.creditCents) * o.multiplier;
  // Exact for the seed's figures (5e7 × 0.02 = 1e6); the nudge keeps 0.9999999 from losing a contract.
  const maxRiskCents = Math.floor(o.equityCents * o.riskPct * o.allocation * o.conviction + 1e-6);
  const contracts = maxLossPerContractCents > 0 ? Math.floor(maxRiskCents / maxLossPerContractCents) : 0;
  return { contracts, maxLossPerContractCents, maxRiskCents };
}

/**
 * The credit a §5 spread (16-delta short put, 45 DTE) typically takes in, as a share of its width, for
 * {@link capacityWarning}: about $3.00 on 50 points (the real entries of the 1990–2026 backtest took
 * $2.50–$4.50), so one 50-wide spread's max loss is ≈ $4,700.
 */
export const TYPICAL_CREDIT_SHARE = 0.06;

const dollars = (cents: number): string => `$${Math.round(cents / 100).toLocaleString('en-US')}`;
/** Up to the next $1,000, cents. */
const upToThousand = (cents: number): number => Math.ceil(cents / 100_000) * 100_000;

/**
 * Whether `equityCents` can hold one spread at the config's risk (§6.1: equity × risk per trade, up to ×
 * the highest conviction, against one contract's max loss at a typical credit), or a sentence saying
 * it cannot and what would: with $100,000 and the seed's 2 %, Optimus can never enter (every signal is
 * skipped at the size gate). Null when one spread fits at base size.
 */
export function capacityWarning(equityCents: number, c: Pick<OptimusConfig, 'spreadWidth' | 'riskPerTradePct' | 'conviction'>): string | null {
  const maxLoss = Math.round(c.spreadWidth * 100 * (1 - TYPICAL_CREDIT_SHARE)) * 100;
  const best = c.conviction.enabled ? c.conviction.max : 1;
  const atBase = equityCents * c.riskPerTradePct;
  const atBest = atBase * best;
  if (atBase >= maxLoss) return null;
  const risk = `${Number((c.riskPerTradePct * 100).toFixed(2))} %`;
  const head = `At ${dollars(equityCents)} equity, ${risk} risk per trade (${dollars(atBase)}${best > 1 ? `, ${dollars(atBest)} at the highest conviction` : ''})`;
  const spread = `one ${c.spreadWidth}-wide spread (max loss ≈ ${dollars(maxLoss)})`;
  const needBase = dollars(upToThousand(maxLoss / c.riskPerTradePct));
  // The widest spread (SPX strikes: multiples of 5, at least 25 points) the budget holds at the highest conviction.
  const width = Math.floor(atBest / (100 * 100 * (1 - TYPICAL_CREDIT_SHARE)) / 5) * 5;
  const narrower = width >= 25 ? `, or narrow the spread width to ${width} points (max loss ≈ ${dollars(Math.round(width * 100 * (1 - TYPICAL_CREDIT_SHARE)) * 100)})` : '';
  if (atBest < maxLoss) {
    return `${head} cannot fit ${spread}: Optimus will not enter. Raise Account capital (Settings → Account risk) to at least ${dollars(upToThousand(maxLoss / (c.riskPerTradePct * best)))} (${needBase} to enter at base size)${narrower}, or raise the risk per trade.`;
  }
  return `${head} fits ${spread} only at high conviction: most signals will be skipped at the size gate. Raise Account capital (Settings → Account risk) to ${needBase} to enter at base size, or raise the risk per trade.`;
}
