/**
 * The study's figures as text (the CLI's output, `thetadesk study report`) and the walk-forward CSV.
 * Every report starts with the disclaimers; the calibration table puts the climatological forecast
 * beside the model's, and says plainly when the model does not beat it.
 */
import { createHash } from 'node:crypto';
import type { Calibration, ExitMode } from '../../../shared/study/zero-dte.ts';
import { EXIT_MODES } from '../../../shared/study/zero-dte.ts';
import type { IntradayDataset } from './dataset.ts';
import type { Outcomes } from './simulate.ts';
import type { WalkForwardResult, WalkForwardRow } from './walk-forward.ts';

/** The walk-forward CSV's columns, exactly (issue 18). */
export const WALK_FORWARD_COLUMNS = ['session_date', 'decision_time', 'prior_close', 'decision_price', 'strike', 'strike_pct', 'p_breach', 'breached', 'trained_through', 'model_version'] as const;

const num = (x: number, digits = 6) => String(Number(x.toPrecision(digits)));

/** The CSV text: a header and one row per test session, decision time and strike. */
export function walkForwardCsv(rows: readonly WalkForwardRow[]): string {
  const lines = [WALK_FORWARD_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.sessionDate, r.decisionTime, num(r.priorClose, 10), num(r.decisionPrice, 10), num(r.strike, 10), num(r.strikePct), num(r.pBreach), r.breached, r.trainedThrough, r.modelVersion].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** A digest of the bars (symbol, every bar's span and prices): the same file gives the same run id. */
export function datasetFingerprint(ds: IntradayDataset): string {
  const h = createHash('sha256').update(`${ds.symbol}|${ds.intervalMs}|`);
  for (const d of ds.dates) for (const b of ds.bars.get(d)!) h.update(`${b.start},${b.end},${b.open},${b.high},${b.low},${b.close},${b.volume};`);
  return h.digest('hex').slice(0, 16);
}

const f = (x: number | null | undefined, digits = 5) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const signed = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);
const int = (x: number) => x.toLocaleString('en-US');
const money = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x < 0 ? '−' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

function calibrationLine(label: string, c: Calibration): string {
  return `  ${label.padEnd(22)} ${int(c.n).padStart(8)} ${int(c.events).padStart(7)}  ${f(c.brier)}   ${f(c.brierClimatology)}   ${signed(c.brierSkill).padStart(7)}  ${f(c.calibrationError, 4)}  ${f(c.sharpness, 4)}`;
}

/** The calibration section: the model, the time-only forecast, by tier / time bucket / regime, with the verdict. */
export function formatCalibration(cal: WalkForwardResult['calibration']): string {
  const head = `  ${''.padEnd(22)} ${'rows'.padStart(8)} ${'breach'.padStart(7)}  Brier     climatology skill     ECE     sharpness`;
  const lines = [head, calibrationLine('conditional model', cal.overall), calibrationLine('time-of-day only', cal.timeOnly)];
  for (const [k, c] of Object.entries(cal.byTier)) lines.push(calibrationLine(`tier ${k} (picks)`, c));
  for (const [k, c] of Object.entries(cal.byTimeBucket)) lines.push(calibrationLine(`time ${k}`, c));
  for (const [k, c] of Object.entries(cal.byRegime)) lines.push(calibrationLine(`regime ${k}`, c));
  const skill = cal.overall.brierSkill;
  lines.push(skill === null ? '  Skill vs climatology: not defined (climatology scored perfectly).' : skill > 0
    ? `  The conditional model beats the climatological forecast: Brier ${f(cal.overall.brier)} vs ${f(cal.overall.brierClimatology)} (skill ${signed(skill)}).`
    : `  The conditional model does NOT beat the climatological forecast: Brier ${f(cal.overall.brier)} vs ${f(cal.overall.brierClimatology)} (skill ${signed(skill)}).`);
  return lines.join('\n');
}

/** The outcomes section: per tier, both exit views side by side. */
export function formatOutcomes(byTier: Record<string, Record<ExitMode, Outcomes>>): string {
  const lines = [`  ${'tier'.padEnd(6)} ${'exit view'.padEnd(14)} ${'trades'.padStart(7)} ${'win rate'.padStart(9)} ${'total P&L'.padStart(13)} ${'avg'.padStart(9)} ${'worst'.padStart(11)} ${'breached'.padStart(9)} ${'early exits'.padStart(12)}`];
  for (const [tier, views] of Object.entries(byTier)) {
    for (const m of EXIT_MODES) {
      const o = views[m];
      lines.push(`  ${tier.padEnd(6)} ${m.padEnd(14)} ${int(o.trades).padStart(7)} ${(o.winRate === null ? '—' : `${(o.winRate * 100).toFixed(1)}%`).padStart(9)} ${money(o.totalPnl).padStart(13)} ${money(o.avgPnl).padStart(9)} ${money(o.worst).padStart(11)} ${int(o.breaches).padStart(9)} ${int(o.earlyExits).padStart(12)}`);
    }
  }
  return lines.join('\n');
}

/** The whole walk-forward report. */
export function formatWalkForward(r: WalkForwardResult, extra: { bars?: string; premiums?: string } = {}): string {
  const skips = Object.entries(r.skips).sort((a, b) => b[1]! - a[1]!).map(([k, v]) => `${k} ${int(v!)}`).join(', ');
  return [
    '0DTE put-sell probability study (seed 001) — walk-forward',
    ...r.disclaimers,
    ...(extra.bars ? [extra.bars] : []),
    ...(r.decisionNote ? [r.decisionNote] : []),
    `Mode: ${r.mode} (${r.requestedTimes.join(', ')} ET asked); assumptions ${r.assumptionsHash}.`,
    `Test sessions: ${int(r.testSessions)} (${r.firstTest} … ${r.lastTest}); each scored by a model trained only through the session before it.`,
    '',
    `Calibration of P(close ≤ strike) over every candidate strike, against the climatological (unconditional, expanding-window) forecast:`,
    formatCalibration(r.calibration),
    '',
    `Outcomes per position of 1 contract (${extra.premiums ?? 'premiums as priced'}), both exit views:`,
    formatOutcomes(r.outcomes.byTier),
    '',
    `Skipped: ${skips || 'none'}.`,
    `Acceptance: ${r.acceptance.map((x) => `${x.name} ${x.value === null ? '—' : Number(x.value.toPrecision(4))} (${x.target}) ${x.met ? 'met' : 'NOT met'}`).join('; ')}.`,
  ].join('\n');
}
