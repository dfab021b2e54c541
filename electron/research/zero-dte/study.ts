/**
 * Seed 001 as a research-port `Study`: `fit(history, through)` learns the close-tail model from the
 * sessions up to `through` (each session's samples: its decisions' states, taken from the history as it
 * stood at each decision, and its close); `score` gives the breach probabilities of the candidate
 * strikes; `report` the calibration.
 *
 * Fitting every test day from scratch would re-read every session each day; instead the study keeps
 * the samples it has built and only adds the sessions after the last fit (dropping the oldest for a
 * rolling window). A fit still reads nothing after `through` — the port hands it the clipped history —
 * and gives the same model as a fresh study fitted through the same session (tested). Fitting through an
 * earlier session than the last one starts over. One study instance belongs to one history.
 *
 * `model_version` = `zdte-<trained through>-<10 hex digits>`, a digest of the assumptions' hash and of
 * every sample the model holds (in order): the same assumptions, data and session give the same
 * version, so a model frozen by `study fit` and the walk-forward's model of the next day agree.
 */
import { createHash, type Hash } from 'node:crypto';
import type { BreachProbability, LadderRow, StudyState, ZeroDteAssumptions } from '../../../shared/study/zero-dte.ts';
import { session } from '../../../shared/market/calendar.ts';
import { clipHistoryAt, type Study, type StudyHistory, type StudyResult } from '../port.ts';
import { assumptionsHash, strikeStepOf } from './assumptions.ts';
import { calibration, type Forecast } from './calibration.ts';
import { decisionEvents } from './decision.ts';
import { stateAt } from './features.ts';
import { anchorOf } from './labels.ts';
import { strikeLadder, type QuoteSource } from './ladder.ts';
import { breachProbabilities, candidateStrikes, TailModelBuilder, timeOnlyProbability, type Sample, type TailModel } from './model.ts';

export type FittedModel = { model: TailModel; modelVersion: string; assumptionsHash: string };
/** A scored state: the strikes' breach probabilities, the time-bucket-only forecast, and the ladder per tier (empty without `ladder`). */
export type Score = { modelVersion: string; trainedThrough: string; probabilities: BreachProbability[]; timeOnly: number[]; ladder: LadderRow[] };
export type Outcome = { closePrice: number };

/** The samples of one session: each decision with an entry anchor and a known close. */
export function sessionSamples(history: StudyHistory, date: string, a: ZeroDteAssumptions, intervalMs: number): Sample[] {
  const bars = history.intraday?.(a.symbol, date) ?? [];
  if (bars.length === 0) return [];
  const out: Sample[] = [];
  for (const event of decisionEvents(a, date, intervalMs)) {
    const anchor = anchorOf(date, bars, event.at);
    if (anchor.skipReason !== null || anchor.closePrice === null) continue;
    const r = stateAt(clipHistoryAt(history, event.at), event, a);
    if (!r.ok) continue;
    out.push({
      date,
      timeBucket: r.state.timeBucket,
      volRegime: r.state.volRegime,
      extensionBucket: r.state.extensionBucket,
      remaining: anchor.closePrice / r.state.decisionPrice - 1,
      closeReturn: anchor.closePrice / r.state.priorClose - 1,
    });
  }
  return out;
}

export class ZeroDteStudy implements Study<FittedModel, StudyState, Score, Outcome, ReturnType<typeof calibration>> {
  readonly id = 'zero-dte-put-study';
  readonly title = '0DTE put-sell probability study';
  readonly seed = '001';
  readonly assumptions: ZeroDteAssumptions;
  readonly assumptionsHash: string;
  readonly intervalMs: number;
  #builder = new TailModelBuilder();
  #digest: Hash;
  /** Every sample added so far, for `samplesThrough` (preflight). */
  #samples: Sample[] = [];

  /** Score the ladder per tier too (premiums from `quotes`, or modeled). */
  readonly ladder: boolean;
  readonly quotes: QuoteSource | null;

  constructor(a: ZeroDteAssumptions, intervalMs: number, opts: { ladder?: boolean; quotes?: QuoteSource | null } = {}) {
    this.assumptions = a;
    this.ladder = opts.ladder ?? true;
    this.quotes = opts.quotes ?? null;
    this.assumptionsHash = assumptionsHash(a);
    this.intervalMs = intervalMs;
    this.#digest = this.#freshDigest();
  }

  #freshDigest(): Hash {
    return createHash('sha256').update(`zdte/1|${this.assumptionsHash}|${this.intervalMs}`);
  }

  fit(history: StudyHistory, through: string): FittedModel {
    const last = this.#builder.lastSession;
    if (last !== null && through < last) {
      this.#builder = new TailModelBuilder();
      this.#digest = this.#freshDigest();
      this.#samples = [];
    }
    const from = this.#builder.lastSession;
    const dates = history.sessions?.(this.assumptions.symbol, from ?? '0000-01-01', through) ?? [];
    const window = this.assumptions.model.trainWindowSessions;
    for (const date of dates) {
      if (from !== null && date <= from) continue;
      if (date > through) break;
      const samples = sessionSamples(history, date, this.assumptions, this.intervalMs);
      this.#builder.addSession(date, samples);
      for (const s of samples) {
        this.#digest.update(`${s.date}|${s.timeBucket}|${s.volRegime}|${s.extensionBucket}|${s.remaining}|${s.closeReturn};`);
        this.#samples.push(s);
      }
      if (window !== null && this.#builder.sessionCount > window) this.#builder.dropOldest();
    }
    const modelVersion = `zdte-${through}-${this.#digest.copy().digest('hex').slice(0, 10)}`;
    return { model: this.#builder.snapshot(through), modelVersion, assumptionsHash: this.assumptionsHash };
  }

  /** The training samples of the sessions fitted so far, up to `through` (preflight counts). */
  samplesThrough(through: string): Sample[] {
    return this.#samples.filter((s) => s.date <= through);
  }

  /** Candidate strikes of a state (the root's listed grid from the prior close down). */
  strikes(state: StudyState): number[] {
    return candidateStrikes(state.priorClose, this.assumptions, strikeStepOf(this.assumptions.symbol));
  }

  /**
   * Scores a state. `withIntervals` computes every strike's credible interval (the ladder's chosen
   * strikes always get theirs); the walk-forward's rows need only the point forecasts.
   */
  score(fitted: FittedModel, state: StudyState, withIntervals = false): Score {
    const strikes = this.strikes(state);
    const probabilities = breachProbabilities(fitted.model, state, strikes, this.assumptions.model, withIntervals);
    const closeTs = session(state.sessionDate)!.close;
    return {
      modelVersion: fitted.modelVersion,
      trainedThrough: fitted.model.trainedThroughSession,
      probabilities,
      timeOnly: strikes.map((k) => timeOnlyProbability(fitted.model, state, k)),
      ladder: this.ladder ? strikeLadder(fitted.model, state, probabilities, closeTs, this.assumptions, this.quotes) : [],
    };
  }

  report(results: readonly StudyResult<StudyState, Score, Outcome>[]): ReturnType<typeof calibration> {
    const rows: Forecast[] = [];
    for (const r of results) for (const p of r.score.probabilities) rows.push({ p: p.pBreach, y: r.outcome.closePrice <= p.strike ? 1 : 0, climatology: p.climatology });
    return calibration(rows);
  }
}
