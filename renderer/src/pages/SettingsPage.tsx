/**
 * Settings: broker (simulator, IB Gateway, Tradier), paper/live, notifications (desktop; e-mail and
 * webhooks in DeliveryFields.tsx), the account's capital
 * and risk limits (every system together; in force at once), and the data folder.
 * Broker and mode apply at the next start. The Tradier token is write-only: typed here, sent once,
 * never filled from the server (which only says whether one is stored). Live needs the exact sentence.
 */
import { useEffect, useId, useState } from 'react';
import { LIVE_CONFIRMATION, type BrokerKind, type MethodInput, type Settings } from '../../../shared/api.ts';
import { useApp } from '../store.ts';
import { DeliveryFields, deliveryFormOf, deliveryInput, type DeliveryForm } from './DeliveryFields.tsx';
import './SettingsPage.css';

type Form = {
  broker: BrokerKind;
  host: string;
  port: string;
  clientId: string;
  autoRestart: string;
  accountId: string;
  token: string;
  sandbox: boolean;
  mode: 'paper' | 'live';
  confirmLive: string;
  notifications: Settings['notifications'];
  delivery: DeliveryForm;
  risk: RiskForm;
};

/** The account limits as typed: dollars and percent, empty = off. */
type RiskForm = { capital: string; heat: string; delta: string; drawdown: string; breakerStops: string; breakerDays: string; dailyLoss: string; emergencyClose: boolean };

const text = (v: number | null, scale = 1): string => (v === null ? '' : String(Math.round(v * scale * 100) / 100));

function riskFormOf(r: Settings['accountRisk']): RiskForm {
  return {
    capital: text(r.capitalCents, 0.01),
    heat: text(r.maxHeatPct, 100),
    delta: text(r.maxDeltaPctOfEquity, 100),
    drawdown: text(r.maxDrawdownPct, 100),
    breakerStops: text(r.circuitBreakerStops),
    breakerDays: text(r.circuitBreakerPauseDays),
    dailyLoss: text(r.dailyLossLimitCents, 0.01),
    emergencyClose: r.emergencyClose,
  };
}

/** The form's limits for `settings.set`, or the first field that is not a number. */
function riskInput(f: RiskForm): { ok: true; value: NonNullable<MethodInput<'settings.set'>['accountRisk']> } | { ok: false; error: string } {
  const num = (label: string, v: string, scale: number, round: boolean): number | null | string => {
    if (v.trim() === '') return null;
    const n = Number(v);
    if (!Number.isFinite(n)) return `${label} must be a number, or empty for off.`;
    return round ? Math.round(n * scale) : n * scale;
  };
  const fields = {
    capitalCents: num('Account capital', f.capital, 100, true),
    maxHeatPct: num('Max portfolio heat', f.heat, 0.01, false),
    maxDeltaPctOfEquity: num('Max aggregate delta', f.delta, 0.01, false),
    maxDrawdownPct: num('Max drawdown', f.drawdown, 0.01, false),
    circuitBreakerStops: num('Circuit breaker', f.breakerStops, 1, true),
    circuitBreakerPauseDays: num('Circuit breaker pause', f.breakerDays, 1, true),
    dailyLossLimitCents: num('Daily loss limit', f.dailyLoss, 100, true),
  };
  for (const v of Object.values(fields)) if (typeof v === 'string') return { ok: false, error: v };
  const n = fields as Record<keyof typeof fields, number | null>;
  if (n.capitalCents === null) return { ok: false, error: 'Account capital must be a number.' };
  if (n.circuitBreakerPauseDays === null) return { ok: false, error: 'Circuit breaker pause must be a number of business days.' };
  return { ok: true, value: { ...n, capitalCents: n.capitalCents, circuitBreakerPauseDays: n.circuitBreakerPauseDays, emergencyClose: f.emergencyClose } };
}

const BROKERS: { id: BrokerKind; label: string }[] = [
  { id: 'sim', label: 'Simulator (paper, built in)' },
  { id: 'ibkr', label: 'IB Gateway' },
  { id: 'tradier', label: 'Tradier' },
];

function formOf(s: Settings): Form {
  return {
    broker: s.broker,
    host: s.ibkr.host,
    port: String(s.ibkr.port),
    clientId: String(s.ibkr.clientId),
    autoRestart: s.ibkr.autoRestart,
    accountId: s.tradier.accountId,
    token: '',
    sandbox: s.tradier.sandbox,
    mode: s.mode,
    confirmLive: '',
    notifications: s.notifications,
    delivery: deliveryFormOf(s.delivery),
    risk: riskFormOf(s.accountRisk),
  };
}

export function SettingsPage() {
  const api = useApp((s) => s.api);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [askLive, setAskLive] = useState(false);

  useEffect(() => {
    if (!api) return;
    let live = true;
    api.call('settings.get').then(
      (s) => {
        if (!live) return;
        setSettings(s);
        setForm(formOf(s));
      },
      (e: unknown) => live && setLoadError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [api]);

  if (loadError) return <div className="empty" role="alert">Could not load the settings: {loadError}</div>;
  if (!settings || !form) return <div className="empty">Loading…</div>;

  const patch = (p: Partial<Form>) => setForm((f) => (f ? { ...f, ...p } : f));

  const send = async (input: MethodInput<'settings.set'>, done: string) => {
    if (!api) return;
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const s = await api.call('settings.set', input);
      setSettings(s);
      // The token field is always cleared: the server only says whether one is stored.
      setForm(formOf(s));
      setNotice(s.restartRequired ? 'Saved. The new broker settings apply the next time Thetadesk starts.' : done);
    } catch (e) {
      setError((e as Error).message);
      // Nothing was saved: a refused switch to live leaves the radio on the mode in force, so live
      // is never shown as chosen when it is not (it needs the sentence again).
      if (input.mode === 'live') setForm((f) => (f ? { ...f, mode: settings.mode, confirmLive: '' } : f));
    } finally {
      setSaving(false);
    }
  };

  const save = () => {
    const risk = riskInput(form.risk);
    if (!risk.ok) {
      setNotice(null);
      setError(risk.error);
      return;
    }
    const input: MethodInput<'settings.set'> = {
      broker: form.broker,
      ibkr: { host: form.host.trim(), port: Number(form.port), clientId: Number(form.clientId), autoRestart: form.autoRestart },
      tradier: { ...(form.accountId.trim() ? { accountId: form.accountId.trim() } : {}), sandbox: form.sandbox, ...(form.token ? { token: form.token } : {}) },
      // The mode is sent only when it changes: switching to live carries the sentence typed in the dialog.
      ...(form.mode !== settings.mode ? { mode: form.mode, ...(form.mode === 'live' ? { confirmLive: form.confirmLive } : {}) } : {}),
      notifications: form.notifications,
      delivery: deliveryInput(form.delivery),
      accountRisk: risk.value,
    };
    void send(input, 'Saved.');
  };

  return (
    <form
      className="settings stack"
      noValidate
      aria-label="Settings"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {settings.restartRequired && !notice && (
        <p className="banner warn" role="note">
          Saved settings differ from those in use ({settings.activeBroker ?? 'no broker'}, {settings.activeMode}): they apply the next time Thetadesk starts.
        </p>
      )}
      {settings.warnings.map((w) => (
        <p key={w} className="banner warn" role="alert">
          {w}
        </p>
      ))}
      <section className="card" aria-labelledby="set-broker-h">
        <h2 id="set-broker-h">Broker</h2>
        <p className="hint">In use now: {brokerLabel(settings.activeBroker)}. Changes apply at the next start.</p>
        {settings.inForce.length > 0 && (
          <table className="table" aria-label="Settings in force">
            <thead>
              <tr>
                <th scope="col">In force now</th>
                <th scope="col">Value</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {settings.inForce.map((s) => (
                <tr key={s.setting}>
                  <td>{s.setting}</td>
                  <td>{s.value}</td>
                  <td>{s.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="form">
          <label htmlFor="set-broker">Broker to connect</label>
          <select id="set-broker" value={form.broker} onChange={(e) => patch({ broker: e.target.value as BrokerKind })}>
            {BROKERS.map((b) => <option key={b.id} value={b.id}>{b.label}</option>)}
          </select>
          <span className="hint" />
        </div>
        <fieldset className="settings-group">
          <legend>IB Gateway</legend>
          <div className="form">
            <label htmlFor="set-ib-host">IB host</label>
            <input id="set-ib-host" value={form.host} onChange={(e) => patch({ host: e.target.value })} autoComplete="off" />
            <span className="hint">127.0.0.1 when IB Gateway runs on this computer.</span>
            <label htmlFor="set-ib-port">IB port</label>
            <input id="set-ib-port" type="number" inputMode="numeric" min={1} max={65535} step={1} value={form.port} onChange={(e) => patch({ port: e.target.value })} />
            <span className="hint">4002: Gateway paper, 4001: Gateway live (TWS: 7497 / 7496).</span>
            <label htmlFor="set-ib-client">Client id</label>
            <input id="set-ib-client" type="number" inputMode="numeric" min={0} max={999999} step={1} value={form.clientId} onChange={(e) => patch({ clientId: e.target.value })} />
            <span className="hint">Any number not used by another API client of the same Gateway.</span>
            <label htmlFor="set-ib-restart">Auto-restart (ET)</label>
            <input id="set-ib-restart" type="time" step={60} value={form.autoRestart} onChange={(e) => patch({ autoRestart: e.target.value })} />
            <span className="hint">IB Gateway’s daily restart (Configure → Settings → Lock and Exit), in ET. No orders are sent from 2 minutes before to 5 after; the status shows “broker restarting”.</span>
          </div>
        </fieldset>
        <fieldset className="settings-group">
          <legend>Tradier</legend>
          <div className="form">
            <label htmlFor="set-tr-account">Tradier account</label>
            <input id="set-tr-account" value={form.accountId} onChange={(e) => patch({ accountId: e.target.value })} autoComplete="off" spellCheck={false} />
            <span className="hint">Letters and digits, e.g. VA12345678.</span>
            <label htmlFor="set-tr-token">Tradier token</label>
            <input
              id="set-tr-token"
              type="password"
              value={form.token}
              placeholder={settings.tradier.tokenSet ? 'stored' : 'not set'}
              onChange={(e) => patch({ token: e.target.value })}
              autoComplete="new-password"
              spellCheck={false}
            />
            <span className="hint">
              {settings.tradier.tokenSet ? 'A token is stored; type a new one to replace it. ' : ''}
              {storageText(settings.secretStorage)}
            </span>
            <span />
            <label className="check">
              <input type="checkbox" checked={form.sandbox} onChange={(e) => patch({ sandbox: e.target.checked })} /> Sandbox (paper trading)
            </label>
            <span className="hint">Production is used only in live mode with the sandbox off.</span>
          </div>
          {settings.tradier.tokenSet && (
            <button type="button" className="btn" disabled={saving} onClick={() => void send({ tradier: { token: '' } }, 'Tradier token forgotten.')}>
              Forget token
            </button>
          )}
        </fieldset>
      </section>

      <section className="card" aria-labelledby="set-mode-h">
        <h2 id="set-mode-h">Trading mode</h2>
        <div role="radiogroup" aria-labelledby="set-mode-h" className="radios">
          <label className="check">
            <input type="radio" name="mode" value="paper" checked={form.mode === 'paper'} onChange={() => patch({ mode: 'paper', confirmLive: '' })} /> Paper (no real money; the default)
          </label>
          <label className="check">
            <input type="radio" name="mode" value="live" checked={form.mode === 'live'} onChange={() => setAskLive(true)} /> Live (real money)
          </label>
        </div>
        <p className="hint">In use now: {settings.activeMode}. {form.mode === 'live' ? 'Live is confirmed for the next save.' : ''}</p>
      </section>

      <section className="card" aria-labelledby="set-notif-h">
        <h2 id="set-notif-h">Notifications</h2>
        <div className="stack tight">
          <label className="check">
            <input type="checkbox" checked={form.notifications.enabled} onChange={(e) => patch({ notifications: { ...form.notifications, enabled: e.target.checked } })} /> Desktop notifications
          </label>
          <label className="check">
            <input type="checkbox" disabled={!form.notifications.enabled} checked={form.notifications.fills} onChange={(e) => patch({ notifications: { ...form.notifications, fills: e.target.checked } })} /> Fills and exits
          </label>
          <label className="check">
            <input type="checkbox" disabled={!form.notifications.enabled} checked={form.notifications.errors} onChange={(e) => patch({ notifications: { ...form.notifications, errors: e.target.checked } })} /> Errors and rejects
          </label>
        </div>
      </section>

      <section className="card" aria-labelledby="set-delivery-h">
        <h2 id="set-delivery-h">E-mail and webhooks</h2>
        <DeliveryFields settings={settings.delivery} form={form.delivery} onChange={(delivery) => patch({ delivery })} send={(input, done) => void send(input, done)} api={api} saving={saving} />
      </section>

      <section className="card" aria-labelledby="set-risk-h">
        <h2 id="set-risk-h">Account risk</h2>
        <p className="hint">Limits over every system together, in force from the next decision. Empty = off. Each veto is recorded as a decision with its reason.</p>
        <div className="form">
          <label htmlFor="set-capital">Account capital ($)</label>
          <input id="set-capital" type="number" inputMode="decimal" min={1} step="any" value={form.risk.capital} onChange={(e) => patch({ risk: { ...form.risk, capital: e.target.value } })} />
          <span className="hint">Equity = this + realized P&amp;L + open positions’ unrealized P&amp;L: what sizing by equity and the limits below read.</span>
          <label htmlFor="set-heat">Max portfolio heat (%)</label>
          <input id="set-heat" type="number" inputMode="decimal" min={0} max={100} step="any" value={form.risk.heat} onChange={(e) => patch({ risk: { ...form.risk, heat: e.target.value } })} />
          <span className="hint">Σ max loss of the open positions and the entry, over equity (Optimus: 15).</span>
          <label htmlFor="set-delta">Max aggregate delta (% of equity)</label>
          <input id="set-delta" type="number" inputMode="decimal" min={0} step="any" value={form.risk.delta} onChange={(e) => patch({ risk: { ...form.risk, delta: e.target.value } })} />
          <span className="hint">Net delta in dollars of underlying, either way.</span>
          <label htmlFor="set-drawdown">Max drawdown (%)</label>
          <input id="set-drawdown" type="number" inputMode="decimal" min={0} max={100} step="any" value={form.risk.drawdown} onChange={(e) => patch({ risk: { ...form.risk, drawdown: e.target.value } })} />
          <span className="hint">No new entries while equity is this far below its peak.</span>
          <label htmlFor="set-breaker">Circuit breaker (stops in a row)</label>
          <input id="set-breaker" type="number" inputMode="numeric" min={1} step={1} value={form.risk.breakerStops} onChange={(e) => patch({ risk: { ...form.risk, breakerStops: e.target.value } })} />
          <span className="hint">Trades closed by a stop, any system, one after another (Optimus: 3).</span>
          <label htmlFor="set-breaker-days">Pause (business days)</label>
          <input id="set-breaker-days" type="number" inputMode="numeric" min={1} step={1} value={form.risk.breakerDays} onChange={(e) => patch({ risk: { ...form.risk, breakerDays: e.target.value } })} />
          <span className="hint">No new entries for this many business days after it trips.</span>
          <label htmlFor="set-daily-loss">Daily loss limit ($)</label>
          <input id="set-daily-loss" type="number" inputMode="decimal" min={0} step="any" value={form.risk.dailyLoss} onChange={(e) => patch({ risk: { ...form.risk, dailyLoss: e.target.value } })} />
          <span className="hint">Today’s loss, realized and open, every system (SPY/SPX 0DTE: 1,000).</span>
          <span />
          <label className="check">
            <input type="checkbox" checked={form.risk.emergencyClose} onChange={(e) => patch({ risk: { ...form.risk, emergencyClose: e.target.checked } })} /> Emergency close at the daily loss limit
          </label>
          <span className="hint">Close every open position when the limit is reached (else only stop new entries).</span>
        </div>
      </section>

      <section className="card" aria-labelledby="set-data-h">
        <h2 id="set-data-h">Data folder</h2>
        <div className="form">
          <label htmlFor="set-data">Data folder location</label>
          <input id="set-data" value={settings.dataDir} readOnly />
          <span className="hint" />
        </div>
        <p className="hint">
          The database, logs and stored secrets live here. To use another folder, start Thetadesk with <code>--data-dir &lt;folder&gt;</code> or set the
          environment variable <code>THETADESK_DATA_DIR</code>.
        </p>
      </section>

      <div className="toolbar">
        <button type="submit" className="btn" disabled={saving}>Save</button>
        {notice && <span role="status" className="saved">{notice}</span>}
      </div>
      {error && <p role="alert" className="field-error settings-error">{error}</p>}

      {askLive && (
        <LiveDialog
          onCancel={() => setAskLive(false)}
          onConfirm={(sentence) => {
            setAskLive(false);
            patch({ mode: 'live', confirmLive: sentence });
          }}
        />
      )}
    </form>
  );
}

function LiveDialog(props: { onConfirm: (sentence: string) => void; onCancel: () => void }) {
  const [typed, setTyped] = useState('');
  const inputId = useId();
  const exact = typed === LIVE_CONFIRMATION;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props]);
  return (
    <div className="backdrop">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="live-title" aria-describedby="live-body">
        <h2 id="live-title">Switch to live trading?</h2>
        <p id="live-body">
          Live mode sends orders to a real-money account at the next start. To confirm, type exactly: <strong className="sentence">{LIVE_CONFIRMATION}</strong>
        </p>
        <label htmlFor={inputId}>Confirmation sentence</label>
        <input id={inputId} className="confirm-input" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus autoComplete="off" spellCheck={false} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
          <button type="button" className="btn danger" disabled={!exact} onClick={() => props.onConfirm(typed)}>Switch to live</button>
        </div>
      </div>
    </div>
  );
}

function brokerLabel(kind: BrokerKind | null): string {
  return kind === null ? 'no broker' : (BROKERS.find((b) => b.id === kind)?.label ?? kind);
}

function storageText(kind: Settings['secretStorage']): string {
  if (kind === 'safeStorage') return 'Kept encrypted with the OS keychain.';
  if (kind === 'memory') return 'Kept in memory only until the server stops (set THETADESK_TRADIER_TOKEN to keep one).';
  return 'This computer offers no encrypted storage: a token cannot be stored; set THETADESK_TRADIER_TOKEN instead.';
}
