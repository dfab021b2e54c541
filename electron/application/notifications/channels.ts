/**
 * The three ways a notification leaves the computer (seed 003): e-mail over SMTP (nodemailer), a
 * Slack-style incoming webhook (POST JSON `{ "text": … }`, answered `200 ok`), and Telegram's Bot API
 * `sendMessage` (POST JSON `{ chat_id, text }` to `<api>/bot<token>/sendMessage`, answered
 * `{ ok: true, result }` or `{ ok: false, error_code, description }`; text 1–4096 characters).
 *
 * Each send resolves with what happened in words, or throws a DeliveryError that says exactly why not and
 * whether trying again could help. No message ever contains a secret: the password, the webhook URL
 * and the bot token are cut out of every error text before it leaves here.
 *
 * Failures below the protocol (refused, reset, timed out, TLS, another kind of service on the port) all
 * read the same, so `notifications.test` cannot be used to scan ports; only what a real SMTP server or
 * web service answered (a refused password, an HTTP status) is told apart, and of a web page only a
 * Slack-style error word is quoted.
 */
import nodemailer from 'nodemailer';
import { smtpHostProblem, webhookUrlProblem, type DeliveryConfig } from '../../../shared/domain/notifications.ts';

/** One message as a channel sends it. */
export type OutgoingMessage = { subject: string; text: string };

export class DeliveryError extends Error {
  /** Whether sending again later may succeed (a timeout, a refused connection, 5xx, 429) — not a wrong password or address. */
  readonly retryable: boolean;
  /** Seconds the receiver asked us to wait (HTTP 429 Retry-After, Telegram's `retry_after`), or null. */
  readonly retryAfterSeconds: number | null;
  constructor(message: string, retryable: boolean, retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = retryable;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** What a channel needs to send: its settings and its secrets (read from the secret store at send time). */
export type ChannelSetup =
  | { channel: 'email'; config: DeliveryConfig['email']; password: string | null }
  | { channel: 'slack'; webhookUrl: string | null }
  | { channel: 'telegram'; config: DeliveryConfig['telegram']; botToken: string | null };

/** Slack truncates past 40,000 characters and Telegram refuses past 4,096: every text is cut to this. */
export const MAX_TEXT = 4_000;

/** Why the channel cannot send at all (nothing to connect to, no recipient), or null when it is set up. */
export function setupProblem(setup: ChannelSetup): string | null {
  switch (setup.channel) {
    case 'email': {
      const c = setup.config;
      const missing = [!c.host ? 'an SMTP host' : null, !c.from ? 'a From address' : null, c.to.length === 0 ? 'at least one recipient' : null, c.user && !setup.password ? 'the password of its user' : null].filter(Boolean);
      if (missing.length) return `E-mail needs ${missing.join(', ')}.`;
      const host = smtpHostProblem(c.host);
      return host ? `The SMTP host ${host}.` : null;
    }
    case 'slack': {
      // Checked here too: THETADESK_SLACK_WEBHOOK_URL reaches the store without the Settings page's check.
      const problem = setup.webhookUrl ? webhookUrlProblem(setup.webhookUrl) : null;
      return !setup.webhookUrl ? 'The Slack webhook needs its URL.' : problem ? `The Slack webhook URL ${problem}.` : null;
    }
    case 'telegram': {
      const missing = [!setup.botToken ? 'a bot token' : null, !setup.config.chatId ? 'a chat id' : null].filter(Boolean);
      if (missing.length) return `Telegram needs ${missing.join(' and ')}.`;
      const api = webhookUrlProblem(setup.config.apiUrl);
      return api ? `The Telegram API address ${api}.` : null;
    }
  }
}

/** Sends one message; `timeoutMs` bounds the attempt, `stop` ends it early (shut-down). */
export async function send(setup: ChannelSetup, message: OutgoingMessage, timeoutMs: number, stop?: AbortSignal): Promise<string> {
  const problem = setupProblem(setup);
  if (problem) throw new DeliveryError(problem, false);
  const text = clip(message.text);
  switch (setup.channel) {
    case 'email':
      return sendEmail(setup.config, setup.password, { subject: message.subject, text }, timeoutMs, stop);
    case 'slack':
      return postJson('Slack', setup.webhookUrl!, { text: clip(`*${message.subject}*\n${text}`) }, timeoutMs, stop, [setup.webhookUrl!], slackAnswer);
    case 'telegram': {
      const token = setup.botToken!;
      const url = `${setup.config.apiUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`;
      return postJson('Telegram', url, { chat_id: setup.config.chatId, text: clip(`${message.subject}\n${text}`) }, timeoutMs, stop, [token, url], telegramAnswer);
    }
  }
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 40)}\n… (cut: the full text is in the app)`;
}

const stopped = (name: string) => new DeliveryError(`${name}: sending was stopped because Thetadesk is shutting down.`, true);

async function sendEmail(c: DeliveryConfig['email'], password: string | null, message: OutgoingMessage, timeoutMs: number, stop: AbortSignal | undefined): Promise<string> {
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    // A password never crosses a connection in clear: without TLS from the start, STARTTLS is required —
    // to this computer too (anything listening on a local port could be someone else's). Certificates are
    // verified (nodemailer's default).
    requireTLS: !c.secure && !!c.user,
    ...(c.user ? { auth: { user: c.user, pass: password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: c.from, to: c.to, subject: message.subject, text: message.text, ...(stop ? { signal: stop } : {}) });
    const accepted = info.accepted.length;
    const rejected = (info.rejected as unknown[]).map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
    return `delivered to ${c.host}:${c.port} for ${accepted} recipient${accepted === 1 ? '' : 's'}${rejected.length ? ` (refused: ${rejected.join(', ')})` : ''}`;
  } catch (error) {
    if (stop?.aborted) throw stopped('E-mail');
    throw smtpError(error, c, password);
  } finally {
    transport.close();
  }
}

type SmtpFailure = { code?: string; command?: string; responseCode?: number; response?: string; message?: string };

/** A failure below the protocol, in words that do not tell a closed port from one where something else listens. */
const unreachable = (what: string, where: string, service: 'SMTP server' | 'web service', check: string) =>
  new DeliveryError(`Could not deliver to ${what} ${where}: no ${service} answered there (the connection was refused, dropped or timed out, TLS failed, or another kind of service listens there). ${check}`, true);

function smtpError(error: unknown, c: DeliveryConfig['email'], password: string | null): DeliveryError {
  const e = (error ?? {}) as SmtpFailure;
  const where = `${c.host}:${c.port}`;
  const said = scrub(e.response ?? e.message ?? String(error), [password]).slice(0, 300);
  switch (e.code) {
    case 'EAUTH':
      return new DeliveryError(`The SMTP server ${where} refused the user name or password for "${c.user}" (${said}). Check them on the Settings page.`, false);
    case 'ENOAUTH':
      return new DeliveryError(`The SMTP server ${where} needs a user name and password.`, false);
    case 'EENVELOPE':
      return new DeliveryError(`The SMTP server ${where} refused the sender or the recipients (${said}).`, false);
    case 'EDNS':
      return new DeliveryError(`The SMTP host "${c.host}" could not be found (${said}).`, true);
  }
  // An SMTP server that answered STARTTLS with a refusal: the password is not sent in clear.
  if (e.code === 'ETLS' && e.command === 'STARTTLS' && typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new DeliveryError(`The SMTP server ${where} does not offer STARTTLS (${said}), and Thetadesk sends a password only over TLS: use the server's TLS port (465, "TLS from the start") or its STARTTLS port (587).`, false);
  }
  if (typeof e.responseCode !== 'number' || !Number.isFinite(e.responseCode) || e.code === 'EPROTOCOL' || e.code === 'ETLS') {
    return unreachable('the SMTP server', where, 'SMTP server', 'Check the host, port and TLS setting (465 usually needs "TLS from the start", 587 and 25 STARTTLS), and that the server is up.');
  }
  // An SMTP reply: 4xx is transient, 5xx permanent (RFC 5321).
  const transient = e.responseCode >= 400 && e.responseCode < 500;
  return new DeliveryError(`The SMTP server ${where} did not take the message (${said}).`, transient);
}

/** Cuts every secret out of `text`. */
function scrub(text: string, secrets: (string | null)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

type Answer = { status: number; body: string; retryAfter: string | null };

async function postJson(name: string, url: string, body: unknown, timeoutMs: number, stop: AbortSignal | undefined, secrets: string[], read: (a: Answer) => string): Promise<string> {
  let res: Response;
  const signal = stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal, redirect: 'error' });
  } catch (error) {
    if (stop?.aborted) throw stopped(name);
    const e = error as Error & { cause?: { code?: string } };
    if (e.cause?.code === 'ENOTFOUND' || e.cause?.code === 'EAI_AGAIN') throw new DeliveryError(`The host of ${name} (${new URL(url).hostname}) could not be found.`, true);
    throw unreachable(name, `at ${hostOf(url)}`, 'web service', 'Check the address, and that the receiver is up.');
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    if (stop?.aborted) throw stopped(name);
    throw unreachable(name, `at ${hostOf(url)}`, 'web service', 'Check the address, and that the receiver is up.');
  }
  try {
    return read({ status: res.status, body: scrub(text, secrets), retryAfter: res.headers.get('retry-after') });
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    throw new DeliveryError(`${name} gave an answer that could not be read (HTTP ${res.status}).`, false);
  }
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return 'its address';
  }
}

/** A receiver's error word as Slack and the Bot API write them (no_service, internal_error), or '' for anything else (a web page is not quoted). */
function errorWord(body: string): string {
  const t = body.trim();
  return /^[A-Za-z0-9_.:' -]{1,80}$/.test(t) ? t : '';
}

/** HTTP statuses worth trying again: rate limited, or the receiver's own trouble. */
function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Slack answers `200 ok`; errors are a status and a word (400 invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived, 429 + Retry-After). */
function slackAnswer(a: Answer): string {
  if (a.status >= 200 && a.status < 300) return 'delivered to the Slack webhook';
  const seconds = a.retryAfter !== null && Number.isFinite(Number(a.retryAfter)) ? Number(a.retryAfter) : null;
  const word = errorWord(a.body);
  throw new DeliveryError(`The Slack webhook refused the message: HTTP ${a.status}${word ? ` ${word}` : ''}.`, retryableStatus(a.status), seconds);
}

/** Telegram answers `{ ok, result }` or `{ ok: false, error_code, description, parameters: { retry_after } }`. */
function telegramAnswer(a: Answer): string {
  type Reply = { ok?: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number } };
  let json: Reply;
  try {
    json = (a.body ? JSON.parse(a.body) : {}) as Reply;
  } catch {
    // Not the Bot API's JSON (a proxy's error page): its status, and its text only if it is an error word.
    json = { description: errorWord(a.body) || undefined };
  }
  if (a.status >= 200 && a.status < 300 && json.ok === true) return 'delivered to the Telegram chat';
  const code = json.error_code ?? a.status;
  const seconds = typeof json.parameters?.retry_after === 'number' ? json.parameters.retry_after : null;
  const hint = code === 401 ? ' Check the bot token.' : code === 400 && /chat not found/i.test(json.description ?? '') ? ' Check the chat id, and that the bot was added to the chat.' : '';
  throw new DeliveryError(`Telegram refused the message: ${code} ${(json.description ?? '(no description)').slice(0, 300)}.${hint}`, retryableStatus(code), seconds);
}

