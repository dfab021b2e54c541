import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/cli/export.ts';
import { exportCsvInWorker } from '../../electron/store/background.ts';
import { exportCsv } from '../../electron/store/export.ts';
import type { Store } from '../../electron/store/store.ts';
import { openTemp, seedArbTrade, seedTakeProfitTrade, tempDir } from './fixtures.ts';

/** A strict RFC 4180 reader for the assertions (CRLF records, quoted fields). */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      rec.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      i += 2;
    } else if (ch === '\n' || ch === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || rec.length > 0) throw new Error('last record not terminated by CRLF');
  const [header, ...rows] = records;
  return rows.map((r) => {
    expect(r).toHaveLength(header!.length);
    return Object.fromEntries(header!.map((h, j) => [h, r[j]!]));
  });
}

let store: Store;
let dir: string;
beforeAll(() => {
  dir = tempDir();
  store = openTemp(dir);
  seedArbTrade(store);
  seedArbTrade(store, { closeIt: false, accountId: 'U9876543' });
  const cfg = store.configs.save('spx-verticals', { deltaTarget: 0.1 }, 1);
  store.decisions.record({
    strategyId: 'spx-verticals', configId: cfg.configId, decidedAt: Date.UTC(2026, 6, 7, 15, 0), kind: 'SKIP', gate: 'event_blackout',
    reason: 'FOMC within 24 h, "no entries", skip', details: { hoursToEvent: 20 }, snapshotIds: [],
  });
  store.daily.recompute('2026-01-20', 1);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('CSV export', () => {
  it('trades: one row per trade with legs summarised, ET times with offset, exact cents, masked account', () => {
    const rows = parseCsv(exportCsv(store, 'trades', { from: '2026-01-20', to: '2026-01-20' }));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      strategy_id: 'spx-spy-arb', status: 'CLOSED', account: '******567', entry_date: '2026-01-20', entry_time: '2026-01-20T09:35:00.900-05:00',
      exit_time: '2026-01-20T15:45:00.600-05:00', legs: 'BTO 1 SPXW 2026-01-20 6000C; STO 10 SPY 2026-01-20 600C', underlyings: 'SPX+SPY',
      quantity: '1', contracts: '11', entry_price: '6.20', exit_price: '3.90', entry_credit: '620.00', exit_debit: '390.00', commissions: '7.80',
      pnl: '222.20', exit_reason: 'TIME_EXIT', config_version: '1',
    });
    expect(rows[1]).toMatchObject({ status: 'OPEN', account: '*****543', exit_time: '', pnl: '' });
    expect(exportCsv(store, 'trades', { from: '2026-01-21', to: '2026-02-01' })).toBe(
      'trade_id,strategy_id,config_version,structure,status,broker,account,entry_date,entry_time,exit_time,legs,underlyings,quantity,contracts,entry_price,exit_price,entry_credit,exit_debit,commissions,pnl,exit_reason,decision_id,' +
        'exit_target_pct,exit_target_max_profit,exit_target_pnl,exit_trigger_price,exit_trigger_pnl,realized_premium_pnl,realized_pct_of_max_profit,' +
        'spy_price,spx_price,spy_strike,spx_strike,spy_entry_bid,spy_entry_ask,spx_entry_bid,spx_entry_ask,entry_filled,spy_exit_price,spx_exit_price,exit_cost\r\n',
    );
    // A time exit has no level: the intended-vs-realized columns are empty.
    expect(rows[0]).toMatchObject({ exit_target_pct: '', exit_target_pnl: '', exit_trigger_price: '', realized_premium_pnl: '', realized_pct_of_max_profit: '' });
  });

  it('trades: a take profit keeps its intended level beside what the close realized (new columns, exact cents)', () => {
    const day = '2026-03-02';
    seedTakeProfitTrade(store, Date.UTC(2026, 2, 2, 15, 0));
    const [row, ...rest] = parseCsv(exportCsv(store, 'trades', { from: day, to: day }));
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      exit_reason: 'TAKE_PROFIT_50', entry_price: '2.35', exit_price: '1.50', pnl: '83.70',
      exit_target_pct: '0.5', exit_target_max_profit: '235.00', exit_target_pnl: '118.00', exit_trigger_price: 'mid', exit_trigger_pnl: '121.00',
      realized_premium_pnl: '85.00', realized_pct_of_max_profit: '0.3617',
    });
  });

  it('legs, fills and daily summaries carry exact decimals', () => {
    const legs = parseCsv(exportCsv(store, 'legs', { from: '2026-01-20', to: '2026-01-20' }));
    // Each leg's P&L says which it is: gross (prices only), its commissions, and net (after them).
    expect(legs.slice(0, 2).map((l) => [l.option_symbol, l.side, l.avg_entry_price, l.entry_value, l.avg_exit_price, l.gross_pnl, l.commissions, l.net_pnl])).toEqual([
      ['SPXW260120C06000000', 'BTO', '12.3000', '1230.00', '20.1000', '780.00', '1.30', '778.70'],
      ['SPY260120C00600000', 'STO', '1.8500', '1850.00', '2.4000', '-550.00', '6.50', '-556.50'],
    ]);
    expect(legs[0]).not.toHaveProperty('pnl');
    // The legs' net sums to the trade's P&L to the cent; an open trade's legs have none yet.
    const trades = parseCsv(exportCsv(store, 'trades', { from: '2026-01-20', to: '2026-01-20' }));
    for (const t of trades) {
      const mine = legs.filter((l) => l.trade_id === t.trade_id);
      expect(mine.length).toBeGreaterThan(0);
      if (t.pnl === '') expect(mine.every((l) => l.net_pnl === '')).toBe(true);
      else expect(mine.reduce((sum, l) => sum + Math.round(Number(l.net_pnl) * 100), 0)).toBe(Math.round(Number(t.pnl) * 100));
    }
    const fills = parseCsv(exportCsv(store, 'fills', { from: '2026-01-20', to: '2026-01-20' }));
    expect(fills).toHaveLength(6);
    expect(fills[0]).toMatchObject({ side: 'BUY', effect: 'OPEN', price: '12.30', commission: '1.30', account: '******567', filled_at: '2026-01-20T09:35:00.900-05:00' });
    const daily = parseCsv(exportCsv(store, 'daily', { from: '2026-01-01', to: '2026-01-31' }));
    expect(daily.map((d) => [d.strategy_id, d.net_pnl, d.gross_pnl])).toEqual([['*', '222.20', '230.00'], ['spx-spy-arb', '222.20', '230.00']]);
  });

  it('decisions: reasons with commas and quotes survive RFC 4180 quoting; summer times are -04:00', () => {
    const rows = parseCsv(exportCsv(store, 'decisions', { from: '2026-07-07', to: '2026-07-07' }));
    expect(rows).toEqual([expect.objectContaining({ kind: 'SKIP', gate: 'event_blackout', reason: 'FOMC within 24 h, "no entries", skip', details: '{"hoursToEvent":20}', decided_at: '2026-07-07T11:00:00.000-04:00' })]);
    const jan = parseCsv(exportCsv(store, 'decisions', { from: '2026-01-20', to: '2026-01-20' }));
    expect(jan[0]!.chain_snapshot_ids).toMatch(/^\d+;\d+$/);
  });

  it('never exports secrets or raw broker payloads', () => {
    const all = ['trades', 'legs', 'fills', 'decisions', 'daily'].map((k) => exportCsv(store, k as 'trades', { from: '2020-01-01', to: '2030-01-01' })).join('');
    expect(all).not.toContain('DU1234567');
    expect(all).not.toContain('U9876543');
  });

  it('exports from a worker thread to a file, atomically', async () => {
    const out = path.join(dir, 'fills.csv');
    const r = await exportCsvInWorker({ dataDir: dir, kind: 'fills', range: { from: '2026-01-20', to: '2026-01-20' }, file: out });
    expect(r.rows).toBe(6);
    expect(fs.readFileSync(out, 'utf8')).toBe(exportCsv(store, 'fills', { from: '2026-01-20', to: '2026-01-20' }));
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });
});

describe('thetadesk export (CLI)', () => {
  const run = async (argv: string[]): Promise<{ code: number; err: string }> => {
    let err = '';
    const write = process.stderr.write.bind(process.stderr);
    const out = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      return { code: await main(argv), err };
    } finally {
      process.stderr.write = write;
      process.stdout.write = out;
    }
  };

  it('writes the requested kind and range', async () => {
    const out = path.join(dir, 'cli-trades.csv');
    expect((await run(['trades', '--from', '2026-01-20', '--to', '2026-01-20', '--out', out, '--data-dir', dir])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(exportCsv(store, 'trades', { from: '2026-01-20', to: '2026-01-20' }));
  });

  it('explains bad arguments with exit code 2', async () => {
    const bad = await run(['trade', '--from', '2026-02-30', '--to', '2026-01-20']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Unknown export "trade"');
    expect(bad.err).toContain('--from must be a date written YYYY-MM-DD, got "2026-02-30"');
    expect(bad.err).toContain('--out FILE is required');
    const reversed = await run(['fills', '--from', '2026-02-01', '--to', '2026-01-01', '--out', path.join(dir, 'x.csv'), '--data-dir', dir]);
    expect(reversed).toMatchObject({ code: 2 });
    expect(reversed.err).toContain('is after --to');
    expect((await run(['fills', '--bogus'])).code).toBe(2);
  });

  it('fails with exit code 1 and a clear message when there is no database', async () => {
    const empty = tempDir();
    const r = await run(['fills', '--from', '2026-01-01', '--to', '2026-01-02', '--out', path.join(empty, 'x.csv'), '--data-dir', empty]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('There is no Thetadesk database in');
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
