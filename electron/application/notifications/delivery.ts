/**
 * Delivery of notifications by e-mail and webhooks (seed 003), throttled per channel and never in the
 * engine's way.
 *
 * `deliver` only queues and returns at once: sending happens on timers of the wall clock. Per channel:
 * - a burst is gathered for GATHER_MS, and what has gathered goes out as one message (one notification:
 *   itself; several: a digest that says how many of each kind it holds and lists them, errors first and
 *   every error in full);
 * - at most `maxPerMinute` messages in any minute; what arrives meanwhile waits and goes out as one digest
 *   when the minute allows;
 * - a failed send is tried again after RETRY_DELAYS_MS (sooner if the receiver names a wait, never later
 *   than it asks); a failure that cannot heal (wrong password, no such webhook) is not retried. Each failure
 *   is logged with its reason — never a secret — and a message given up on is logged as an error, with
 *   the notifications it held (they stay in the app's list either way).
 * Settings and secrets are read at each send, so a change on the Settings page applies to the next message.
 */
import { DELIVERY_CHANNEL_LABELS, DELIVERY_CHANNELS, NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS, type DeliveryChannel, type DeliveryConfig, type NotificationKind, type NotificationTestResult } from '../../../shared/domain/notifications.ts';
import { ApiError } from '../../../shared/api.ts';
import { etDateTime, etTime } from '../../../shared/time/et.ts';
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import type { Logger } from '../../engine/ports.ts';
import { DeliveryError, send, type ChannelSetup, type OutgoingMessage } from './channels.ts';

/** A notification as delivered: already redacted, with its kind and its time (the engine's). */
export type Delivered = { kind: NotificationKind; level: 'info' | 'warn' | 'error'; title: string; body: string; time: number };

export type DeliveryOptions = {
  /** The saved delivery settings (read at each notification and each send). */
  config: () => DeliveryConfig;
  /** A channel's settings with its secrets (read at each send; never logged). */
  setup: (channel: DeliveryChannel) => ChannelSetup;
  /** Real time: the rate limit, the gathering of bursts and the retries run on it. */
  clock: Clock;
  log: Logger;
  /** The log's redaction, applied again to every failure text before it is logged or returned. */
  redact: (text: string) => string;
  /** Per attempt. Default 15 s. */
  timeoutMs?: number;
  /** Waits between attempts. Default 5 s, 30 s, 2 min, 10 min. */
  retryDelaysMs?: number[];
  /** How long a burst is gathered before it goes out. Default 2 s. */
  gatherMs?: number;
};

const MINUTE = 60_000;
/** Lines of non-error notifications a digest lists (errors are always all listed); the rest are counted. */
const DIGEST_LINES = 25;
/** Notifications waiting on one channel (a receiver down for hours); beyond it the oldest non-errors are only counted. */
const MAX_WAITING = 1_000;

type ChannelState = {
  waiting: Delivered[];
  /** Non-errors dropped from `waiting` (too many), by kind: the next digest says so. */
  uncounted: Map<NotificationKind, number>;
  /** When each of the messages of the last minute went out. */
  sentAt: number[];
  timer: TimerHandle | null;
  busy: boolean;
};

export class NotificationDelivery {
  readonly #o: DeliveryOptions;
  readonly #state = new Map<DeliveryChannel, ChannelState>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborted at shut-down: ends the attempts under way and the waits before a retry. */
  readonly #stop = new AbortController();
  #closed = false;

  constructor(options: DeliveryOptions) {
    this.#o = options;
    for (const c of DELIVERY_CHANNELS) this.#state.set(c, { waiting: [], uncounted: new Map(), sentAt: [], timer: null, busy: false });
  }

  /** Queues `n` on every enabled channel that takes its kind. Never throws, never waits. */
  deliver(n: Delivered): void {
    if (this.#closed) return;
    try {
      const config = this.#o.config();
      for (const channel of DELIVERY_CHANNELS) {
        const c = config[channel];
        if (!c.enabled || !c.kinds.includes(n.kind)) continue;
        const state = this.#state.get(channel)!;
        state.waiting.push(n);
        this.#trim(state);
        this.#schedule(channel, this.#o.gatherMs ?? 2_000);
      }
    } catch (error) {
      this.#o.log.error(`Notification delivery: could not queue "${n.title}" (${this.#o.redact(error instanceof Error ? error.message : String(error))}).`);
    }
  }

  /** Sends a test message now on `channel` (or every enabled channel), past the rate limit and with no retry. */
  async test(channel?: DeliveryChannel): Promise<NotificationTestResult> {
    const config = this.#o.config();
    const channels = channel ? [channel] : DELIVERY_CHANNELS.filter((c) => config[c].enabled);
    if (channels.length === 0) throw new ApiError('VALIDATION', 'channel: no notification channel is turned on — turn on e-mail, Slack or Telegram (or name the one to test).');
    const at = this.#o.clock.now();
    const message: OutgoingMessage = {
      subject: 'Thetadesk: test notification',
      text: `This is a test notification from Thetadesk, sent ${etDateTime(at)} ET. Fills, exits, emergency closes, assignments and errors will arrive like this, as the Settings page routes them.`,
    };
    const results: NotificationTestResult = [];
    for (const c of channels) {
      try {
        const what = await send(this.#o.setup(c), message, this.#o.timeoutMs ?? 15_000);
        this.#o.log.info(`Test notification by ${DELIVERY_CHANNEL_LABELS[c]}: ${what}.`);
        results.push({ channel: c, ok: true, message: `Sent: ${what}.` });
      } catch (error) {
        const why = this.#why(error);
        this.#o.log.warn(`Test notification by ${DELIVERY_CHANNEL_LABELS[c]} failed: ${why}`);
        results.push({ channel: c, ok: false, message: why });
      }
    }
    return results;
  }

  /** Resolves when no message is being sent (or waiting to be retried); queued ones wait for their timer. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Whether anything waits to be sent on some channel. */
  get pending(): number {
    let n = 0;
    for (const s of this.#state.values()) n += s.waiting.length;
    return n;
  }

  /** Stops the timers and the attempts under way; what was not delivered is logged as such. */
  close(): void {
    this.#closed = true;
    this.#stop.abort();
    for (const [channel, s] of this.#state) {
      s.timer?.cancel();
      s.timer = null;
      if (s.waiting.length) this.#o.log.warn(`${DELIVERY_CHANNEL_LABELS[channel]}: ${s.waiting.length} notification${s.waiting.length === 1 ? '' : 's'} not sent before shut-down (they are in the app's list).`);
      s.waiting = [];
    }
  }

  #trim(state: ChannelState): void {
    while (state.waiting.length > MAX_WAITING) {
      const i = state.waiting.findIndex((w) => w.kind !== 'error');
      if (i < 0) break; // only errors: all kept
      const [dropped] = state.waiting.splice(i, 1);
      state.uncounted.set(dropped!.kind, (state.uncounted.get(dropped!.kind) ?? 0) + 1);
    }
  }

  /** Arms the channel's timer for the earliest moment allowed: after `delay`, and when the rate limit has room. */
  #schedule(channel: DeliveryChannel, delay: number): void {
    const state = this.#state.get(channel)!;
    if (state.timer || state.busy || this.#closed || state.waiting.length === 0) return;
    const now = this.#o.clock.now();
    state.sentAt = state.sentAt.filter((t) => t > now - MINUTE);
    const limit = this.#o.config().throttle.maxPerMinute;
    const room = state.sentAt.length < limit ? now : state.sentAt[state.sentAt.length - limit]! + MINUTE;
    state.timer = this.#o.clock.setTimer(Math.max(now + delay, room), () => {
      state.timer = null;
      this.#flush(channel);
    });
  }

  #flush(channel: DeliveryChannel): void {
    const state = this.#state.get(channel)!;
    if (state.waiting.length === 0 || this.#closed) return;
    const items = state.waiting;
    const uncounted = state.uncounted;
    state.waiting = [];
    state.uncounted = new Map();
    state.sentAt.push(this.#o.clock.now());
    state.busy = true;
    const limit = this.#o.config().throttle.maxPerMinute;
    const message = compose(items, uncounted, limit);
    const done = this.#sendWithRetries(channel, message, items.length).finally(() => {
      state.busy = false;
      this.#inFlight.delete(done);
      this.#schedule(channel, 0);
    });
    this.#inFlight.add(done);
  }

  async #sendWithRetries(channel: DeliveryChannel, message: OutgoingMessage, count: number): Promise<void> {
    const delays = this.#o.retryDelaysMs ?? [5_000, 30_000, 120_000, 600_000];
    const label = DELIVERY_CHANNEL_LABELS[channel];
    const attempts = delays.length + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const what = await send(this.#o.setup(channel), message, this.#o.timeoutMs ?? 15_000, this.#stop.signal);
        this.#o.log.info(`${label}: "${message.subject}" ${what}${attempt > 1 ? ` (attempt ${attempt})` : ''}.`);
        return;
      } catch (error) {
        const why = this.#why(error);
        const retryable = !(error instanceof DeliveryError) || error.retryable;
        if (!retryable || attempt >= attempts || this.#closed) {
          this.#o.log.error(`${label}: "${message.subject}" (${count} notification${count === 1 ? '' : 's'}) was not delivered after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${why}${retryable ? '' : ' (not retried: trying again would fail the same way)'} The notifications are still listed in the app.`);
          return;
        }
        const asked = error instanceof DeliveryError && error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1_000 : 0;
        const wait = Math.max(delays[attempt - 1]!, asked);
        this.#o.log.warn(`${label}: attempt ${attempt} of ${attempts} to deliver "${message.subject}" failed: ${why} Trying again in ${wait >= 1_000 ? `${Math.round(wait / 1_000)} s` : `${wait} ms`}.`);
        await this.#pause(wait);
        if (this.#closed) {
          this.#o.log.error(`${label}: "${message.subject}" (${count} notification${count === 1 ? '' : 's'}) was not delivered: Thetadesk shut down before attempt ${attempt + 1}. The notifications are still listed in the app.`);
          return;
        }
      }
    }
  }

  /** Waits `ms` on the clock, or until shut-down. */
  #pause(ms: number): Promise<void> {
    const signal = this.#stop.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.#o.clock.setTimer(this.#o.clock.now() + ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        timer.cancel();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #why(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return this.#o.redact(error instanceof DeliveryError ? text : `unexpected failure (${text}).`);
  }
}

const plural = (n: number, kind: NotificationKind) => `${n} ${NOTIFICATION_KIND_LABELS[kind].toLowerCase().replace(/s$/, n === 1 ? '' : 's')}`;

/** One notification as itself; several as one digest that says what it coalesced. */
export function compose(items: Delivered[], uncounted: Map<NotificationKind, number> = new Map(), maxPerMinute?: number): OutgoingMessage {
  if (items.length === 1 && uncounted.size === 0) {
    const n = items[0]!;
    return { subject: `Thetadesk: ${n.title}`, text: `${n.body}\n\n${NOTIFICATION_KIND_LABELS[n.kind].replace(/s$/, '')} · ${n.level} · ${etDateTime(n.time)} ET` };
  }
  const counts = new Map<NotificationKind, number>();
  for (const n of items) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  for (const [k, v] of uncounted) counts.set(k, (counts.get(k) ?? 0) + v);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const summary = NOTIFICATION_KINDS.filter((k) => counts.has(k)).map((k) => plural(counts.get(k)!, k)).join(', ');
  const line = (n: Delivered) => `[${etTime(n.time)}] ${n.title} — ${n.body}`;
  const errors = items.filter((n) => n.kind === 'error');
  const others = items.filter((n) => n.kind !== 'error');
  const shown = others.slice(0, DIGEST_LINES);
  const notListed = total - errors.length - shown.length;
  const first = items[0]!.time;
  const last = items[items.length - 1]!.time;
  const text = [
    `${total} notifications (${summary}) from ${etDateTime(first)} to ${etTime(last)}, coalesced into this one message${maxPerMinute ? ` (at most ${maxPerMinute} a minute per channel)` : ''}.`,
    ...(errors.length ? ['', `Errors (${errors.length}):`, ...errors.map(line)] : []),
    ...(shown.length ? ['', errors.length ? 'Also:' : 'Notifications:', ...shown.map(line)] : []),
    ...(notListed > 0 ? ['', `…and ${notListed} more not listed here (every one is on the Overview page and in the log).`] : []),
  ].join('\n');
  return { subject: `Thetadesk: ${summary}`, text };
}
