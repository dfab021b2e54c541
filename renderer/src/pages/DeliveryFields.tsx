/**
 * The Settings page's e-mail and webhook delivery of notifications (seed 003): SMTP, a Slack-style
 * webhook, a Telegram bot, which kinds go where, the rate limit, and "Send test notification".
 * Secrets (SMTP password, webhook URL, bot token) are write-only like the Tradier token: typed here, sent
 * once, never filled from the server, which only says whether one is stored.
 */
import { useState } from 'react';
import type { MethodInput, Settings, ThetadeskApi } from '../../../shared/api.ts';
import { DELIVERY_CHANNEL_LABELS, NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS, THROTTLE_LIMITS, type DeliveryChannel, type NotificationKind, type NotificationTestResult } from '../../../shared/domain/notifications.ts';

export type DeliveryForm = {
  email: { enabled: boolean; host: string; port: string; secure: boolean; user: string; from: string; to: string; password: string; kinds: NotificationKind[] };
  slack: { enabled: boolean; webhookUrl: string; kinds: NotificationKind[] };
  telegram: { enabled: boolean; chatId: string; botToken: string; apiUrl: string; kinds: NotificationKind[] };
  maxPerMinute: string;
};

type DeliveryUpdate = NonNullable<MethodInput<'settings.set'>['delivery']>;

export function deliveryFormOf(d: Settings['delivery']): DeliveryForm {
  return {
    email: { enabled: d.email.enabled, host: d.email.host, port: String(d.email.port), secure: d.email.secure, user: d.email.user, from: d.email.from, to: d.email.to.join(', '), password: '', kinds: d.email.kinds },
    slack: { enabled: d.slack.enabled, webhookUrl: '', kinds: d.slack.kinds },
    telegram: { enabled: d.telegram.enabled, chatId: d.telegram.chatId, botToken: '', apiUrl: d.telegram.apiUrl, kinds: d.telegram.kinds },
    maxPerMinute: String(d.throttle.maxPerMinute),
  };
}

/** What to send: every field, and a secret only when one was typed. */
export function deliveryInput(f: DeliveryForm): DeliveryUpdate {
  const { password, to, port, ...email } = f.email;
  const { webhookUrl, ...slack } = f.slack;
  const { botToken, ...telegram } = f.telegram;
  return {
    email: { ...email, host: email.host.trim(), user: email.user.trim(), from: email.from.trim(), port: Number(port), to: to.split(/[\s,;]+/).filter(Boolean), ...(password ? { password } : {}) },
    slack: { ...slack, ...(webhookUrl ? { webhookUrl: webhookUrl.trim() } : {}) },
    telegram: { ...telegram, chatId: telegram.chatId.trim(), apiUrl: telegram.apiUrl.trim(), ...(botToken ? { botToken: botToken.trim() } : {}) },
    throttle: { maxPerMinute: Number(f.maxPerMinute) },
  };
}

type Props = {
  settings: Settings['delivery'];
  form: DeliveryForm;
  onChange: (form: DeliveryForm) => void;
  /** Saves one change at once (forgetting a secret). */
  send: (input: MethodInput<'settings.set'>, done: string) => void;
  api: ThetadeskApi | null;
  saving: boolean;
};

function Kinds(props: { id: string; kinds: NotificationKind[]; disabled: boolean; onChange: (kinds: NotificationKind[]) => void }) {
  return (
    <fieldset className="kinds" aria-label={`${props.id} notification kinds`} disabled={props.disabled}>
      {NOTIFICATION_KINDS.map((k) => (
        <label key={k} className="check">
          <input
            type="checkbox"
            checked={props.kinds.includes(k)}
            onChange={(e) => props.onChange(e.target.checked ? [...props.kinds, k] : props.kinds.filter((x) => x !== k))}
          />{' '}
          {NOTIFICATION_KIND_LABELS[k]}
        </label>
      ))}
    </fieldset>
  );
}

export function DeliveryFields({ settings, form, onChange, send, api, saving }: Props) {
  const [testing, setTesting] = useState(false);
  const [results, setResults] = useState<NotificationTestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const email = (p: Partial<DeliveryForm['email']>) => onChange({ ...form, email: { ...form.email, ...p } });
  const slack = (p: Partial<DeliveryForm['slack']>) => onChange({ ...form, slack: { ...form.slack, ...p } });
  const telegram = (p: Partial<DeliveryForm['telegram']>) => onChange({ ...form, telegram: { ...form.telegram, ...p } });

  const test = async (channel?: DeliveryChannel) => {
    if (!api) return;
    setTesting(true);
    setResults(null);
    setTestError(null);
    try {
      setResults(await api.call('notifications.test', channel ? { channel } : {}));
    } catch (e) {
      setTestError((e as Error).message);
    } finally {
      setTesting(false);
    }
  };
  const forget = (label: string, input: DeliveryUpdate) => (
    <button type="button" className="btn" disabled={saving} onClick={() => send({ delivery: input }, `${label} forgotten.`)}>
      Forget {label}
    </button>
  );

  return (
    <>
      <p className="hint">
        Fills, exits, emergency closes, assignments and errors by e-mail and webhooks, each channel with the kinds ticked. At most the rate limit of messages a minute per channel; a burst
        beyond it arrives as one digest that says what it holds, errors always listed in full. Failed sends are retried and then recorded in the log.
      </p>
      <fieldset className="settings-group">
        <legend>E-mail (SMTP)</legend>
        <label className="check">
          <input type="checkbox" checked={form.email.enabled} onChange={(e) => email({ enabled: e.target.checked })} /> Send notifications by e-mail
        </label>
        <div className="form">
          <label htmlFor="set-smtp-host">SMTP server</label>
          <input id="set-smtp-host" value={form.email.host} onChange={(e) => email({ host: e.target.value })} autoComplete="off" spellCheck={false} placeholder="smtp.example.com" />
          <span className="hint">Your mail provider’s outgoing server.</span>
          <label htmlFor="set-smtp-port">SMTP port</label>
          <input id="set-smtp-port" type="number" inputMode="numeric" min={1} max={65535} step={1} value={form.email.port} onChange={(e) => email({ port: e.target.value })} />
          <span className="hint">587 (STARTTLS) or 465 (TLS from the start).</span>
          <span />
          <label className="check">
            <input type="checkbox" checked={form.email.secure} onChange={(e) => email({ secure: e.target.checked })} /> TLS from the start (port 465)
          </label>
          <span className="hint">Otherwise STARTTLS is required before a password is sent (to this computer too).</span>
          <label htmlFor="set-smtp-user">SMTP user</label>
          <input id="set-smtp-user" value={form.email.user} onChange={(e) => email({ user: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">Empty when the server needs no login.</span>
          <label htmlFor="set-smtp-password">SMTP password</label>
          <input id="set-smtp-password" type="password" value={form.email.password} placeholder={settings.email.passwordSet ? 'stored' : 'not set'} onChange={(e) => email({ password: e.target.value })} autoComplete="new-password" spellCheck={false} />
          <span className="hint">{settings.email.passwordSet ? 'A password is stored; type a new one to replace it — and type it again when you change the server, port, TLS or user.' : 'Write-only: it is never shown again.'}</span>
          <label htmlFor="set-smtp-from">From</label>
          <input id="set-smtp-from" type="email" value={form.email.from} onChange={(e) => email({ from: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">The sender address your server allows.</span>
          <label htmlFor="set-smtp-to">To</label>
          <input id="set-smtp-to" value={form.email.to} onChange={(e) => email({ to: e.target.value })} autoComplete="off" spellCheck={false} placeholder="me@example.com, desk@example.com" />
          <span className="hint">One or more addresses, separated by commas.</span>
        </div>
        <Kinds id="E-mail" kinds={form.email.kinds} disabled={!form.email.enabled} onChange={(kinds) => email({ kinds })} />
        {settings.email.passwordSet && forget('SMTP password', { email: { password: '', enabled: false } })}
      </fieldset>

      <fieldset className="settings-group">
        <legend>Slack webhook</legend>
        <label className="check">
          <input type="checkbox" checked={form.slack.enabled} onChange={(e) => slack({ enabled: e.target.checked })} /> Send notifications to a Slack incoming webhook
        </label>
        <div className="form">
          <label htmlFor="set-slack-url">Webhook URL</label>
          <input id="set-slack-url" type="password" value={form.slack.webhookUrl} placeholder={settings.slack.webhookUrlSet ? 'stored' : 'not set'} onChange={(e) => slack({ webhookUrl: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">https://hooks.slack.com/services/… — it holds a token, so it is write-only like a password.</span>
        </div>
        <Kinds id="Slack" kinds={form.slack.kinds} disabled={!form.slack.enabled} onChange={(kinds) => slack({ kinds })} />
        {settings.slack.webhookUrlSet && forget('Slack webhook URL', { slack: { webhookUrl: '', enabled: false } })}
      </fieldset>

      <fieldset className="settings-group">
        <legend>Telegram bot</legend>
        <label className="check">
          <input type="checkbox" checked={form.telegram.enabled} onChange={(e) => telegram({ enabled: e.target.checked })} /> Send notifications to a Telegram chat
        </label>
        <div className="form">
          <label htmlFor="set-tg-token">Bot token</label>
          <input id="set-tg-token" type="password" value={form.telegram.botToken} placeholder={settings.telegram.botTokenSet ? 'stored' : 'not set'} onChange={(e) => telegram({ botToken: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">From BotFather (123456789:AA…); write-only.</span>
          <label htmlFor="set-tg-chat">Chat id</label>
          <input id="set-tg-chat" value={form.telegram.chatId} onChange={(e) => telegram({ chatId: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">A number (e.g. -1001234567890) or @channelname; add the bot to the chat first.</span>
          <label htmlFor="set-tg-api">Bot API address</label>
          <input id="set-tg-api" value={form.telegram.apiUrl} onChange={(e) => telegram({ apiUrl: e.target.value })} autoComplete="off" spellCheck={false} />
          <span className="hint">https://api.telegram.org unless you run a local Bot API server; changing it needs the bot token typed again.</span>
        </div>
        <Kinds id="Telegram" kinds={form.telegram.kinds} disabled={!form.telegram.enabled} onChange={(kinds) => telegram({ kinds })} />
        {settings.telegram.botTokenSet && forget('Telegram bot token', { telegram: { botToken: '', enabled: false } })}
      </fieldset>

      <div className="form">
        <label htmlFor="set-throttle">Rate limit</label>
        <input id="set-throttle" type="number" inputMode="numeric" min={THROTTLE_LIMITS.min} max={THROTTLE_LIMITS.max} step={1} value={form.maxPerMinute} onChange={(e) => onChange({ ...form, maxPerMinute: e.target.value })} />
        <span className="hint">Messages a minute per channel ({THROTTLE_LIMITS.min}–{THROTTLE_LIMITS.max}); more become one digest.</span>
      </div>

      <div className="row">
        <button type="button" className="btn" disabled={testing || !api} onClick={() => void test()}>
          {testing ? 'Sending…' : 'Send test notification'}
        </button>
        <span className="hint">Uses the saved settings (save first), on every channel that is on.</span>
      </div>
      {testError && <p role="alert" className="field-error settings-error">{testError}</p>}
      {results && (
        <ul className="test-results" aria-label="Test notification results">
          {results.map((r) => (
            <li key={r.channel} className={r.ok ? 'ok' : 'error'}>
              {DELIVERY_CHANNEL_LABELS[r.channel]}: {r.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
