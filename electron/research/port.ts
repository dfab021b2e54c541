/**
 * The research port: a study is not a trading strategy (ARCHITECTURE.md; seed 001, the 0DTE put-sell
 * probability study). It does not propose orders; it learns from history and says how likely
 * something is. So it gets its own small interface instead of bending `Strategy`:
 *
 * - `fit(history, through)`: learn from the history up to and including session `through` (seed 001's
 *   `trained_through_session`); the history it is given cannot show anything later;
 * - `score(model, state)`: judge one state (e.g. the intraday state at 10:30 ET) with a fitted model;
 * - `report(results)`: summarize scored states against what happened (calibration, tiers…).
 *
 * `walkForward` runs a study the only way seed 001 allows: for each decision date D it fits on the
 * sessions before D (the model is "trained through" D's previous session), scores D's state, and keeps
 * the outcome beside the score; then reports. No lookahead by construction: `clipHistory` cuts the
 * history a fit reads at its `through` date whatever the source holds.
 */
import type { DailyBar } from '../../shared/domain/bars.ts';
import { previousTradingDay } from '../../shared/market/calendar.ts';

/** Daily bars by series name ('SPX', 'SPY', 'VIX'…), oldest first, `from`..`to` inclusive. */
export interface StudyHistory {
  daily(symbol: string, from: string, to: string): readonly DailyBar[];
}

export interface Study<Model, State, Score, Outcome, Report> {
  readonly id: string;
  readonly title: string;
  /** The seed document it implements, e.g. '001'; null for none. */
  readonly seed: string | null;
  /** Learns from `history`, which shows sessions up to and including `through` only. */
  fit(history: StudyHistory, through: string): Model;
  score(model: Model, state: State): Score;
  report(results: readonly StudyResult<State, Score, Outcome>[]): Report;
}

/** One scored state: when, what the model was trained through, the score, and what then happened. */
export type StudyResult<State, Score, Outcome> = { date: string; trainedThrough: string; state: State; score: Score; outcome: Outcome };

/** The history as it stood at the end of session `through`: nothing dated later is ever returned. */
export function clipHistory(history: StudyHistory, through: string): StudyHistory {
  return { daily: (symbol, from, to) => history.daily(symbol, from, to < through ? to : through).filter((b) => b.date <= through) };
}

/**
 * Walk-forward: for each date, fit through the previous session, score the date's state, pair it
 * with its outcome; then report. `stateOf` builds the state known at the decision time of `date`
 * (it gets the history through the previous session too: today's close is an outcome, not a state);
 * `outcomeOf` reads what happened (the full history: it is the answer, never an input to a fit).
 */
export function walkForward<Model, State, Score, Outcome, Report>(
  study: Study<Model, State, Score, Outcome, Report>,
  history: StudyHistory,
  dates: readonly string[],
  stateOf: (history: StudyHistory, date: string) => State | null,
  outcomeOf: (history: StudyHistory, date: string) => Outcome | null,
): { results: StudyResult<State, Score, Outcome>[]; report: Report } {
  const results: StudyResult<State, Score, Outcome>[] = [];
  for (const date of dates) {
    const through = previousTradingDay(date);
    const known = clipHistory(history, through);
    const state = stateOf(known, date);
    const outcome = outcomeOf(history, date);
    if (state === null || outcome === null) continue;
    const model = study.fit(known, through);
    results.push({ date, trainedThrough: through, state, score: study.score(model, state), outcome });
  }
  return { results, report: study.report(results) };
}
