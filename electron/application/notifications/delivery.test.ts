import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY, type DeliveryConfig } from '../../../shared/domain/notifications.ts';
import { startWebhooks, until, type LocalWebhooks } from '../../../tests/helpers/notify-receivers.ts';
import { SystemClock, VirtualClock, type Clock } from '../../engine/clock.ts';
import { LogHub } from '../logs/hub.ts';
import { NotificationDelivery, type Delivered, type DeliveryOptions } from './delivery.ts';

const T0 = Date.UTC(2026, 2, 18, 14, 0); // 10:00 ET
const BOT_TOKEN = '123456789:AAF-secretBotToken_abcdefghij';
const HOOK_PATH = '/services/T000/B000/hookSecretXYZ';
let hooks: LocalWebhooks;

beforeAll(async () => {
  hooks = await startWebhooks(BOT_TOKEN);
});
afterAll(() => hooks.close());
afterEach(() => {
  hooks.mode = 'ok';
  hooks.posts.length = 0;
});

function slackOnly(maxPerMinute: number): DeliveryConfig {
  return { ...DEFAULT_DELIVERY, slack: { enabled: true, kinds: DEFAULT_DELIVERY.slack.kinds }, throttle: { maxPerMinute } };
}

function make(clock: Clock, config: DeliveryConfig, over: Partial<DeliveryOptions> = {}) {
  const logs = new LogHub(() => clock.now());
  logs.addSecret(`${hooks.url}${HOOK_PATH}`);
  const delivery = new NotificationDelivery({
    config: () => config,
    setup: (channel) =>
      channel === 'slack'
        ? { channel, webhookUrl: `${hooks.url}${HOOK_PATH}` }
        : channel === 'telegram'
          ? { channel, config: { ...config.telegram, apiUrl: hooks.url }, botToken: BOT_TOKEN }
          : { channel, config: config.email, password: null },
    clock,
    log: logs.logger('notify'),
    redact: (t) => logs.redact(t),
    ...over,
  });
  return { delivery, logs };
}

const fill = (i: number, time: number): Delivered => ({ kind: 'fill', level: 'info', title: 'Entry filled', body: `Trade ${i} (SPY call): 1 at $0.85 credit.`, time });
const anError = (time: number): Delivered => ({ kind: 'error', level: 'error', title: 'Order rejected', body: 'Order T-26 rejected by the broker: margin.', time });
const textOf = (i: number) => (hooks.posts[i]!.body as { text: string }).text;

/** How many notifications of each kind a message says it holds (a single one: 1 of its kind). */
function counted(text: string): { fills: number; errors: number } {
  const subject = /^\*Thetadesk: (.*)\*$/m.exec(text)![1]!;
  const n = (re: RegExp) => Number(re.exec(subject)?.[1] ?? 0);
  if (subject === 'Entry filled') return { fills: 1, errors: 0 };
  if (subject === 'Order rejected') return { fills: 0, errors: 1 };
  return { fills: n(/(\d+) fills?/), errors: n(/(\d+) errors?/) };
}

describe('throttling', () => {
  it('a burst of 50 fills and an error at once: one digest that says what it coalesced, the error in full', async () => {
    const clock = new VirtualClock(T0);
    const { delivery } = make(clock, slackOnly(4));
    const attempts = hooks.attempts;
    for (let i = 1; i <= 50; i++) {
      delivery.deliver(fill(i, T0));
      if (i === 25) delivery.deliver(anError(T0));
    }
    expect(hooks.attempts).toBe(attempts); // queued only
    clock.advanceTo(T0 + 2_000);
    await delivery.idle();
    expect(hooks.posts.length).toBe(1);
    const text = textOf(0);
    expect(text).toMatch(/^\*Thetadesk: 50 fills, 1 error\*\n51 notifications \(50 fills, 1 error\) from 2026-03-18 10:00:00 to 10:00:00 ET, coalesced into this one message \(at most 4 a minute per channel\)\./);
    expect(text).toContain('Errors (1):\n[10:00:00 ET] Order rejected — Order T-26 rejected by the broker: margin.');
    expect(text).toContain('[10:00:00 ET] Entry filled — Trade 25 (SPY call)');
    expect(text).toContain('…and 25 more not listed here');
    expect(delivery.pending).toBe(0);
  });

  it('50 fills a second apart with an error among them: never more than the limit in any minute, nothing lost, the error delivered', async () => {
    const clock = new VirtualClock(T0);
    const { delivery } = make(clock, slackOnly(3));
    const sentAt: number[] = [];
    const step = async (to: number) => {
      const before = hooks.posts.length;
      clock.advanceTo(to);
      await delivery.idle();
      for (let i = before; i < hooks.posts.length; i++) sentAt.push(clock.now());
    };
    for (let i = 0; i < 50; i++) {
      await step(T0 + i * 1_000);
      delivery.deliver(fill(i + 1, clock.now()));
      if (i === 30) delivery.deliver(anError(clock.now()));
    }
    for (let t = T0 + 50_000; t <= T0 + 5 * 60_000; t += 1_000) await step(t);
    expect(delivery.pending).toBe(0);
    for (const t of sentAt) expect(sentAt.filter((s) => s > t - 60_000 && s <= t).length).toBeLessThanOrEqual(3);
    const totals = hooks.posts.map((_, i) => counted(textOf(i))).reduce((a, b) => ({ fills: a.fills + b.fills, errors: a.errors + b.errors }));
    expect(totals).toEqual({ fills: 50, errors: 1 });
    expect(hooks.posts.some((_, i) => textOf(i).includes('Order T-26 rejected by the broker: margin.'))).toBe(true);
    // 50 s of fills at 3 a minute: a handful of messages, not 51.
    expect(hooks.posts.length).toBeLessThanOrEqual(4);
  });

  it('kinds not routed to a channel are not sent there', async () => {
    const clock = new VirtualClock(T0);
    const config = { ...slackOnly(4), slack: { enabled: true, kinds: ['error' as const] } };
    const { delivery } = make(clock, config);
    const attempts = hooks.attempts;
    delivery.deliver(fill(1, T0));
    clock.advanceTo(T0 + 5_000);
    await delivery.idle();
    expect(hooks.attempts).toBe(attempts);
    expect(delivery.pending).toBe(0);
  });
});

describe('a receiver that is down or slow', () => {
  it('a failing receiver is retried with backoff, then the failure is logged (without the URL), and the next message goes through', async () => {
    hooks.mode = 'fail';
    const attempts = hooks.attempts;
    const { delivery, logs } = make(new SystemClock(), slackOnly(10), { gatherMs: 0, retryDelaysMs: [20, 40] });
    delivery.deliver(anError(T0));
    expect(hooks.attempts).toBe(attempts); // queued only: sending happens later
    await until(() => logs.list(100).some((e) => e.level === 'error'), 'the failure to be logged');
    expect(hooks.attempts - attempts).toBe(3);
    const lines = logs.list(100).map((e) => `${e.level} ${e.message}`);
    expect(lines).toEqual([
      'warn Slack webhook: attempt 1 of 3 to deliver "Thetadesk: Order rejected" failed: The Slack webhook refused the message: HTTP 500 internal_error. Trying again in 20 ms.',
      'warn Slack webhook: attempt 2 of 3 to deliver "Thetadesk: Order rejected" failed: The Slack webhook refused the message: HTTP 500 internal_error. Trying again in 40 ms.',
      'error Slack webhook: "Thetadesk: Order rejected" (1 notification) was not delivered after 3 attempts: The Slack webhook refused the message: HTTP 500 internal_error. The notifications are still listed in the app.',
    ]);
    hooks.mode = 'ok';
    delivery.deliver(fill(1, T0));
    await until(() => hooks.posts.length === 1, 'the next message');
    expect(JSON.stringify(logs.list(100))).not.toContain('hookSecretXYZ');
  });

  it('a receiver that hangs does not hold up the caller: deliver returns at once, the send times out, is retried, and what queued meanwhile goes out as one digest', async () => {
    hooks.mode = 'hang';
    const attempts = hooks.attempts;
    // Several retries: under load a retry may still meet the hanging receiver before it answers again.
    const { delivery, logs } = make(new SystemClock(), slackOnly(10), { gatherMs: 0, retryDelaysMs: [10, 10, 10, 10, 10], timeoutMs: 150 });
    delivery.deliver(anError(T0));
    await until(() => hooks.attempts > attempts, 'the first attempt to reach the receiver');
    // While the receiver holds the request, notifications keep being accepted at once.
    for (let i = 1; i <= 40; i++) delivery.deliver(fill(i, T0 + i));
    expect(delivery.pending).toBe(40);
    expect(hooks.posts.length).toBe(0);
    hooks.mode = 'ok';
    await until(() => hooks.posts.length === 1, 'the digest after the outage');
    await delivery.idle();
    expect(logs.list(100).map((e) => e.message)).toContain(`Slack webhook: attempt 1 of 6 to deliver "Thetadesk: Order rejected" failed: Could not deliver to Slack at 127.0.0.1:${hooks.port}: no web service answered there (the connection was refused, dropped or timed out, TLS failed, or another kind of service listens there). Check the address, and that the receiver is up. Trying again in 10 ms.`);
    // The retry of the error went through once the receiver answered; then the 40 fills as one digest.
    await until(() => hooks.posts.length === 2, 'the digest of the fills');
    expect(textOf(0)).toContain('Order T-26 rejected');
    expect(textOf(1)).toMatch(/^\*Thetadesk: 40 fills\*/);
  });
});

describe('shut-down', () => {
  it('ends an attempt under way and a wait before a retry at once, and logs what was not delivered', async () => {
    hooks.mode = 'hang';
    const attempts = hooks.attempts;
    const { delivery, logs } = make(new SystemClock(), slackOnly(10), { gatherMs: 0, retryDelaysMs: [600_000], timeoutMs: 600_000 });
    delivery.deliver(anError(T0));
    await until(() => hooks.attempts > attempts, 'the attempt to reach the receiver');
    delivery.deliver(fill(1, T0));
    delivery.close();
    await delivery.idle();
    expect(logs.list(100).map((e) => `${e.level} ${e.message}`)).toEqual([
      'warn Slack webhook: 1 notification not sent before shut-down (they are in the app\'s list).',
      'error Slack webhook: "Thetadesk: Order rejected" (1 notification) was not delivered after 1 attempt: Slack: sending was stopped because Thetadesk is shutting down. The notifications are still listed in the app.',
    ]);
  });

  it('a wait before a retry ends at shut-down', async () => {
    hooks.mode = 'fail';
    const { delivery, logs } = make(new SystemClock(), slackOnly(10), { gatherMs: 0, retryDelaysMs: [600_000] });
    delivery.deliver(anError(T0));
    await until(() => logs.list(100).some((e) => e.level === 'warn'), 'the first failure');
    delivery.close();
    await delivery.idle();
    expect(logs.list(100).at(-1)!.message).toBe('Slack webhook: "Thetadesk: Order rejected" (1 notification) was not delivered: Thetadesk shut down before attempt 2. The notifications are still listed in the app.');
  });
});

describe('test notification', () => {
  it('reports success, or the exact failure, per channel — no retries, no rate limit', async () => {
    const clock = new VirtualClock(T0);
    const config: DeliveryConfig = { ...slackOnly(1), telegram: { ...DEFAULT_DELIVERY.telegram, enabled: true, chatId: '42', apiUrl: hooks.url } };
    const { delivery } = make(clock, config);
    expect(await delivery.test()).toEqual([
      { channel: 'slack', ok: true, message: 'Sent: delivered to the Slack webhook.' },
      { channel: 'telegram', ok: true, message: 'Sent: delivered to the Telegram chat.' },
    ]);
    expect(await delivery.test('email')).toEqual([{ channel: 'email', ok: false, message: 'E-mail needs an SMTP host, a From address, at least one recipient.' }]);
    hooks.mode = 'fail';
    expect(await delivery.test('slack')).toEqual([{ channel: 'slack', ok: false, message: 'The Slack webhook refused the message: HTTP 500 internal_error.' }]);
    await expect(make(clock, DEFAULT_DELIVERY).delivery.test()).rejects.toThrow('no notification channel is turned on');
  });
});
