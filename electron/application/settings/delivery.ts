/**
 * The notification-delivery part of the Settings page (seed 003): e-mail over SMTP, Slack- and
 * Telegram-style webhooks, which kinds go where, the rate limit.
 *
 * The settings row `settings.delivery` holds everything but the secrets; the SMTP password, the Slack
 * webhook URL (it embeds its token) and the Telegram bot token are SecretStore entries (NOTIFY_SECRETS),
 * handled like the Tradier token: write-only, read back only as set/not set, registered with the log's
 * redaction as soon as they are given.
 */
import { ApiError } from '../../../shared/api.ts';
import { DEFAULT_DELIVERY, DELIVERY_CHANNEL_LABELS, DeliveryConfigSchema, NOTIFICATION_KIND_LABELS, type DeliveryChannel, type DeliveryConfig, type DeliverySettings, type DeliveryUpdate } from '../../../shared/domain/notifications.ts';
import type { Logger } from '../../engine/ports.ts';
import type { Store } from '../../store/store.ts';
import type { ChannelSetup } from '../notifications/channels.ts';

/** The SecretStore of settings.ts (structurally: settings.ts imports this file). */
type SecretStore = {
  readonly kind: 'safeStorage' | 'memory' | 'unavailable';
  get(name: string): string | null;
  set(name: string, value: string | null): void;
  has(name: string): boolean;
};

export const DELIVERY_KEY = 'settings.delivery';

/** The SecretStore names of the delivery secrets. */
export const NOTIFY_SECRETS = { smtpPassword: 'notify.smtp.password', slackWebhook: 'notify.slack.webhook', telegramToken: 'notify.telegram.token' } as const;

/** The saved delivery settings (defaults for what is missing; a damaged row reads as all off, and the log says so). */
export function deliveryConfig(store: Store, log?: Logger): DeliveryConfig {
  const saved = store.settings.get<Partial<DeliveryConfig>>(DELIVERY_KEY);
  if (saved === null) return DEFAULT_DELIVERY;
  const merged = {
    email: { ...DEFAULT_DELIVERY.email, ...saved.email },
    slack: { ...DEFAULT_DELIVERY.slack, ...saved.slack },
    telegram: { ...DEFAULT_DELIVERY.telegram, ...saved.telegram },
    throttle: { ...DEFAULT_DELIVERY.throttle, ...saved.throttle },
  };
  const parsed = DeliveryConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  log?.error(`The saved notification delivery settings are invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); e-mail and webhooks are off until they are saved again.`);
  return DEFAULT_DELIVERY;
}

export function deliverySettings(store: Store, secrets: SecretStore): DeliverySettings {
  const c = deliveryConfig(store);
  return {
    email: { ...c.email, passwordSet: secrets.has(NOTIFY_SECRETS.smtpPassword) },
    slack: { ...c.slack, webhookUrlSet: secrets.has(NOTIFY_SECRETS.slackWebhook) },
    telegram: { ...c.telegram, botTokenSet: secrets.has(NOTIFY_SECRETS.telegramToken) },
    throttle: c.throttle,
  };
}

/**
 * Each channel that is on but cannot send because its secret is gone — after a restart of the headless
 * server, which keeps secrets in memory only (unless given in the environment), or a secrets file lost on
 * the desktop. Said at start (a warning notification and the log) and in settings.get's warnings.
 */
export function deliveryWarnings(store: Store, secrets: SecretStore): string[] {
  const c = deliveryConfig(store);
  const missing: [boolean, string, string, string][] = [
    [c.email.enabled && !!c.email.user && !secrets.has(NOTIFY_SECRETS.smtpPassword), DELIVERY_CHANNEL_LABELS.email, 'SMTP password', 'THETADESK_SMTP_PASSWORD'],
    [c.slack.enabled && !secrets.has(NOTIFY_SECRETS.slackWebhook), DELIVERY_CHANNEL_LABELS.slack, 'webhook URL', 'THETADESK_SLACK_WEBHOOK_URL'],
    [c.telegram.enabled && !secrets.has(NOTIFY_SECRETS.telegramToken), DELIVERY_CHANNEL_LABELS.telegram, 'bot token', 'THETADESK_TELEGRAM_BOT_TOKEN'],
  ];
  return missing
    .filter(([gone]) => gone)
    .map(([, channel, secret, variable]) =>
      secrets.kind === 'memory'
        ? `${channel} is on but its ${secret} is not set since the restart (the headless server keeps secrets in memory only): enter it again in Settings or set ${variable}.`
        : `${channel} is on but its ${secret} is not stored: enter it again in Settings.`,
    );
}

/** A channel's settings with its secrets, for the one moment of a send. */
export function channelSetup(store: Store, secrets: SecretStore, channel: DeliveryChannel): ChannelSetup {
  const c = deliveryConfig(store);
  switch (channel) {
    case 'email':
      return { channel, config: c.email, password: secrets.get(NOTIFY_SECRETS.smtpPassword) };
    case 'slack':
      return { channel, webhookUrl: secrets.get(NOTIFY_SECRETS.slackWebhook) };
    case 'telegram':
      return { channel, config: c.telegram, botToken: secrets.get(NOTIFY_SECRETS.telegramToken) };
  }
}

/** The secrets an update sets ('' forgets), by SecretStore name. */
function secretsOf(update: DeliveryUpdate): [string, string][] {
  const out: [string, string][] = [];
  if (update.email?.password !== undefined) out.push([NOTIFY_SECRETS.smtpPassword, update.email.password]);
  if (update.slack?.webhookUrl !== undefined) out.push([NOTIFY_SECRETS.slackWebhook, update.slack.webhookUrl]);
  if (update.telegram?.botToken !== undefined) out.push([NOTIFY_SECRETS.telegramToken, update.telegram.botToken]);
  return out;
}

const SECRET_LABEL: Record<string, string> = {
  [NOTIFY_SECRETS.smtpPassword]: 'SMTP password',
  [NOTIFY_SECRETS.slackWebhook]: 'Slack webhook URL',
  [NOTIFY_SECRETS.telegramToken]: 'Telegram bot token',
};

export type DeliveryChange = { before: DeliveryConfig; config: DeliveryConfig; changed: boolean; secrets: [string, string][] };

/** Where the SMTP password goes: server, port, TLS mode and user (a change of any is a new destination). */
const smtpDestination = (e: DeliveryConfig['email']) => (e.host ? `${e.host}:${e.port} (${e.secure ? 'TLS from the start' : 'STARTTLS'})${e.user ? ` as user "${e.user}"` : ' without a login'}` : 'no server');

/** An address's host (and port) only: the path or user info of a URL may hold a token. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(an invalid address)';
  }
}

/**
 * The refusals a secret's new destination calls for: a stored SMTP password or Telegram bot token is never
 * sent to a server, port, TLS mode, user or API address it was not given for — whoever changes where it
 * goes gives it again in the same change (an attacker with the API but not the secret cannot redirect it).
 */
function destinationProblems(before: DeliveryConfig, after: DeliveryConfig, given: Map<string, string>, secrets: SecretStore): string[] {
  const out: string[] = [];
  const stored = (name: string) => secrets.has(name) && !given.has(name);
  if (after.email.user && stored(NOTIFY_SECRETS.smtpPassword) && smtpDestination(before.email) !== smtpDestination(after.email)) {
    out.push(`delivery.email.password: the SMTP server or user changed (${smtpDestination(before.email)} → ${smtpDestination(after.email)}), and the stored password is never sent to a new server or user unasked — enter the password again with the new server (or give "" to forget it)`);
  }
  if (stored(NOTIFY_SECRETS.telegramToken) && before.telegram.apiUrl !== after.telegram.apiUrl) {
    out.push(`delivery.telegram.botToken: the Telegram API address changed (${hostOf(before.telegram.apiUrl)} → ${hostOf(after.telegram.apiUrl)}), and the stored bot token is never sent to a new address unasked — enter the bot token again with the new address (or give "" to forget it)`);
  }
  return out;
}

/** Each change of where a channel sends, in words for the log (host names, never a secret). */
export function describeDestinationChanges(change: DeliveryChange): string[] {
  const { before, config: after } = change;
  const out: string[] = [];
  if (smtpDestination(before.email) !== smtpDestination(after.email)) out.push(`${DELIVERY_CHANNEL_LABELS.email} now goes to ${smtpDestination(after.email)} (was ${smtpDestination(before.email)}).`);
  if (before.telegram.apiUrl !== after.telegram.apiUrl) out.push(`${DELIVERY_CHANNEL_LABELS.telegram} now goes to ${hostOf(after.telegram.apiUrl)} (was ${hostOf(before.telegram.apiUrl)}).`);
  if (change.secrets.some(([name, value]) => name === NOTIFY_SECRETS.slackWebhook && value !== '')) out.push(`${DELIVERY_CHANNEL_LABELS.slack} now goes to ${hostOf(change.secrets.find(([name]) => name === NOTIFY_SECRETS.slackWebhook)![1])}.`);
  return out;
}

/**
 * Checks a change against what is saved, as a whole (a channel turned on must be able to send), and
 * returns what to save; throws a VALIDATION ApiError naming the field and saying what to do. Stores nothing.
 */
export function planDeliveryChange(store: Store, secrets: SecretStore, update: DeliveryUpdate): DeliveryChange {
  const before = deliveryConfig(store);
  // The secrets go to the SecretStore, everything else over what is saved.
  const { password: _password, ...email } = update.email ?? {};
  const { webhookUrl: _webhookUrl, ...slack } = update.slack ?? {};
  const { botToken: _botToken, ...telegram } = update.telegram ?? {};
  const config: DeliveryConfig = {
    email: { ...before.email, ...email },
    slack: { ...before.slack, ...slack },
    telegram: { ...before.telegram, ...telegram },
    throttle: { ...before.throttle, ...update.throttle },
  };
  const given = new Map(secretsOf(update));
  const has = (name: string) => (given.has(name) ? given.get(name) !== '' : secrets.has(name));
  const problems = destinationProblems(before, config, given, secrets);
  const e = config.email;
  if (e.enabled) {
    if (!e.host) problems.push('delivery.email.host: e-mail notifications need the SMTP server (e.g. smtp.gmail.com)');
    if (!e.from) problems.push('delivery.email.from: e-mail notifications need a From address');
    if (e.to.length === 0) problems.push('delivery.email.to: e-mail notifications need at least one recipient');
    if (e.user && !has(NOTIFY_SECRETS.smtpPassword)) problems.push(`delivery.email.password: the SMTP user "${e.user}" needs its password`);
  }
  if (config.slack.enabled && !has(NOTIFY_SECRETS.slackWebhook)) problems.push('delivery.slack.webhookUrl: the Slack notifications need the incoming webhook URL (https://hooks.slack.com/services/…)');
  if (config.telegram.enabled) {
    if (!has(NOTIFY_SECRETS.telegramToken)) problems.push('delivery.telegram.botToken: the Telegram notifications need the bot token (from BotFather)');
    if (!config.telegram.chatId) problems.push('delivery.telegram.chatId: the Telegram notifications need the chat id to send to');
  }
  if (problems.length) throw new ApiError('VALIDATION', `${problems.join('; ')}. Nothing was saved.`);
  if (secrets.kind === 'unavailable' && [...given.values()].some((v) => v !== '')) {
    throw new ApiError('VALIDATION', 'delivery: this computer offers no encrypted storage for secrets (Electron safeStorage is unavailable), so the password, webhook URL or bot token was not stored and nothing was saved. Set THETADESK_SMTP_PASSWORD, THETADESK_SLACK_WEBHOOK_URL or THETADESK_TELEGRAM_BOT_TOKEN in the environment instead.');
  }
  return { before, config, changed: JSON.stringify(config) !== JSON.stringify(before), secrets: secretsOf(update) };
}

/** Stores the secrets of a planned change (registering each with the log's redaction first). */
export function storeDeliverySecrets(change: DeliveryChange, secrets: SecretStore, log?: Logger, addSecret?: (value: string) => void): void {
  for (const [name, value] of change.secrets) {
    const label = SECRET_LABEL[name]!;
    if (value === '') {
      secrets.set(name, null);
      log?.info(`${label} forgotten.`);
      continue;
    }
    addSecret?.(value);
    try {
      secrets.set(name, value);
    } catch (error) {
      const why = error instanceof Error ? error.message.split(value).join('***') : 'unknown error';
      throw new ApiError('VALIDATION', `delivery: the ${label} could not be stored securely (${why}); nothing else was saved.`);
    }
    log?.info(`${label} stored (${secrets.kind === 'safeStorage' ? 'encrypted with the OS keychain' : 'in memory for this run'}).`);
  }
}

/** The delivery settings in words, for the log (never a secret). */
export function describeDelivery(c: DeliveryConfig): string {
  const kinds = (k: string[]) => k.map((x) => NOTIFICATION_KIND_LABELS[x as keyof typeof NOTIFICATION_KIND_LABELS].toLowerCase()).join(', ') || 'nothing';
  return [
    `${DELIVERY_CHANNEL_LABELS.email} ${c.email.enabled ? `on via ${c.email.host}:${c.email.port}${c.email.secure ? ' (TLS)' : ''} to ${c.email.to.length} recipient${c.email.to.length === 1 ? '' : 's'} (${kinds(c.email.kinds)})` : 'off'}`,
    `${DELIVERY_CHANNEL_LABELS.slack} ${c.slack.enabled ? `on (${kinds(c.slack.kinds)})` : 'off'}`,
    `${DELIVERY_CHANNEL_LABELS.telegram} ${c.telegram.enabled ? `on (${kinds(c.telegram.kinds)})` : 'off'}`,
    `at most ${c.throttle.maxPerMinute} messages a minute per channel`,
  ].join('; ');
}
