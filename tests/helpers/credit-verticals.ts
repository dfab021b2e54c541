/**
 * Test support for the credit-vertical tests (electron/strategies/credit-verticals/*.test.ts): the real
 * SPXW end-of-day chains of 2018-01/02 (../shared/data), chain editing, and empty portfolio/context views.
 */
import { chainKey, type ChainKey, type ChainSnapshot, type OptionQuote } from '../../shared/domain/chain.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { groupsOnDay, isoToDay, readEodChain, toChainSnapshot } from '../../electron/market/data/index.ts';
import type { ChainColumns } from '../../electron/market/data/chain-columns.ts';
import type { AccountView, ContextView, EntryInput, MarketView, PortfolioView } from '../../electron/strategies/types.ts';
import { DEFAULT_CONFIG, type CreditVerticalsConfig } from '../../electron/strategies/credit-verticals/config.ts';

/** ../shared/data seen from this folder (the repo root is two levels up). */
export const DATA_DIR = `${import.meta.dirname}/../../../shared/data`;

let cols: ChainColumns | null = null;

/** The SPXW EOD table (loaded once per test file). */
export function eodTable(): ChainColumns {
  cols ??= readEodChain(`${DATA_DIR}/spxw_options_eod_2018-01_2018-02.csv`).rows;
  return cols;
}

/** The real chains quoted on `date` (ET), by expiration. */
export function realChains(date: string): Map<string, ChainSnapshot> {
  const t = eodTable();
  const { from, to } = groupsOnDay(t, isoToDay(date)!);
  const out = new Map<string, ChainSnapshot>();
  for (let g = from; g < to; g++) {
    const s = toChainSnapshot(t, [g]);
    if (s && s.contracts.length > 0) out.set(s.contracts[0]!.expiration, s);
  }
  return out;
}

/** A copy of `chain` with the contracts matching `pick` edited (or removed when `edit` returns null). */
export function editChain(chain: ChainSnapshot, pick: (q: OptionQuote) => boolean, edit: (q: OptionQuote) => OptionQuote | null): ChainSnapshot {
  const contracts: OptionQuote[] = [];
  for (const q of chain.contracts) {
    if (!pick(q)) contracts.push(q);
    else {
      const e = edit({ ...q });
      if (e !== null) contracts.push(e);
    }
  }
  return { ...chain, contracts };
}

/** The contract of a real chain at (strike, right). */
export function contractAt(chain: ChainSnapshot, strike: number, right: 'C' | 'P'): OptionQuote {
  const q = chain.contracts.find((c) => c.strike === strike && c.right === right);
  if (!q) throw new Error(`no ${strike}${right} in the chain`);
  return q;
}

export const EMPTY_PORTFOLIO: PortfolioView = { positions: [], pendingEntries: 0, newTradesToday: 0, realizedTodayCents: 0, unrealizedCents: 0, stopLossToday: false };
export const EMPTY_CONTEXT: ContextView = { spx: null, spy: null, vix: null, vix9d: null, vix3m: null, termStructure: null, gexNet: null, zeroGammaLevel: null };
export const EMPTY_ACCOUNT: AccountView = { equityCents: 10_000_000, peakEquityCents: 10_000_000, positions: [], pendingEntries: 0, realizedTodayCents: 0, unrealizedCents: 0 };

/** A market view at `at` with no prices and no history (seed 000 reads none). */
export const emptyMarket = (at: number): MarketView => ({ at, underlyings: {}, series: {} });

/**
 * An entry input at `date` `time` ET over `chains` given by expiration (the config's root; keyed by
 * root and expiration as the engine gives them); listed expirations = the chains' expirations unless given.
 */
export function entryInput(date: string, chains: Map<string, ChainSnapshot>, opts: { time?: string; config?: CreditVerticalsConfig; portfolio?: PortfolioView; expirations?: string[] } = {}): EntryInput<CreditVerticalsConfig> {
  const time = opts.time ?? '10:00';
  const config = opts.config ?? DEFAULT_CONFIG;
  const now = etToEpoch(date, time);
  return {
    now,
    slot: time,
    config,
    chains: new Map([...chains].map(([e, c]): [ChainKey, ChainSnapshot] => [chainKey(config.root, e), c])),
    context: EMPTY_CONTEXT,
    market: emptyMarket(now),
    portfolio: opts.portfolio ?? EMPTY_PORTFOLIO,
    account: EMPTY_ACCOUNT,
    expirations: { [config.root]: opts.expirations ?? [...chains.keys()].sort() },
  };
}
