/**
 * The SPY/SPX 0DTE call position (seeds 003/004; `spyspx.get`, electron/application/spy-spx/view.ts).
 *
 * Seed 004's six panels for this system — status with Start/Stop (this system's switch, as on the
 * Strategies page) and Close all (the app's, behind its confirmation), account, this system's daily
 * P&L, market prices with the live SPX/SPY ratio against the entry band, open positions with both
 * strikes, the credit and the P&L, recent trades with their exit reasons — and beside them what a
 * trader needs: SPY's distance to the assignment trigger (strike + $10), each leg's fill state while
 * it is legged in (SPX first, then the SPY calls, each with its deadline), the credit on offer at each
 * day's first entry evaluation (09:35), and the seeds' claims beside what this system measures.
 * It refreshes every `dashboard.refreshIntervalSeconds` (seed 004: 5 s; the prices and the ratio), and at once
 * (at most every 5 s) when the engine's status changes (a fill, a trade, the next runs).
 */
import { useCallback, useEffect, useState } from 'react';
import type { SpySpxView } from '../../../shared/api.ts';
import { formatNet, formatPrice, formatUsd } from '../../../shared/format.ts';
import { etTime, etWhen } from '../../../shared/time/et.ts';
import { useCall } from '../lib/useCall.ts';
import { askCloseAll, useApp } from '../store.ts';
import { figureText } from './figures.ts';
import { useReloadOn } from './records.ts';
import { legText, triggerText } from './spyspx.ts';
import './SpySpxPage.css';

const tone = (v: number | null) => (v === null ? undefined : v > 0 ? 'pos' : v < 0 ? 'neg' : undefined);
const STATUS_TEXT: Record<SpySpxView['positions'][number]['status'], string> = { PENDING: 'entering', OPEN: 'open', CLOSING: 'closing' };

function Switch({ v, reload }: { v: SpySpxView; reload: () => void }) {
  const api = useApp((s) => s.api);
  const busy = useApp((s) => s.busy);
  const [switching, setSwitching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = async (on: boolean) => {
    if (!api) return;
    setSwitching(true);
    setError(null);
    try {
      useApp.setState({ status: await api.call(on ? 'engine.start' : 'engine.stop', { strategyId: v.strategyId }) });
      reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSwitching(false);
    }
  };
  return (
    <div className="toolbar">
      <button className="btn start" onClick={() => void set(true)} disabled={switching || v.status.enabled}>Start</button>
      <button className="btn stop" onClick={() => void set(false)} disabled={switching || !v.status.enabled}>Stop</button>
      <button className="btn danger" onClick={askCloseAll} disabled={busy !== null} title="Every system's positions, with marketable limits (the app's Close all)">Close all</button>
      {error && <span className="neg" role="alert">{error}</span>}
    </div>
  );
}

export function SpySpxPage() {
  const { data, error, loading, reload } = useCall('spyspx.get', {});
  const follow = useApp((s) => (s.status ? `${s.status.openPositions}/${s.status.tradesToday}/${s.status.engineState}/${s.status.nextRuns.map((r) => r.at).join(',')}/${Math.floor(s.status.updatedAt / 5_000)}` : ''));
  const again = useCallback(() => reload(), [reload]);
  useReloadOn(follow, again, 5_000);
  const every = data?.refreshSeconds ?? null;
  useEffect(() => {
    if (every === null) return;
    const timer = setInterval(again, every * 1000);
    return () => clearInterval(timer);
  }, [again, every]);

  if (error) return <div className="empty" role="alert">Could not load the SPY/SPX page: {error}</div>;
  if (!data) return <div className="empty">{loading ? 'Loading…' : 'No data yet.'}</div>;
  const v = data;
  const conn = v.status.connection;
  return (
    <div className="stack spyspx">
      <div className="ss-grid">
        <section className="card" aria-labelledby="ss-status-h">
          <h2 id="ss-status-h">System status</h2>
          <dl className="ss-dl">
            <dt>Connection</dt>
            <dd><span className={`dot ${conn.state === 'connected' ? 'good' : 'bad'}`} aria-hidden /> {conn.broker} {conn.state}{conn.paper ? ' (paper)' : ''}</dd>
            <dt>Trading</dt>
            <dd data-testid="ss-trading"><span className={`badge ${v.status.trading ? 'good' : 'muted'}`}>{v.status.trading ? 'ACTIVE' : 'STOPPED'}</span> {v.status.enabled ? '' : 'this system is off'}{v.status.enabled && v.status.engineState !== 'running' ? `engine ${v.status.engineState}` : ''}</dd>
            <dt>Active positions</dt><dd data-testid="ss-active">{v.status.activePositions}</dd>
            <dt>Trades today</dt><dd>{v.status.tradesToday} of {v.status.maxSpreadsPerDay}</dd>
          </dl>
          <Switch v={v} reload={reload} />
        </section>

        <section className="card" aria-labelledby="ss-account-h">
          <h2 id="ss-account-h">Account</h2>
          <dl className="ss-dl">
            <dt>Net liquidation</dt><dd>{formatUsd(v.account.netLiquidation)}</dd>
            <dt>Available funds</dt><dd>{formatUsd(v.account.availableFunds)}</dd>
            <dt>Buying power</dt><dd>{formatUsd(v.account.buyingPower)}</dd>
          </dl>
          <p className="hint">{v.account.updatedAt === null ? 'Not reported by the broker yet.' : `As of ${etWhen(v.account.updatedAt)}`}</p>
        </section>

        <section className="card" aria-labelledby="ss-daily-h">
          <h2 id="ss-daily-h">Daily P&amp;L — this system, {v.daily.date}</h2>
          <dl className="ss-dl">
            <dt>Realized</dt><dd data-testid="ss-realized" className={tone(v.daily.realized)}>{formatUsd(v.daily.realized)} <span className="hint">({v.daily.closedToday} closed)</span></dd>
            <dt>Unrealized</dt><dd className={tone(v.daily.unrealized)}>{formatUsd(v.daily.unrealized)}</dd>
            <dt>Total</dt><dd className={tone(v.daily.total)}><strong>{formatUsd(v.daily.total)}</strong></dd>
            <dt>Daily loss limit</dt><dd>−{formatUsd(v.daily.maxDailyLoss)} (emergency close)</dd>
          </dl>
        </section>
      </div>

      <section className="card" aria-labelledby="ss-market-h">
        <h2 id="ss-market-h">Market prices</h2>
        <div className="ss-prices">
          <div><span className="hint">SPY</span><strong data-testid="ss-spy">{formatPrice(v.market.spy)}</strong></div>
          <div><span className="hint">SPX</span><strong data-testid="ss-spx">{formatPrice(v.market.spx)}</strong></div>
          <div>
            <span className="hint">SPX/SPY ratio</span>
            <strong data-testid="ss-ratio" className={v.market.inBand === null ? undefined : v.market.inBand ? 'pos' : 'neg'}>{formatPrice(v.market.ratio, 4)}</strong>
            <span className="hint" data-testid="ss-band">{v.market.inBand === null ? 'band' : v.market.inBand ? 'within' : 'outside'} {v.market.ratioMin.toFixed(2)}–{v.market.ratioMax.toFixed(2)}</span>
          </div>
          <div className="hint">{v.market.updatedAt === null ? 'no quotes yet' : `as of ${etWhen(v.market.updatedAt)}`}</div>
        </div>
      </section>

      <section className="card" aria-labelledby="ss-pos-h">
        <h2 id="ss-pos-h">Open positions ({v.positions.length})</h2>
        {v.positions.length === 0 ? <p className="hint">No open SPY/SPX positions.</p> : (
          <table className="ss-table" aria-label="SPY/SPX open positions">
            <thead><tr><th>#</th><th>Entered</th><th>SPY strike</th><th>SPX strike</th><th>Entry credit</th><th>Current P&amp;L</th><th>SPY to assignment trigger</th><th>Legs</th><th>Status</th></tr></thead>
            <tbody>
              {v.positions.map((p) => {
                const trig = triggerText(p);
                const first = p.legs[0] ?? null;
                return (
                  <tr key={p.tradeId} className={p.legging ? 'ss-legging' : undefined}>
                    <td>{p.tradeId}</td>
                    <td>{etTime(p.openedAt ?? p.createdAt)}</td>
                    <td>{p.spyStrike}</td>
                    <td>{p.spxStrike}</td>
                    <td>{formatNet(p.entryCredit, { usd: true })}</td>
                    <td className={tone(p.pnl)}>{formatUsd(p.pnl)}</td>
                    <td className={trig.tone ?? undefined} data-testid="ss-trigger">{trig.text}</td>
                    <td><ul className="ss-legs">{p.legs.map((l) => <li key={l.symbol} className={`ss-leg-${l.state}`}>{legText(l, first)}</li>)}</ul></td>
                    <td>{STATUS_TEXT[p.status]}{p.legging ? ' (legging)' : ''}{p.exitReason ? ` — ${p.exitReason}` : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <div className="ss-grid">
        <section className="card" aria-labelledby="ss-trades-h">
          <h2 id="ss-trades-h">Recent trades</h2>
          {v.recentTrades.length === 0 ? <p className="hint">No closed SPY/SPX trades yet.</p> : (
            <table className="ss-table" aria-label="SPY/SPX recent trades">
              <thead><tr><th>#</th><th>Date</th><th>Strikes (SPY/SPX)</th><th>Entry credit</th><th>Exit reason</th><th>Final P&amp;L</th></tr></thead>
              <tbody>
                {v.recentTrades.map((t) => (
                  <tr key={t.tradeId}>
                    <td>{t.tradeId}</td><td>{t.date}</td><td>{t.spyStrike ?? '—'} / {t.spxStrike ?? '—'}</td><td>{formatNet(t.entryCredit, { usd: true })}</td>
                    <td title={t.exitReason ?? undefined}>{t.exitLabel ?? t.exitReason ?? '—'}</td>
                    <td className={tone(t.pnl)}>{formatUsd(t.pnl)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" aria-labelledby="ss-credit-h">
          <h2 id="ss-credit-h">Credit on offer at the first entry check of each day</h2>
          {v.creditAtOpen.length === 0 ? <p className="hint">No entry evaluation stored yet: the system evaluates entries from 09:35 ET when it is on.</p> : (
            <table className="ss-table" aria-label="Credit at 9:35">
              <thead><tr><th>Date</th><th>At</th><th>SPX/SPY</th><th>Net credit</th><th>Minimum</th><th>Decision</th></tr></thead>
              <tbody>
                {v.creditAtOpen.map((c) => (
                  <tr key={c.date} title={c.reason}>
                    <td>{c.date}</td><td>{etTime(c.decidedAt)}</td><td>{formatPrice(c.ratio, 4)}</td>
                    <td className={c.credit === null || c.minCredit === null ? undefined : c.credit >= c.minCredit ? 'pos' : 'neg'}>{formatUsd(c.credit)}</td>
                    <td>{formatUsd(c.minCredit)}</td><td>{c.kind}{c.gate ? ` (${c.gate})` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="hint">Net credit of one spread: 10 × SPY bid − SPX ask, × 100, less commissions; none when a quote side was missing or an earlier gate (the ratio band) stopped the check.</p>
        </section>
      </div>

      <section className="card" aria-labelledby="ss-claims-h">
        <h2 id="ss-claims-h">The seeds' claims beside what is measured</h2>
        <table className="claims ss-table" aria-label="SPY/SPX 0DTE: seed claims vs measured">
          <thead><tr><th scope="col" /><th scope="col">Seed claims</th><th scope="col">Measured ({v.closedTrades} closed trade{v.closedTrades === 1 ? '' : 's'})</th></tr></thead>
          <tbody>
            {v.claims.map((c) => (
              <tr key={c.label}><th scope="row">{c.label}</th><td>{c.claimed}</td><td>{figureText({ value: c.measured, unit: c.unit })}</td></tr>
            ))}
          </tbody>
        </table>
        {v.claimsSource && <p className="hint">{v.claimsSource}</p>}
      </section>
    </div>
  );
}
