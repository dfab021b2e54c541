/**
 * The Strategies page's data: each system of the registry (electron/strategies/index.ts) with what it
 * declares about itself (seed, cadence, exit reasons, decision fields, backtest sources: `about`), its
 * switch, config (validated by its schema), defaults, JSON Schema and the figures it chose for its card.
 *
 * Where things live: the config in force is the engine's (or, with no broker, the one saved in settings
 * `strategy.<id>.config`, which the workstation reads at start); every saved config is a version in
 * `strategy_configs` that decisions point to; the switch is settings `strategy.<id>.enabled`.
 */
import { z } from 'zod';
import { ApiError, type StrategyAbout, type StrategyDetail, type StrategyFigure } from '../../../shared/api.ts';
import { underlyingsOf } from '../../../shared/domain/instruments.ts';
import { fromCents } from '../../../shared/money.ts';
import { computeMetrics, DEFAULT_CAPITAL_CENTS, type ClosedTrade, type Stats } from '../../../shared/stats.ts';
import { shownUnit } from '../../../shared/units.ts';
import { toClosedTrade } from '../../store/repos/trades.ts';
import type { Store } from '../../store/store.ts';
import { accountRisk } from '../settings/settings.ts';
import { STRATEGIES } from '../../strategies/index.ts';
import type { Logger } from '../../engine/ports.ts';
import type { AnyStrategy, EngineConfig, StrategyEntry, TradingEngine } from '../../engine/trading.ts';
import type { SummaryFigure } from '../../strategies/types.ts';

export type StrategiesContext = { store: Store; engine: TradingEngine | null; /** Engine time. */ now: number; /** Wall time, for settings rows. */ wall: number; log: Logger };

type JsonSchema = Record<string, unknown>;

/** Every built system, with the config saved in settings (validated) or its seed's defaults and its saved switch (default on). */
export function savedStrategyEntries(store: Store, log: Logger): StrategyEntry[] {
  return STRATEGIES.map((strategy) => {
    const saved = store.settings.get(`strategy.${strategy.id}.config`);
    const parsed = strategy.configSchema.safeParse(saved ?? {});
    if (!parsed.success) log.error(`The saved configuration of ${strategy.id} is invalid (${parsed.error.message}); using the defaults.`);
    const config = (parsed.success ? parsed.data : strategy.configSchema.parse({})) as EngineConfig;
    const enabled = store.settings.get<boolean>(`strategy.${strategy.id}.enabled`) ?? strategy.enabledByDefault ?? true;
    return { strategy, config, enabled };
  });
}

/** Every system the engine runs (or, with no broker, every built system as it would start). */
export function listStrategies(ctx: StrategiesContext): StrategyDetail[] {
  return STRATEGIES.filter((s) => !ctx.engine || ctx.engine.strategyIds().includes(s.id)).map((s) => detail(ctx, s));
}

/**
 * Validates `config` with the strategy's schema (missing fields take the seed's defaults) and, when it
 * is valid, saves it (settings + a config version) and applies it to the engine from its next decision.
 * Throws ApiError VALIDATION naming every bad field with its allowed range, saving nothing; NOT_FOUND
 * for an unknown strategy.
 */
export function setStrategyConfig(ctx: StrategiesContext, strategyId: string, config: Record<string, unknown>): StrategyDetail {
  const strategy = findStrategy(ctx, strategyId);
  const parsed = strategy.configSchema.safeParse(config);
  if (!parsed.success) {
    throw new ApiError('VALIDATION', `The ${strategy.title} configuration was not saved — ${describeConfigIssues(strategy, parsed.error)}.`);
  }
  const value = parsed.data as Record<string, unknown>;
  const note = 'saved from the Strategies page';
  const version = ctx.store.transaction(() => {
    ctx.store.settings.set(`strategy.${strategy.id}.config`, value, ctx.wall);
    return ctx.engine ? ctx.engine.setConfig(strategy.id, value, note).version : ctx.store.configs.save(strategy.id, value, ctx.now, note).version;
  });
  ctx.log.info(`Saved the configuration of ${strategy.id} as version ${version}${ctx.engine ? '; it applies from the next decision' : ''}.`);
  return detail(ctx, strategy);
}

/** One system as the Strategies page shows it (its card: switch, config in force, claims and figures); NOT_FOUND when the engine does not run it. */
export function strategyDetail(ctx: StrategiesContext, strategyId: string): StrategyDetail {
  return detail(ctx, findStrategy(ctx, strategyId));
}

function findStrategy(ctx: StrategiesContext, id: string): AnyStrategy {
  const known = ctx.engine ? ctx.engine.strategyIds() : STRATEGIES.map((s) => s.id);
  const strategy = known.includes(id) ? STRATEGIES.find((s) => s.id === id) : undefined;
  if (!strategy) throw new ApiError('NOT_FOUND', `Unknown strategy "${id}". Known strategies: ${known.length ? known.join(', ') : 'none yet'}.`);
  return strategy;
}

function detail(ctx: StrategiesContext, strategy: AnyStrategy): StrategyDetail {
  const info = ctx.engine?.strategyInfo().find((s) => s.id === strategy.id) ?? null;
  const defaults = strategy.configSchema.parse({}) as Record<string, unknown>;
  let config: Record<string, unknown>;
  let configVersion: number | null;
  if (info) {
    config = info.config as unknown as Record<string, unknown>;
    configVersion = ctx.store.configs.get(info.configId)?.version ?? null;
  } else {
    // As the workstation would start it: the saved config when it is valid, else the defaults.
    const saved = strategy.configSchema.safeParse(ctx.store.settings.get(`strategy.${strategy.id}.config`) ?? {});
    config = (saved.success ? saved.data : defaults) as Record<string, unknown>;
    configVersion = ctx.store.configs.latest(strategy.id)?.version ?? null;
  }
  const stats = strategyStats(ctx, strategy.id);
  // The account it sizes from: the engine's equity, else the capital set in Settings → Account risk.
  const equityCents = ctx.engine ? ctx.engine.account(ctx.now).equityCents : accountRisk(ctx.store).capitalCents;
  const capacity = strategy.capacityWarning?.(equityCents, config) ?? null;
  return {
    id: strategy.id,
    name: strategy.title,
    seed: strategy.about.seed ?? '',
    about: aboutOf(strategy),
    figures: figuresOf(strategy.about.figures, stats),
    enabled: info?.enabled ?? ctx.store.settings.get<boolean>(`strategy.${strategy.id}.enabled`) ?? strategy.enabledByDefault ?? true,
    config,
    defaults,
    schema: configJsonSchema(strategy),
    configVersion,
    stats: stats.detail,
    warnings: capacity === null ? [] : [capacity],
  };
}

/** What a system declares about itself, as the contract carries it. */
export function aboutOf(strategy: AnyStrategy): StrategyAbout {
  const { seed, summary, cadence, exitReasons, decisionFields, backtest } = strategy.about;
  return {
    seed,
    summary,
    cadence,
    exitReasons: exitReasons.map((r) => ({ ...r })),
    decisionFields: decisionFields.map((f) => ({ ...f })),
    backtest: { sources: backtest.sources.map((x) => ({ ...x })), slippageFraction: backtest.slippageFraction, capital: fromCents(backtest.capitalCents ?? DEFAULT_CAPITAL_CENTS) },
    roots: [...strategy.roots],
    underlyings: underlyingsOf(strategy.roots),
    claims: (strategy.about.claims ?? []).map((c) => ({ ...c })),
    claimsSource: strategy.about.claimsSource ?? null,
  };
}

/** Every figure a system may show: its label, unit and how it is read from the statistics (shared/stats.ts) and the open positions. */
const FIGURES: Record<SummaryFigure, { label: string; unit: StrategyFigure['unit']; value: (s: Stats, open: { positions: number; unrealizedCents: number }) => number | null }> = {
  closedTrades: { label: 'Closed trades', unit: 'count', value: (s) => s.trades },
  wins: { label: 'Won', unit: 'count', value: (s) => s.wins },
  winRate: { label: 'Win rate', unit: 'fraction', value: (s) => s.winRate },
  realizedPnl: { label: 'Realized P&L', unit: 'usd', value: (s) => fromCents(s.totalPnlCents) },
  avgPnl: { label: 'Average P&L', unit: 'usd', value: (s) => (s.avgPnlCents === null ? null : fromCents(s.avgPnlCents)) },
  profitFactor: { label: 'Profit factor', unit: 'ratio', value: (s) => s.profitFactor },
  maxDrawdown: { label: 'Max drawdown', unit: 'usd', value: (s) => fromCents(-s.maxDrawdownCents) },
  openPositions: { label: 'Open positions', unit: 'count', value: (_s, o) => o.positions },
  unrealizedPnl: { label: 'Unrealized P&L', unit: 'usd', value: (_s, o) => fromCents(o.unrealizedCents) },
};

function figuresOf(keys: readonly SummaryFigure[], stats: { stats: Stats; open: { positions: number; unrealizedCents: number } }): StrategyFigure[] {
  return keys.map((key) => ({ key, label: FIGURES[key].label, unit: FIGURES[key].unit, value: FIGURES[key].value(stats.stats, stats.open) }));
}

const schemaCache = new WeakMap<object, JsonSchema>();

/** JSON Schema of the config as the user types it (inputs: defaults optional), with titles, units and descriptions. */
export function configJsonSchema(strategy: AnyStrategy): JsonSchema {
  let s = schemaCache.get(strategy.configSchema);
  if (!s) {
    s = z.toJSONSchema(strategy.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    schemaCache.set(strategy.configSchema, s);
  }
  return s;
}

/**
 * Closed trades (wins, win rate, realized P&L — shared/stats.ts, as the Trades page filtered to this
 * strategy shows them) and open positions (with unrealized P&L at the last marks) of one strategy.
 */
function strategyStats(ctx: StrategiesContext, strategyId: string): { detail: StrategyDetail['stats']; stats: Stats; open: { positions: number; unrealizedCents: number } } {
  const closed = ctx.store.trades.search({ strategyId, status: 'CLOSED', limit: 10_000_000, legs: false }).map(toClosedTrade).filter((t): t is ClosedTrade => t !== null);
  const { stats } = computeMetrics(closed);
  const open = ctx.store.trades.listOpen(strategyId).filter((t) => t.status === 'OPEN' || t.status === 'CLOSING');
  const unrealizedCents = open.reduce((sum, t) => sum + (ctx.engine?.unrealized(t) ?? 0), 0);
  return {
    detail: {
      closedTrades: stats.trades,
      wins: stats.wins,
      winRate: stats.winRate,
      realizedPnl: fromCents(stats.totalPnlCents),
      openPositions: open.length,
      unrealizedPnl: fromCents(unrealizedCents),
    },
    stats,
    open: { positions: open.length, unrealizedCents },
  };
}

// ---------------------------------------------------------------------------------------------
// Validation messages: "takeProfitPct: must be at most 1 (allowed: more than 0 up to 1, the seed's default is 0.5)"

/** One readable clause per bad field, joined with "; " (never used inside a clause). Each clause starts with the field's dotted path and a colon. */
export function describeConfigIssues(strategy: AnyStrategy, error: z.ZodError): string {
  const schema = configJsonSchema(strategy);
  const defaults = strategy.configSchema.parse({}) as Record<string, unknown>;
  return error.issues.map((issue) => describeIssue(issue, schema, defaults)).join('; ');
}

function describeIssue(issue: z.core.$ZodIssue, schema: JsonSchema, defaults: Record<string, unknown>): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const where = path.length ? `${path.join('.')}.` : '';
    return issue.keys.map((k) => `${where}${keyName(k)}: is not a setting of this system`).join('; ');
  }
  const field = fieldSchema(schema, path);
  // Numbers of a field kept in cents or milliseconds are worded as the page shows them ($, seconds).
  const unit = shownUnit(field?.unit);
  const say = (v: unknown) => (unit && typeof v === 'number' ? unit.describe(v) : String(v));
  const what = problem(issue, field, say);
  const extras: string[] = [];
  const range = field ? allowedRange(field) : null;
  if (range) extras.push(`allowed: ${range}`);
  const dflt = valueAt(defaults, path.filter((p) => !/^\d+$/.test(p)));
  if (dflt !== undefined && (typeof dflt !== 'object' || Array.isArray(dflt) || dflt === null)) extras.push(`the seed's default is ${dflt === null ? 'none' : unit ? say(dflt) : JSON.stringify(dflt)}`);
  return `${path.length ? path.join('.') : 'configuration'}: ${what}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/**
 * An unknown key as the user can see it: plain names as they are; an empty, blank or odd key (one
 * with spaces, dots, quotes…) JSON-quoted, with ";" escaped so it never splits a clause.
 */
function keyName(k: string): string {
  return /^[\w-]+$/.test(k) ? k : JSON.stringify(k).replace(/;/g, '\\u003b');
}

function problem(issue: z.core.$ZodIssue, field: JsonSchema | null, say: (v: unknown) => string): string {
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'array') return `has more than ${String(issue.maximum)} values`;
      return issue.inclusive ? `must be at most ${say(issue.maximum)}` : `must be less than ${say(issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} value${Number(issue.minimum) === 1 ? '' : 's'}`;
      return issue.inclusive ? `must be at least ${say(issue.minimum)}` : `must be more than ${say(issue.minimum)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${say(issue.divisor)}`;
    case 'invalid_type':
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${issue.expected === 'number' ? 'a number' : issue.expected === 'boolean' ? 'true or false' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return field?.anyOf ? 'must be a number or empty' : issue.message;
    default:
      return stripFieldName(issue.message, issue.path);
  }
}

/** Our schema's own messages often start with the field's name ("target DTEs must not repeat"); keep them as written. */
function stripFieldName(message: string, path: readonly PropertyKey[]): string {
  const last = path.length ? String(path[path.length - 1]) : '';
  return last && message.startsWith(`${last} `) ? message.slice(last.length + 1) : message;
}

/** The JSON Schema of the field at `path` (array indexes step into `items`; nullable unions into the non-null branch). */
function fieldSchema(schema: JsonSchema, path: readonly string[]): JsonSchema | null {
  let node: JsonSchema | null = schema;
  for (const key of path) {
    if (!node) return null;
    node = unwrapNullable(node);
    if (/^\d+$/.test(key) && node.items && typeof node.items === 'object') node = node.items as JsonSchema;
    else node = ((node.properties as Record<string, JsonSchema> | undefined)?.[key] as JsonSchema | undefined) ?? null;
  }
  return node ? unwrapNullable(node) : null;
}

function unwrapNullable(node: JsonSchema): JsonSchema {
  const any = node.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(any)) return { ...node, ...(any.find((b) => b.type !== 'null') ?? {}) };
  return node;
}

const HUGE = 1e15;

/**
 * "more than 0 up to 1", "5 to 200 in steps of 5", "0 to 14", or null when the field has no numeric
 * range. A field kept in cents or milliseconds is worded in dollars or seconds ("more than $0.00").
 */
export function allowedRange(field: JsonSchema): string | null {
  const f = field.type === 'array' && field.items && typeof field.items === 'object' ? (field.items as JsonSchema) : field;
  const unit = shownUnit(f.unit);
  const num = (v: unknown): string | null => (typeof v === 'number' && Math.abs(v) < HUGE ? (unit ? unit.describe(v) : `${v}`) : null);
  const min = num(f.minimum);
  const xmin = num(f.exclusiveMinimum);
  const max = num(f.maximum);
  const xmax = num(f.exclusiveMaximum);
  const lo = min !== null ? `${min}` : xmin !== null ? `more than ${xmin}` : null;
  const hi = max !== null ? `${max}` : xmax !== null ? `less than ${xmax}` : null;
  let text: string | null = null;
  if (lo !== null && hi !== null) text = min !== null && max !== null ? `${lo} to ${hi}` : `${lo}${max !== null ? ' up to ' : ' and '}${hi}`;
  else if (lo !== null) text = min !== null ? `at least ${lo}` : lo;
  else if (hi !== null) text = max !== null ? `at most ${hi}` : hi;
  const step = num(f.multipleOf);
  if (step !== null) text = `${text ?? 'any number'} in steps of ${step}`;
  // Whole cents or milliseconds are any amount to the cent or the millisecond in dollars or seconds.
  if (f.type === 'integer' && text && !unit) text = `whole numbers ${text}`;
  return text;
}

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
