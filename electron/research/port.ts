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
 * `walkForward` runs a study the only way seed 001 allows: for each decision it fits on the sessions
 * before the decision's date (the model is "trained through" the previous session), builds the state
 * from the history as it stood at the decision instant, scores it, and keeps the outcome beside the
 * score; then reports. No lookahead by construction: `clipHistory` cuts the history a fit reads at its
 * `through` session, `clipHistoryAt` cuts the history a state reads at the decision instant (a daily bar
 * appears once its session has closed, an intraday bar once it has ended), whatever the source holds.
 */
import type { DailyBar, SessionBar } from '../../shared/domain/bars.ts';
import { previousTradingDay, session } from '../../shared/market/calendar.ts';
import { etDate } from '../../shared/time/et.ts';

/**
 * A study's data: daily bars by series name ('SPX', 'SPY', 'VIX'…), oldest first, `from`..`to`
 * inclusive; and, for intraday studies, the sessions that have bars and each session's bars.
 */
export interface StudyHistory {
  daily(symbol: string, from: string, to: string): readonly DailyBar[];
  /** Dates (oldest first) in [from, to] with intraday bars of `symbol`. */
  sessions?(symbol: string, from: string, to: string): readonly string[];
  /** The intraday bars of one session, oldest first ([] when none). */
  intraday?(symbol: string, date: string): readonly SessionBar[];
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
export type StudyResult<State, Score, Outcome> = { date: string; at: number; trainedThrough: string; state: State; score: Score; outcome: Outcome };

/** One decision of a walk-forward: a session and the instant (epoch ms) its state is taken at. */
export type StudyEvent = { date: string; at: number };

/** The history as it stood at the end of session `through`: nothing dated later is ever returned. */
export function clipHistory(history: StudyHistory, through: string): StudyHistory {
  const clipped: StudyHistory = { daily: (symbol, from, to) => history.daily(symbol, from, to < through ? to : through).filter((b) => b.date <= through) };
  const { sessions, intraday } = history;
  if (sessions) clipped.sessions = (symbol, from, to) => sessions.call(history, symbol, from, to < through ? to : through).filter((d) => d <= through);
  if (intraday) clipped.intraday = (symbol, date) => (date <= through ? intraday.call(history, symbol, date) : []);
  return clipped;
}

/**
 * The history as it stood at the instant `at`: a daily bar only once its session has closed, an
 * intraday bar only once it has ended (`end ≤ at`). The session in progress shows its completed bars.
 */
export function clipHistoryAt(history: StudyHistory, at: number): StudyHistory {
  const today = etDate(at);
  const todayClosed = (session(today)?.close ?? Infinity) <= at;
  const lastDaily = todayClosed ? today : previousTradingDay(today);
  const clipped: StudyHistory = { daily: (symbol, from, to) => history.daily(symbol, from, to < lastDaily ? to : lastDaily).filter((b) => b.date <= lastDaily) };
  const { sessions, intraday } = history;
  if (sessions) clipped.sessions = (symbol, from, to) => sessions.call(history, symbol, from, to < today ? to : today).filter((d) => d <= today);
  if (intraday) {
    clipped.intraday = (symbol, date) => {
      if (date > today) return [];
      const bars = intraday.call(history, symbol, date);
      if (date < today) return bars;
      // The session in progress: only the bars that have ended. Bars are in time order.
      let n = 0;
      while (n < bars.length && bars[n]!.end <= at) n++;
      return bars.slice(0, n);
    };
  }
  return clipped;
}

/**
 * Walk-forward over decision events: for each, fit through the previous session (once per date),
 * build the state from the history clipped at the event's instant, score it, pair it with its outcome;
 * then report. `stateOf` sees only what was known at `at`; `outcomeOf` reads what happened (the full
 * history: it is the answer, never an input to a fit or a state). Events are taken in the order given.
 */
export function walkForwardAt<Model, State, Score, Outcome, Report>(
  study: Study<Model, State, Score, Outcome, Report>,
  history: StudyHistory,
  events: readonly StudyEvent[],
  stateOf: (known: StudyHistory, event: StudyEvent) => State | null,
  outcomeOf: (history: StudyHistory, event: StudyEvent, state: State) => Outcome | null,
): { results: StudyResult<State, Score, Outcome>[]; report: Report } {
  const results: StudyResult<State, Score, Outcome>[] = [];
  let fitted = null as { through: string; model: Model } | null;
  for (const event of events) {
    const state = stateOf(clipHistoryAt(history, event.at), event);
    if (state === null) continue;
    const outcome = outcomeOf(history, event, state);
    if (outcome === null) continue;
    const through = previousTradingDay(event.date);
    if (fitted?.through !== through) fitted = { through, model: study.fit(clipHistory(history, through), through) };
    results.push({ date: event.date, at: event.at, trainedThrough: through, state, score: study.score(fitted.model, state), outcome });
  }
  return { results, report: study.report(results) };
}

/**
 * Walk-forward by date: for each date, fit through the previous session, score the date's state, pair
 * it with its outcome; then report. `stateOf` builds the state known before the date's open (it gets
 * the history through the previous session: today's close is an outcome, not a state); `outcomeOf`
 * reads what happened (the full history).
 */
export function walkForward<Model, State, Score, Outcome, Report>(
  study: Study<Model, State, Score, Outcome, Report>,
  history: StudyHistory,
  dates: readonly string[],
  stateOf: (history: StudyHistory, date: string) => State | null,
  outcomeOf: (history: StudyHistory, date: string) => Outcome | null,
): { results: StudyResult<State, Score, Outcome>[]; report: Report } {
  const events = dates.map((date) => ({ date, at: session(date)?.open ?? Number.NaN }));
  return walkForwardAt(study, history, events.filter((e) => Number.isFinite(e.at)), (known, e) => stateOf(known, e.date), (full, e) => outcomeOf(full, e.date));
}
