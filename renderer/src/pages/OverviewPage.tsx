import { useEffect, useState } from 'react';
import type { Account, Market, Performance } from '../../../shared/api.ts';
import { formatPrice, formatUsd } from '../../../shared/format.ts';
import { etDateTime } from '../../../shared/time/et.ts';
import { useApp } from '../store.ts';

export function OverviewPage() {
  const api = useApp((s) => s.api);
  const status = useApp((s) => s.status);
  const [account, setAccount] = useState<Account | null>(null);
  const [market, setMarket] = useState<Market | null>(null);
  const [perf, setPerf] = useState<Performance | null>(null);
  const notifications = useApp((s) => s.notifications);

  useEffect(() => {
    if (!api) return;
    let live = true;
    const load = () =>
      Promise.all([api.call('account.get'), api.call('market.get'), api.call('performance.get')])
        .then(([a, m, p]) => {
          if (!live) return;
          setAccount(a);
          setMarket(m);
          setPerf(p);
        })
        .catch(() => {});
    void load();
    const timer = setInterval(load, 5_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, status?.updatedAt]);

  if (!status) return <div className="empty">Loading…</div>;
  const conn = status.connection;
  const names = new Map(status.strategies.map((s) => [s.id, s.name]));
  // The status lists only the runs of systems that are on; the others are named, so none reads as about to trade.
  const switchedOff = status.strategies.filter((s) => !s.enabled).map((s) => s.name);
  return (
    <div className="grid">
      <section className="card" aria-labelledby="sys-h">
        <h2 id="sys-h">System</h2>
        <dl>
          <dt>Engine</dt><dd data-testid="overview-engine">{status.engineState}</dd>
          <dt>New entries</dt><dd>{status.isTrading ? 'allowed' : 'disabled'}</dd>
          {status.reason && (<><dt>Why</dt><dd>{status.reason}</dd></>)}
          <dt>Mode</dt><dd>{status.mode}</dd>
          <dt>Open positions</dt><dd>{status.openPositions}</dd>
          <dt>Trades today</dt><dd>{status.tradesToday}</dd>
          <dt>Last snapshot</dt><dd>{status.lastSnapshotAt ? `${etDateTime(status.lastSnapshotAt)} ET` : 'none yet'}</dd>
          {status.simulation && (<><dt>Market</dt><dd data-testid="sim-market">{status.simulation.waitingAt !== null ? <strong>{status.simulation.message}</strong> : status.simulation.message}</dd></>)}
        </dl>
      </section>
      <section className="card" aria-labelledby="conn-h">
        <h2 id="conn-h">Broker</h2>
        <dl>
          <dt>Adapter</dt><dd>{conn.broker}</dd>
          <dt>State</dt><dd>{conn.state}</dd>
          <dt>Account type</dt><dd>{status.accountType === 'unknown' ? `not reported yet (settings: ${status.mode})` : status.accountType}</dd>
        </dl>
        <p className="hint">{conn.broker === 'sim' ? 'No broker connected — the simulator is running and trades on paper. Connect IB Gateway or Tradier in Settings.' : conn.message}</p>
      </section>
      <section className="card" aria-labelledby="acct-h">
        <h2 id="acct-h">Account</h2>
        {account?.updatedAt ? (
          <dl>
            <dt>Account</dt><dd>{account.accountId ?? '—'}</dd>
            <dt>Net liquidation</dt><dd>{formatUsd(account.netLiquidation)}</dd>
            <dt>Cash</dt><dd>{formatUsd(account.totalCash)}</dd>
            <dt>Available funds</dt><dd data-testid="available-funds">{account.availableFunds === null ? 'not reported by the broker' : formatUsd(account.availableFunds)}</dd>
            <dt>Buying power</dt><dd>{formatUsd(account.buyingPower)}</dd>
          </dl>
        ) : (
          <p className="hint">No account data yet: it appears once a broker is connected.</p>
        )}
      </section>
      <section className="card" aria-labelledby="pnl-h">
        <h2 id="pnl-h">Today's P&amp;L</h2>
        <dl>
          <dt>Realized</dt><dd>{formatUsd(perf?.dailyRealizedPnl)}</dd>
          <dt>Unrealized</dt><dd>{formatUsd(perf?.unrealizedPnl)}</dd>
          <dt>Total</dt><dd className={perf ? (perf.totalPnl >= 0 ? 'pos' : 'neg') : undefined} data-testid="pnl-total">{formatUsd(perf?.totalPnl)}</dd>
          <dt>Daily loss limit</dt><dd>{perf && perf.maxDailyLoss !== null ? `${formatUsd(perf.maxDailyLoss)}${perf.riskBreached ? ' — reached' : ''}` : 'none'}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="runs-h">
        <h2 id="runs-h">Next scheduled runs</h2>
        {status.nextRuns.length === 0 ? (
          <p className="hint">{status.engineState === 'reconciling' ? 'Scheduled once reconciliation with the broker finishes.' : conn.state === 'connected' ? 'Nothing scheduled.' : 'No broker connected: nothing is scheduled until one connects.'}</p>
        ) : (
          // Two columns that wrap (the system's name under its task) so the table fits the narrowest card.
          <table className="table next-runs" aria-label="Next scheduled runs">
            <thead>
              <tr><th scope="col">When (ET)</th><th scope="col">What</th></tr>
            </thead>
            <tbody>
              {status.nextRuns.map((r) => (
                <tr key={`${r.strategyId}.${r.task}.${r.at}`}>
                  <td className="when">{etDateTime(r.at, false).slice(5)}</td>
                  <td>{r.task} <span className="hint">· {names.get(r.strategyId) ?? r.strategyId}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {switchedOff.length > 0 && (
          <p className="hint" data-testid="runs-switched-off">Not listed — switched off, so they open nothing (their open positions are still managed; Strategies page): {switchedOff.join(', ')}.</p>
        )}
      </section>
      <section className="card" aria-labelledby="notes-h">
        <h2 id="notes-h">Notifications</h2>
        {notifications.length === 0 ? (
          <p className="hint">Fills, exits and rejects appear here as they happen, and stay after a reload or restart.</p>
        ) : (
          <ul className="notes" aria-label="Recent notifications">
            {notifications.slice(-8).reverse().map((n) => (
              <li key={`${n.id}-${n.time}-${n.title}`} className={`note-${n.level}`}><span className="hint">{etDateTime(n.time, false).slice(5)} ET</span> <strong>{n.title}</strong> {n.body}</li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="mkt-h">
        <h2 id="mkt-h">Market</h2>
        <dl>
          <dt>SPX</dt><dd>{formatPrice(market?.spxPrice)}</dd>
          <dt>SPY</dt><dd>{formatPrice(market?.spyPrice)}</dd>
          <dt>VIX</dt><dd>{formatPrice(market?.vix)}</dd>
          <dt>SPX/SPY</dt><dd>{formatPrice(market?.ratio, 4)}</dd>
        </dl>
      </section>
    </div>
  );
}
