/**
 * Notification delivery's vocabulary (seed 003): the kinds of notification, the channels they go out on
 * (e-mail over SMTP, Slack-style and Telegram-style webhooks), and the settings of each — as the Settings
 * page shows them (secrets only as "set"/"not set") and as it may change them (secrets write-only).
 */
import { z } from 'zod';

/**
 * What a notification is about. The engine's notifications carry no kind today; the application maps
 * them by title and level (electron/application/notifications/kinds.ts). A system that knows better
 * (an assignment, an emergency close) says so with `kind`.
 */
export const NOTIFICATION_KINDS = ['fill', 'exit', 'emergency_close', 'assignment', 'error', 'warning', 'info'] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  fill: 'Fills',
  exit: 'Exits',
  emergency_close: 'Emergency closes',
  assignment: 'Assignments',
  error: 'Errors',
  warning: 'Warnings',
  info: 'Other information',
};

export const DELIVERY_CHANNELS = ['email', 'slack', 'telegram'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_CHANNEL_LABELS: Record<DeliveryChannel, string> = { email: 'E-mail', slack: 'Slack webhook', telegram: 'Telegram bot' };

/** What every channel sends unless told otherwise: everything a trader must act on or know of. */
export const DEFAULT_DELIVERY_KINDS: NotificationKind[] = ['fill', 'exit', 'emergency_close', 'assignment', 'error'];

/** The per-channel rate limit: at most this many messages a minute; a burst beyond it becomes one digest. */
export const THROTTLE_LIMITS = { min: 1, max: 60, default: 4 } as const;

const Kinds = z
  .array(NotificationKindSchema)
  .max(NOTIFICATION_KINDS.length)
  .transform((kinds) => NOTIFICATION_KINDS.filter((k) => kinds.includes(k)));

const NOT_LINK_LOCAL = 'must not point at a link-local or unspecified address (169.254.0.0/16, fe80::/10, 0.0.0.0, ::), where cloud metadata services answer';

/**
 * Whether a host (as URL parsing normalizes it: IPv4 in dotted decimal, IPv6 in brackets) is link-local
 * (169.254.0.0/16, fe80::/10 — the cloud metadata services' addresses), unspecified or "this network"
 * (0.0.0.0/8, ::), or the metadata service's well-known name: never a notification's destination.
 */
function forbiddenHost(hostname: string): boolean {
  let h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  // IPv4-mapped IPv6 (::ffff:a9fe:a9fe) is the IPv4 address it maps.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    h = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return /^169\.254\.\d+\.\d+$/.test(h) || /^0\.\d+\.\d+\.\d+$/.test(h) || h === '::' || /^fe[89ab][0-9a-f]:/.test(h) || h === 'metadata.google.internal' || h === 'metadata.google.internal.';
}

/** Why an SMTP host may not be used (link-local, unspecified), or null. Numeric forms (2852039166) are read as IPv4, as the resolver would. */
export function smtpHostProblem(host: string): string | null {
  if (host === '') return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return null; // the host name's own check says what is wrong
  }
  return forbiddenHost(hostname) ? NOT_LINK_LOCAL : null;
}

/**
 * A webhook or API address: https, or plain http only to this computer (a local relay, tests); never a
 * link-local or unspecified address. The message never repeats the address (it embeds a token).
 */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL (it should look like https://hooks.example.com/services/…)';
  }
  if (forbiddenHost(url.hostname)) return NOT_LINK_LOCAL;
  if (url.protocol === 'https:') return null;
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && local) return null;
  return url.protocol === 'http:' ? 'must use https:// (plain http:// is allowed only to this computer: localhost, 127.0.0.1)' : `must be an https:// address, not ${url.protocol}`;
}

const WebhookUrl = z
  .string()
  .max(2048, 'a webhook URL is at most 2048 characters')
  .superRefine((value, ctx) => {
    if (value === '') return; // '' forgets the stored one
    const problem = webhookUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `the webhook URL ${problem}` });
  });

const Email = z.email('not a valid e-mail address (name@example.com)').max(254);
const Port = z.number().int('the port is a whole number').min(1, 'the port must be from 1 to 65535').max(65_535, 'the port must be from 1 to 65535');

/** The saved, non-secret settings (the settings table's `settings.delivery` row). */
export const DeliveryConfigSchema = z.object({
  email: z.object({
    enabled: z.boolean(),
    host: z.string(),
    port: Port,
    /** TLS from the start (port 465); otherwise STARTTLS when the server offers it (587, 25). */
    secure: z.boolean(),
    user: z.string(),
    from: z.string(),
    to: z.array(z.string()),
    kinds: Kinds,
  }),
  slack: z.object({ enabled: z.boolean(), kinds: Kinds }),
  telegram: z.object({
    enabled: z.boolean(),
    chatId: z.string(),
    /** The Bot API's address (https://api.telegram.org; a local relay or a test receiver otherwise). */
    apiUrl: z.string(),
    kinds: Kinds,
  }),
  throttle: z.object({ maxPerMinute: z.number().int().min(THROTTLE_LIMITS.min).max(THROTTLE_LIMITS.max) }),
});
export type DeliveryConfig = z.output<typeof DeliveryConfigSchema>;

export const DEFAULT_DELIVERY: DeliveryConfig = {
  email: { enabled: false, host: '', port: 587, secure: false, user: '', from: '', to: [], kinds: DEFAULT_DELIVERY_KINDS },
  slack: { enabled: false, kinds: DEFAULT_DELIVERY_KINDS },
  telegram: { enabled: false, chatId: '', apiUrl: 'https://api.telegram.org', kinds: DEFAULT_DELIVERY_KINDS },
  throttle: { maxPerMinute: THROTTLE_LIMITS.default },
};

/** What `settings.get` shows: the saved settings and, for each secret, only whether one is stored. */
export const DeliverySettingsSchema = z.object({
  email: DeliveryConfigSchema.shape.email.extend({ passwordSet: z.boolean() }),
  slack: DeliveryConfigSchema.shape.slack.extend({ webhookUrlSet: z.boolean() }),
  telegram: DeliveryConfigSchema.shape.telegram.extend({ botTokenSet: z.boolean() }),
  throttle: DeliveryConfigSchema.shape.throttle,
});
export type DeliverySettings = z.output<typeof DeliverySettingsSchema>;

/** A change to the delivery settings: any field may be left out (it keeps its value); secrets are write-only, '' forgets one. */
export const DeliveryUpdateSchema = z
  .object({
    email: z
      .object({
        enabled: z.boolean(),
        host: z
          .string()
          .max(255)
          .regex(/^[A-Za-z0-9.-]*$/, 'the SMTP host is a host name or IP address (smtp.example.com)')
          .superRefine((host, ctx) => {
            const problem = smtpHostProblem(host);
            if (problem) ctx.addIssue({ code: 'custom', message: `the SMTP host ${problem}` });
          }),
        port: Port,
        secure: z.boolean(),
        user: z.string().max(255),
        from: z.union([z.literal(''), Email]),
        to: z.array(Email).max(20, 'at most 20 recipients'),
        /** Write-only. '' forgets the stored password. */
        password: z.string().max(512),
        kinds: Kinds,
      })
      .partial()
      .strict(),
    slack: z
      .object({
        enabled: z.boolean(),
        /** Write-only (it embeds the token). '' forgets it. */
        webhookUrl: WebhookUrl,
        kinds: Kinds,
      })
      .partial()
      .strict(),
    telegram: z
      .object({
        enabled: z.boolean(),
        chatId: z.string().regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})?$/, 'a Telegram chat id is a number (e.g. -1001234567890) or a channel name (@mychannel)'),
        /** Write-only. '' forgets it. */
        botToken: z.string().regex(/^(\d{3,20}:[A-Za-z0-9_-]{20,100})?$/, 'a Telegram bot token looks like 123456789:AA… (as BotFather gives it)'),
        apiUrl: WebhookUrl.refine((v) => v !== '', 'the Telegram API address must not be empty'),
        kinds: Kinds,
      })
      .partial()
      .strict(),
    throttle: z
      .object({
        maxPerMinute: z
          .number()
          .int()
          .min(THROTTLE_LIMITS.min, `the rate limit is from ${THROTTLE_LIMITS.min} to ${THROTTLE_LIMITS.max} messages a minute`)
          .max(THROTTLE_LIMITS.max, `the rate limit is from ${THROTTLE_LIMITS.min} to ${THROTTLE_LIMITS.max} messages a minute`),
      })
      .strict(),
  })
  .partial()
  .strict();
export type DeliveryUpdate = z.output<typeof DeliveryUpdateSchema>;

/** `notifications.test`: one channel, or every enabled one. */
export const NotificationTestInputSchema = z.object({ channel: z.enum(DELIVERY_CHANNELS).optional() }).strict();
export const NotificationTestResultSchema = z.array(
  z.object({
    channel: z.enum(DELIVERY_CHANNELS),
    ok: z.boolean(),
    /** What happened, in words: "delivered to 2 recipients", or the exact failure (never a secret). */
    message: z.string(),
  }),
);
export type NotificationTestResult = z.output<typeof NotificationTestResultSchema>;
