/**
 * Strategies: one card per system of the registry with what it declares about itself (seed, what it
 * trades, cadence, exit reasons), its on/off switch, the figures it chose (P&L, win rate…), and a config
 * editor generated from the JSON Schema the engine sends (types, ranges, defaults, descriptions). The
 * server validates; its message is shown as written (and next to each field it names). Fields the
 * schema keeps in cents or milliseconds are shown and typed in dollars and seconds (shared/units.ts).
 */
import { Fragment, useId, useMemo, useState } from 'react';
import type { StrategyDetail } from '../../../shared/api.ts';
import { shownUnit, type ShownUnit } from '../../../shared/units.ts';
import { useCall } from '../lib/useCall.ts';
import { figureText } from './figures.ts';
import { useApp } from '../store.ts';
import './StrategiesPage.css';

type Schema = {
  type?: string | string[];
  title?: string;
  description?: string;
  unit?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

/** A draft value as the user types it: numbers and lists stay text until saved. */
type Draft = { [key: string]: Draft | string | boolean };

export function StrategiesPage() {
  const { data, error, reload } = useCall('strategies.list', {}, { followStatus: true });
  if (error && !data) return <div className="empty" role="alert">Could not load the strategies: {error}</div>;
  if (!data) return <div className="empty">Loading…</div>;
  if (data.length === 0) return <div className="empty">No trading system is built yet.</div>;
  return (
    <div className="stack strategies">
      {data.map((s) => (
        <StrategyCard key={s.id} strategy={s} reload={reload} />
      ))}
    </div>
  );
}

function StrategyCard({ strategy, reload }: { strategy: StrategyDetail; reload: () => void }) {
  const api = useApp((s) => s.api);
  const [switching, setSwitching] = useState(false);
  const [switchError, setSwitchError] = useState<string | null>(null);
  // Kept here: the editor re-mounts when a new version is in force, and the confirmation must outlive it.
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();
  const toggle = async (on: boolean) => {
    if (!api) return;
    setSwitching(true);
    setSwitchError(null);
    try {
      const status = await api.call(on ? 'engine.start' : 'engine.stop', { strategyId: strategy.id });
      useApp.setState({ status });
      reload();
    } catch (e) {
      setSwitchError((e as Error).message);
    } finally {
      setSwitching(false);
    }
  };
  const about = strategy.about;
  return (
    <section className="card strategy-card" aria-labelledby={headingId}>
      <header className="strategy-head">
        <h2 id={headingId}>{strategy.name}</h2>
        <span className="badge">Seed {strategy.seed || '—'}</span>
        <span className="badge">{strategy.configVersion === null ? 'no version saved' : `config v${strategy.configVersion}`}</span>
        <label className="switch">
          <input type="checkbox" role="switch" checked={strategy.enabled} disabled={switching} aria-checked={strategy.enabled} onChange={(e) => void toggle(e.target.checked)} aria-label={`${strategy.name} enabled`} />
          <span>{strategy.enabled ? 'On: new entries allowed' : 'Off: no new entries (open positions still managed)'}</span>
        </label>
      </header>
      {switchError && <p className="field-error" role="alert">{switchError}</p>}
      {strategy.warnings.map((w) => <p key={w} className="warn-text" role="note" data-testid="strategy-warning">{w}</p>)}
      <p className="hint strategy-about">
        {about.summary} <span className="badge">{about.cadence === 'daily' ? 'daily' : 'intraday'}</span> <span className="badge">{about.roots.join(' · ')}</span>
      </p>
      <p className="hint">Exits: {about.exitReasons.map((r) => `${r.label} (${r.code}${r.prefix ? '…' : ''}${r.stop ? ', a stop' : ''})`).join(', ')}.</p>
      <dl className="strategy-stats" aria-label={`${strategy.name} statistics`}>
        {strategy.figures.map((f) => (
          <Fragment key={f.key}>
            <dt>{f.label}</dt>
            <dd className={f.unit === 'usd' && f.value !== null ? (f.value > 0 ? 'pos' : f.value < 0 ? 'neg' : '') : ''}>{figureText(f)}</dd>
          </Fragment>
        ))}
      </dl>
      {about.claims.length > 0 && (
        <table className="claims" aria-label={`${strategy.name}: seed claims vs measured`}>
          <caption>Seed {strategy.seed} claims vs measured</caption>
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">Seed claims</th>
              <th scope="col">Measured</th>
            </tr>
          </thead>
          <tbody>
            {about.claims.map((c) => {
              const f = strategy.figures.find((x) => x.key === c.figure);
              return (
                <tr key={c.label}>
                  <th scope="row">{c.label}</th>
                  <td>{c.claimed}</td>
                  <td>{f ? figureText(f) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {about.claimsSource && <p className="hint">{about.claimsSource}</p>}
      {/* Re-mounted when a new version is in force, so a failed save keeps what the user typed. */}
      <ConfigEditor key={`${strategy.id}@${strategy.configVersion ?? 0}`} strategy={strategy} onSaved={reload} notice={notice} setNotice={setNotice} />
    </section>
  );
}

function ConfigEditor({ strategy, onSaved, notice, setNotice }: { strategy: StrategyDetail; onSaved: () => void; notice: string | null; setNotice: (n: string | null) => void }) {
  const api = useApp((s) => s.api);
  const schema = strategy.schema as Schema;
  const [draft, setDraft] = useState<Draft>(() => toDraft(schema, strategy.config));
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const fieldErrors = useMemo(() => parseFieldErrors(serverError), [serverError]);

  const save = async () => {
    if (!api) return;
    setSaving(true);
    setServerError(null);
    setNotice(null);
    try {
      const detail = await api.call('strategies.setConfig', { strategyId: strategy.id, config: fromDraft(schema, draft) as Record<string, unknown> });
      setNotice(`Saved — version ${detail.configVersion ?? '?'}, applies from the next decision.`);
      onSaved();
    } catch (e) {
      setServerError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  const reset = () => {
    setDraft(toDraft(schema, strategy.defaults));
    setServerError(null);
    setNotice("Seed defaults loaded into the form: press Save configuration to apply them.");
  };
  const set = (path: string[], value: string | boolean) => setDraft((d) => setIn(d, path, value));

  return (
    <form
      className="config-editor"
      noValidate
      aria-label={`${strategy.name} configuration`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Fields schema={schema} draft={draft} path={[]} idPrefix={`cfg-${strategy.id}`} onChange={set} errors={fieldErrors} />
      <div className="toolbar config-actions">
        <button type="submit" className="btn" disabled={saving}>Save configuration</button>
        <button type="button" className="btn" onClick={reset} disabled={saving}>Reset to seed defaults</button>
        {notice && <span role="status" className="saved">{notice}</span>}
      </div>
      {serverError && <p role="alert" className="field-error config-error">{serverError}</p>}
    </form>
  );
}

function Fields(props: { schema: Schema; draft: Draft; path: string[]; idPrefix: string; onChange: (path: string[], v: string | boolean) => void; errors: Map<string, string> }) {
  const entries = Object.entries(props.schema.properties ?? {});
  return (
    <div className="config-fields">
      {entries.map(([key, raw]) => {
        const field = nonNull(raw);
        const path = [...props.path, key];
        const id = `${props.idPrefix}-${path.join('-')}`;
        const value = props.draft[key];
        if (field.type === 'object' && field.properties) {
          return (
            <fieldset key={key} className="config-group">
              <legend>{labelOf(key, raw)}</legend>
              {raw.description && <p className="hint">{raw.description}</p>}
              <Fields {...props} schema={field} draft={(value as Draft) ?? {}} path={path} />
            </fieldset>
          );
        }
        const err = props.errors.get(path.join('.'));
        const hintId = `${id}-hint`;
        const errId = `${id}-err`;
        const describedBy = err ? `${hintId} ${errId}` : hintId;
        const unit = numericUnit(field);
        const range = rangeText(field, unit);
        const hint = [raw.description, range ? `Allowed: ${range}.` : null, `Default: ${defaultText(raw.default, unit)}.`].filter(Boolean).join(' ');
        let input: React.JSX.Element;
        if (field.type === 'boolean') {
          input = <input id={id} type="checkbox" checked={value === true} onChange={(e) => props.onChange(path, e.target.checked)} aria-describedby={describedBy} />;
        } else if (field.enum || field.const !== undefined) {
          const options = field.enum ?? [field.const];
          input = (
            <select id={id} value={String(value)} onChange={(e) => props.onChange(path, e.target.value)} aria-describedby={describedBy} disabled={options.length < 2}>
              {options.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
            </select>
          );
        } else if (field.type === 'number' || field.type === 'integer') {
          const out = outOfRange(field, String(value ?? ''), unit);
          const shown = (v: number | undefined) => (v === undefined || !unit ? v : unit.toShown(v));
          input = (
            <input
              id={id}
              type="number"
              inputMode="decimal"
              value={String(value ?? '')}
              min={shown(finite(field.minimum ?? field.exclusiveMinimum))}
              max={shown(finite(field.maximum ?? field.exclusiveMaximum))}
              step={unit ? 10 ** -unit.decimals : (field.multipleOf ?? (field.type === 'integer' ? 1 : 'any'))}
              placeholder={isNullable(raw) ? 'no limit' : undefined}
              aria-invalid={err || out ? true : undefined}
              aria-describedby={describedBy}
              onChange={(e) => props.onChange(path, e.target.value)}
            />
          );
        } else if (field.type === 'array' && field.items && isNumeric(field.items)) {
          input = <input id={id} type="text" value={String(value ?? '')} aria-invalid={err ? true : undefined} aria-describedby={describedBy} onChange={(e) => props.onChange(path, e.target.value)} />;
        } else {
          input = <textarea id={id} rows={2} value={String(value ?? '')} aria-invalid={err ? true : undefined} aria-describedby={describedBy} onChange={(e) => props.onChange(path, e.target.value)} />;
        }
        return (
          <div key={key} className={`config-field${field.type === 'boolean' ? ' bool' : ''}`}>
            <label htmlFor={id}>
              {labelOf(key, raw)}
              {unitHint(raw, field) && <span className="unit"> ({unitHint(raw, field)})</span>}
            </label>
            {input}
            <span id={hintId} className="hint">{hint}</span>
            {err && <span id={errId} className="field-error">{err}</span>}
          </div>
        );
      })}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Schema helpers

function nonNull(s: Schema): Schema {
  if (s.anyOf) return { ...s, ...(s.anyOf.find((b) => b.type !== 'null') ?? {}) };
  return s;
}

function isNullable(s: Schema): boolean {
  return !!s.anyOf?.some((b) => b.type === 'null');
}

/** "fraction of max profit", "calendar days, comma-separated", "JSON list"; "$" and "seconds" for cents and milliseconds. */
function unitHint(raw: Schema, field: Schema): string | null {
  const list = field.type === 'array' ? (field.items && isNumeric(field.items) ? 'comma-separated' : 'JSON list') : null;
  return [numericUnit(field)?.label ?? field.unit ?? raw.unit, list].filter(Boolean).join(', ') || null;
}

/** The shown unit of a number field the schema keeps in cents or milliseconds (null: shown as stored). */
function numericUnit(field: Schema): ShownUnit | null {
  return isNumeric(field) ? shownUnit(field.unit) : null;
}

function isNumeric(s: Schema): boolean {
  return s.type === 'number' || s.type === 'integer';
}

const finite = (v: number | undefined): number | undefined => (v !== undefined && Math.abs(v) < 1e15 ? v : undefined);

/** "contracts" → "Contracts", "takeProfitPct" → "Take profit pct" (the schema's title wins). */
function labelOf(key: string, s: Schema): string {
  if (s.title) return s.title;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "≥ 5 and ≤ 200, in steps of 5"; bounds of a converted field in its shown unit ("> $0.00", "> 0 seconds"). */
function rangeText(s: Schema, unit: ShownUnit | null = null): string | null {
  const f = s.type === 'array' && s.items ? nonNull(s.items) : s;
  const say = (v: number) => (unit ? unit.describe(v) : String(v));
  const min = finite(f.minimum);
  const xmin = finite(f.exclusiveMinimum);
  const max = finite(f.maximum);
  const xmax = finite(f.exclusiveMaximum);
  const lo = min !== undefined ? `≥ ${say(min)}` : xmin !== undefined ? `> ${say(xmin)}` : null;
  const hi = max !== undefined ? `≤ ${say(max)}` : xmax !== undefined ? `< ${say(xmax)}` : null;
  const parts = [lo, hi].filter(Boolean).join(' and ');
  const step = f.multipleOf ? `${parts ? ', ' : ''}in steps of ${say(f.multipleOf)}` : '';
  // Whole cents or milliseconds are any amount to the cent or the millisecond once converted.
  const whole = f.type === 'integer' && !unit ? `${parts || step ? ', ' : ''}whole numbers` : '';
  const text = `${parts}${step}${whole}`;
  return text || null;
}

function defaultText(v: unknown, unit: ShownUnit | null): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (unit && typeof v === 'number') return unit.describe(v);
  return String(v);
}

/** Client-side hint only: the server decides. Bounds are the schema's, so a shown value is compared once stored. */
function outOfRange(s: Schema, text: string, unit: ShownUnit | null): boolean {
  if (text.trim() === '') return false;
  const typed = Number(text);
  if (!Number.isFinite(typed)) return true;
  const n = unit ? unit.toStored(typed) : typed;
  if (s.minimum !== undefined && n < s.minimum) return true;
  if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) return true;
  if (s.maximum !== undefined && n > s.maximum) return true;
  if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum) return true;
  return false;
}

function toDraft(schema: Schema, value: unknown): Draft {
  const out: Draft = {};
  const obj = (value ?? {}) as Record<string, unknown>;
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const f = nonNull(raw);
    const v = obj[key];
    if (f.type === 'object' && f.properties) out[key] = toDraft(f, v);
    else if (f.type === 'boolean') out[key] = v === true;
    else if (f.type === 'array') out[key] = f.items && isNumeric(f.items) ? (Array.isArray(v) ? v.join(', ') : '') : JSON.stringify(v ?? []);
    else if (v === null || v === undefined) out[key] = '';
    else {
      const unit = numericUnit(f);
      out[key] = unit && typeof v === 'number' ? unit.text(v) : String(v);
    }
  }
  return out;
}

/** The draft as the config to send; text the server cannot read as a number is sent as typed, so its message names it. */
function fromDraft(schema: Schema, draft: Draft): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const f = nonNull(raw);
    const v = draft[key];
    if (v === undefined) continue;
    if (f.type === 'object' && f.properties) out[key] = fromDraft(f, v as Draft);
    else if (f.type === 'boolean') out[key] = v === true;
    else if (f.type === 'number' || f.type === 'integer') {
      const text = String(v).trim();
      const unit = numericUnit(f);
      const n = Number(text);
      out[key] = text === '' ? (isNullable(raw) ? null : text) : Number.isFinite(n) ? (unit ? unit.toStored(n) : n) : text;
    } else if (f.type === 'array') {
      const text = String(v).trim();
      if (f.items && isNumeric(f.items)) {
        out[key] = text === '' ? [] : text.split(/[,\s]+/).filter(Boolean).map((t) => (Number.isFinite(Number(t)) ? Number(t) : t));
      } else {
        try {
          out[key] = JSON.parse(text || '[]') as unknown;
        } catch {
          out[key] = text;
        }
      }
    } else out[key] = v;
  }
  return out;
}

function setIn(d: Draft, path: string[], value: string | boolean): Draft {
  const [head, ...rest] = path;
  if (head === undefined) return d;
  if (rest.length === 0) return { ...d, [head]: value };
  return { ...d, [head]: setIn((d[head] as Draft) ?? {}, rest, value) };
}

/** "… — takeProfitPct: must be at most 1 (…); width: …" → field path → its clause. */
function parseFieldErrors(message: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!message) return out;
  const body = message.includes(' — ') ? message.slice(message.indexOf(' — ') + 3) : message;
  for (const clause of body.replace(/\.$/, '').split(/;\s+(?=[\w.]+: )/)) {
    const m = /^([\w.]+): (.*)$/.exec(clause.trim());
    if (!m) continue;
    // List items ("targetDtes.1") are shown at their list.
    const path = m[1]!.split('.').filter((p) => !/^\d+$/.test(p)).join('.');
    out.set(path, out.has(path) ? `${out.get(path)}; ${m[2]}` : m[2]!);
  }
  return out;
}

/** A card figure as shown: dollars, a percentage, a ratio or a count; a dash when there is nothing yet. */
