/**
 * T13, the forward test (paper tracking) run through the engine's scheduler: each session, at the
 * decision times the bars support (11:00 ET for 10:30 on hourly bars), it scores the state **as known
 * then** with the frozen active model from the registry — never a refit — and writes one snapshot per
 * risk tier (the ladder row) and the probability table, keyed as the seed says; 15 minutes after the
 * close it reconciles every pending snapshot whose close is known: breached or not, and the P&L of both
 * exit views. A session whose closing bar is missing stays pending (incomplete), and is reconciled when
 * the data arrives. A missing, incompatible or stale model is written as a skipped snapshot with its
 * reason, so the page says why nothing was scored.
 *
 * The scheduler is the engine's port: `VirtualScheduler` on a `VirtualClock` replays sessions from a
 * file (`thetadesk study forward`); the same runner on the `LiveScheduler` and a growing bar source runs
 * in real time. Scheduler tasks are synchronous; the warehouse writes they start queue up and
 * `idle()` waits for them.
 */
import type { Clock } from '../../engine/clock.ts';
import type { Scheduler } from '../../engine/scheduler.ts';
import { session } from '../../../shared/market/calendar.ts';
import { etDate } from '../../../shared/time/et.ts';
import type { ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { clipHistoryAt, type StudyHistory } from '../port.ts';
import { assumptionsHash } from './assumptions.ts';
import { decisionEvents, etHhmm } from './decision.ts';
import { stateAt } from './features.ts';
import { anchorOf } from './labels.ts';
import type { QuoteSource } from './ladder.ts';
import { simulateSession } from './simulate.ts';
import { checkForwardModel, thaw } from './state.ts';
import { ZeroDteStudy } from './study.ts';
import type { ForwardProbability, ForwardSnapshot, StudyWarehouse } from './warehouse.ts';

export type ForwardOptions = {
  clock: Clock;
  scheduler: Scheduler;
  /** The data as it grows; the runner reads it only as it stood at each firing (clipped). */
  history: StudyHistory;
  /** The bar length of the data (decision times follow from it). */
  intervalMs: number;
  warehouse: StudyWarehouse;
  assumptions: ZeroDteAssumptions;
  quotes?: QuoteSource | null;
  /** Notes (scored, skipped, reconciled), for the CLI's output or the log. */
  log?: (line: string) => void;
};

/** The ET times (HH:MM) the scheduler fires decisions at: the decision instants of a regular session. */
export function forwardTimes(a: ZeroDteAssumptions, intervalMs: number): string[] {
  return decisionEvents(a, '2021-03-01', intervalMs).map((e) => e.time);
}

export class ForwardRunner {
  readonly #o: ForwardOptions;
  readonly #hash: string;
  readonly #study: ZeroDteStudy;
  #queue: Promise<void> = Promise.resolve();
  #errors: Error[] = [];
  #cancel: (() => void)[] = [];
  scored = 0;
  skipped = 0;
  reconciled = 0;

  constructor(o: ForwardOptions) {
    this.#o = o;
    this.#hash = assumptionsHash(o.assumptions);
    this.#study = new ZeroDteStudy(o.assumptions, o.intervalMs, { ladder: true, quotes: o.quotes ?? null });
  }

  /** Registers the decision and reconciliation schedules. */
  start(): void {
    const times = forwardTimes(this.#o.assumptions, this.#o.intervalMs);
    this.#cancel.push(this.#o.scheduler.add({ id: 'study-decision', kind: 'at', times }, (at) => this.#enqueue(() => this.#decide(at))).cancel);
    this.#cancel.push(this.#o.scheduler.add({ id: 'study-reconcile', kind: 'close', offsetMinutes: 15 }, (at) => this.#enqueue(() => this.#reconcile(at))).cancel);
  }

  stop(): void {
    for (const c of this.#cancel) c();
    this.#cancel = [];
  }

  /** Waits for the writes started so far; throws the first error any of them hit. */
  async idle(): Promise<void> {
    await this.#queue;
    const e = this.#errors.shift();
    if (e) throw e;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((e: unknown) => {
      this.#errors.push(e instanceof Error ? e : new Error(String(e)));
    });
  }

  /** Scores the decision at `at` with the active model. */
  async #decide(at: number): Promise<void> {
    const a = this.#o.assumptions;
    const date = etDate(at);
    const event = decisionEvents(a, date, this.#o.intervalMs).find((e) => e.at === at);
    if (!event) return;
    const w = this.#o.warehouse;
    const state = await w.activeState(a.symbol, this.#hash);
    const bad = checkForwardModel(state, date, a, this.#hash);
    const base = { symbol: a.symbol, sessionDate: date, decisionTs: at, assumptionsHash: this.#hash, decisionTime: event.time, scoredAt: this.#o.clock.now(), closePrice: null, breached: null, pnl: { hold_to_close: null, adaptive_exit: null }, reconciledAt: null };
    const skipAll = async (reason: NonNullable<ForwardSnapshot['skipReason']>, detail: string, modelVersion: string, trainedThrough: string | null, st: ForwardSnapshot['state'] = null) => {
      this.skipped++;
      this.#o.log?.(`${date} ${event.time} ET: skipped (${reason}) — ${detail}`);
      await w.upsertForward(a.riskTiers.map((riskTier) => ({ ...base, riskTier, modelVersion, trainedThrough, state: st, ladder: null, skipReason: reason, skipDetail: detail, status: 'skipped' as const })), []);
    };
    if (bad || !state) return skipAll(bad?.reason ?? 'model_missing', bad?.detail ?? 'no active model', state?.modelVersion ?? '', state?.trainedThroughSession ?? null);
    const known = clipHistoryAt(this.#o.history, at);
    const s = stateAt(known, event, a);
    if (!s.ok) return skipAll(s.skipReason, s.detail, state.modelVersion, state.trainedThroughSession);
    const { fitted } = thaw(state);
    const score = this.#study.score(fitted, s.state, true);
    const snapshots: ForwardSnapshot[] = score.ladder.map((row) => ({
      ...base, riskTier: row.riskTier, modelVersion: state.modelVersion, trainedThrough: state.trainedThroughSession, state: s.state, ladder: row,
      skipReason: row.skipReason, skipDetail: row.skipDetail, status: 'pending',
    }));
    const probabilities: ForwardProbability[] = score.probabilities.map((p) => ({
      symbol: a.symbol, sessionDate: date, decisionTs: at, modelVersion: state.modelVersion, assumptionsHash: this.#hash, strike: p.strike, strikePct: p.strikePct,
      pBreach: p.pBreach, ciLow: p.ciLow, ciHigh: p.ciHigh, n: p.n, climatology: p.climatology, breached: null,
    }));
    await w.upsertForward(snapshots, probabilities);
    this.scored++;
    const picks = score.ladder.map((r) => `${(r.riskTier * 100).toFixed(1)}%: ${r.strike ?? '—'}${r.skipReason ? ` (${r.skipReason})` : ''}`).join(', ');
    this.#o.log?.(`${date} ${event.time} ET: scored with ${state.modelVersion} (trained through ${state.trainedThroughSession}); ${picks}`);
  }

  /** Reconciles every pending snapshot whose session has closed and whose close is known. */
  async #reconcile(at: number): Promise<void> {
    const a = this.#o.assumptions;
    const w = this.#o.warehouse;
    const pending = (await w.forwardSnapshots({ symbol: a.symbol, status: 'pending' })).filter((p) => (session(p.sessionDate)?.close ?? Infinity) <= at);
    const known = clipHistoryAt(this.#o.history, at);
    const byDecision = new Map<string, ForwardSnapshot[]>();
    for (const p of pending) {
      const k = `${p.sessionDate}|${p.decisionTs}|${p.modelVersion}`;
      byDecision.set(k, [...(byDecision.get(k) ?? []), p]);
    }
    for (const group of byDecision.values()) {
      const { sessionDate, decisionTs, modelVersion, state } = group[0]!;
      const bars = known.intraday?.(a.symbol, sessionDate) ?? [];
      const anchor = anchorOf(sessionDate, bars, decisionTs);
      if (anchor.closePrice === null || !state) {
        this.#o.log?.(`${sessionDate} ${etHhmm(decisionTs)} ET: not reconciled yet — the session's closing bar is not in the data (incomplete session)`);
        continue;
      }
      const close = anchor.closePrice;
      const ladder = group.map((g) => g.ladder!).filter(Boolean);
      const sim = simulateSession([{ state, anchor, ladder }], bars, a, this.#o.quotes ?? null);
      const updated = group.map((g): ForwardSnapshot => {
        const pnl = (mode: 'hold_to_close' | 'adaptive_exit') => sim.trades.find((t) => t.riskTier === g.riskTier && t.exitMode === mode)?.pnl ?? null;
        return { ...g, status: 'reconciled', closePrice: close, breached: g.ladder?.strike != null ? (close <= g.ladder.strike ? 1 : 0) : null, pnl: { hold_to_close: pnl('hold_to_close'), adaptive_exit: pnl('adaptive_exit') }, reconciledAt: this.#o.clock.now() };
      });
      const probs = (await w.forwardProbabilities({ symbol: a.symbol, sessionDate, decisionTs })).filter((p) => p.modelVersion === modelVersion).map((p) => ({ ...p, breached: (close <= p.strike ? 1 : 0) as 0 | 1 }));
      await w.upsertForward(updated, probs);
      this.reconciled += group.length;
      this.#o.log?.(`${sessionDate} ${etHhmm(decisionTs)} ET: reconciled at the close ${close}`);
    }
  }
}
