/**
 * Notification delivery through a real Workstation (SQLite file, log files in a temp data folder):
 * the settings as the Settings page saves them (validated, secrets write-only, kept across a restart
 * with the desktop's encrypted secret store), `notifications.test` against a local SMTP server and a
 * local webhook receiver, the engine's notifications delivered by kind, and the secrets found nowhere:
 * not in settings.get, the log (memory and files), the database, exports or any error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_KINDS, type MethodInput, type MethodName, type MethodOutput } from '../../shared/api.ts';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../electron/app/secrets.ts';
import { dispatch } from '../../electron/application/rpc.ts';
import { openLogFolder } from '../../electron/application/logs/file.ts';
import { Notifier } from '../../electron/application/notifications/notifier.ts';
import { MemorySecretStore } from '../../electron/application/settings/settings.ts';
import { openWorkstation, type Workstation } from '../../electron/application/workstation.ts';
import { brokerFromEnv } from '../../electron/application/broker/setup.ts';
import { SystemClock } from '../../electron/engine/clock.ts';
import { etToEpoch } from '../../shared/time/et.ts';
import { tempDir } from '../store/fixtures.ts';
import { startSmtp, startWebhooks, until, type LocalSmtp, type LocalWebhooks } from '../helpers/notify-receivers.ts';

const PASSWORD = 'Smtp-Pw-9f3KqXz7';
const BOT_TOKEN = '555000111:AAH-tgSecretToken_qwertyuiopas';
const HOOK_SECRET = 'T0001/B0002/slackSecretHookPart';
let smtp: LocalSmtp;
let hooks: LocalWebhooks;
let ws: Workstation | null = null;

beforeAll(async () => {
  smtp = await startSmtp('desk', PASSWORD);
  hooks = await startWebhooks(BOT_TOKEN);
});
afterAll(async () => {
  await smtp.close();
  await hooks.close();
});
afterEach(async () => {
  await ws?.close();
  ws = null;
  hooks.mode = 'ok';
});

/** Electron's safeStorage stand-in (XOR), so the secrets file on disk is ciphertext as in the app. */
function safeStorage(): SafeStorageLike {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return { isEncryptionAvailable: () => true, encryptString: (s) => xor(Buffer.from(s, 'utf8')), decryptString: (b) => xor(b).toString('utf8') };
}

async function open(dataDir: string): Promise<Workstation> {
  const { file } = await openLogFolder(dataDir);
  ws = openWorkstation({ clock: new SystemClock(), dataDir, secrets: new SafeStorageSecretStore(safeStorage(), dataDir), logFile: file, backups: false, delivery: { gatherMs: 0, retryDelaysMs: [10], timeoutMs: 2_000 } });
  return ws;
}

const everything = (): MethodInput<'settings.set'> => ({
  delivery: {
    email: { enabled: true, host: '127.0.0.1', port: smtp.port, secure: false, user: 'desk', password: PASSWORD, from: 'thetadesk@example.com', to: ['trader@example.com'], kinds: ['fill', 'error', 'emergency_close'] },
    slack: { enabled: true, webhookUrl: `${hooks.url}/services/${HOOK_SECRET}`, kinds: ['exit', 'error', 'assignment'] },
    telegram: { enabled: true, botToken: BOT_TOKEN, chatId: '-100777', apiUrl: hooks.url, kinds: ['error'] },
    throttle: { maxPerMinute: 6 },
  },
});

/** A call through the dispatcher (validation included) that must succeed. */
async function ok<K extends MethodName>(w: Workstation, method: K, input: unknown): Promise<MethodOutput<K>> {
  const r = await dispatch(w, method, input);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.message}`);
  return r.value as MethodOutput<K>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('delivery settings', () => {
  it('are validated with errors that name the field and say what to do, saving nothing', async () => {
    const w = await open(tempDir('td-notify-'));
    const refused = async (update: unknown) => {
      const r = await dispatch(w, 'settings.set', update);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error.message;
    };
    expect(await refused({ delivery: { slack: { webhookUrl: 'http://hooks.example.com/services/x' } } })).toMatch(/delivery\.slack\.webhookUrl: the webhook URL must use https:\/\/ \(plain http:\/\/ is allowed only to this computer/);
    expect(await refused({ delivery: { slack: { webhookUrl: 'not a url' } } })).toMatch(/delivery\.slack\.webhookUrl: the webhook URL is not a valid URL/);
    expect(await refused({ delivery: { email: { port: 70_000 } } })).toMatch(/delivery\.email\.port: the port must be from 1 to 65535/);
    expect(await refused({ delivery: { email: { to: ['not-an-address'] } } })).toMatch(/delivery\.email\.to\.0: not a valid e-mail address/);
    expect(await refused({ delivery: { telegram: { botToken: 'abc' } } })).toMatch(/delivery\.telegram\.botToken: a Telegram bot token looks like 123456789:AA…/);
    expect(await refused({ delivery: { throttle: { maxPerMinute: 0 } } })).toMatch(/the rate limit is from 1 to 60 messages a minute/);
    const noRecipients = await refused({ delivery: { email: { enabled: true, host: 'smtp.example.com', from: 'a@example.com', user: 'desk', password: PASSWORD } } });
    expect(noRecipients).toBe('delivery.email.to: e-mail notifications need at least one recipient. Nothing was saved.');
    expect(await refused({ delivery: { slack: { enabled: true } } })).toBe('delivery.slack.webhookUrl: the Slack notifications need the incoming webhook URL (https://hooks.slack.com/services/…). Nothing was saved.');
    // The refused update carried a password: it was not stored.
    const get = await ok(w, 'settings.get', {});
    expect(get.delivery.email).toMatchObject({ enabled: false, host: '', passwordSet: false });
    expect(JSON.stringify(w.logs.list(1_000))).not.toContain(PASSWORD);
  });

  it('keep secrets write-only ("set"), survive a restart, and forget a secret given as ""', async () => {
    const dataDir = tempDir('td-notify-');
    let w = await open(dataDir);
    const set = await ok(w, 'settings.set', everything());
    const expected = {
      email: { enabled: true, host: '127.0.0.1', port: smtp.port, secure: false, user: 'desk', from: 'thetadesk@example.com', to: ['trader@example.com'], kinds: ['fill', 'emergency_close', 'error'], passwordSet: true },
      slack: { enabled: true, kinds: ['exit', 'assignment', 'error'], webhookUrlSet: true },
      telegram: { enabled: true, chatId: '-100777', apiUrl: hooks.url, kinds: ['error'], botTokenSet: true },
      throttle: { maxPerMinute: 6 },
    };
    expect(set.delivery).toEqual(expected);
    await w.close();
    w = await open(dataDir);
    const after = await ok(w, 'settings.get', {});
    expect(after.delivery).toEqual(expected);
    // The secrets came back from the encrypted store: a test message goes through on each channel.
    const test = await ok(w, 'notifications.test', {});
    expect(test.map((r) => r.ok)).toEqual([true, true, true]);
    const forget = await ok(w, 'settings.set', { delivery: { telegram: { enabled: false, botToken: '' } } });
    expect(forget.delivery.telegram).toMatchObject({ enabled: false, botTokenSet: false });
    expect(w.logs.list(1_000).map((e) => e.message)).toContain('Telegram bot token forgotten.');
  });
});

describe('stored secrets cannot be redirected', () => {
  it('a new Telegram API address or SMTP server without the secret given again is refused; the listener gets nothing; the log names the hosts', async () => {
    const w = await open(tempDir('td-notify-'));
    await ok(w, 'settings.set', everything());
    const attacker = await startWebhooks('none');
    const listener = await startSmtp('desk', 'anything', { starttls: false });
    try {
      const tg = await dispatch(w, 'settings.set', { delivery: { telegram: { apiUrl: attacker.url } } });
      expect(tg).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^delivery\.telegram\.botToken: the Telegram API address changed \(127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+\), .*enter the bot token again with the new address/) } });
      const mail = await dispatch(w, 'settings.set', { delivery: { email: { host: '127.0.0.1', port: listener.port } } });
      expect(mail).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^delivery\.email\.password: the SMTP server or user changed .*enter the password again with the new server/) } });
      // Nothing was saved: the tests still go where the secrets were given for.
      const test = await ok(w, 'notifications.test', {});
      expect(test.map((r) => r.ok)).toEqual([true, true, true]);
      expect(attacker.attempts).toBe(0);
      expect(listener.logins.total).toBe(0);
      // With the secret given again the change is taken, and said in the log (hosts only).
      await ok(w, 'settings.set', { delivery: { telegram: { apiUrl: attacker.url, botToken: BOT_TOKEN } } });
      expect(w.logs.list(1_000).map((e) => e.message)).toContain(`Telegram bot now goes to 127.0.0.1:${attacker.port} (was 127.0.0.1:${hooks.port}).`);
    } finally {
      await attacker.close();
      await listener.close();
    }
  });
});

describe('after a restart of the headless server (secrets in memory only)', () => {
  it('each channel left on without its secret is said at start: a warning on Overview, in the log and in settings.get', async () => {
    const dataDir = tempDir('td-notify-');
    const headless = () => openWorkstation({ clock: new SystemClock(), dataDir, secrets: new MemorySecretStore(), backups: false, delivery: { gatherMs: 0, retryDelaysMs: [10], timeoutMs: 2_000 } });
    ws = headless();
    await ok(ws, 'settings.set', everything());
    expect((await ok(ws, 'settings.get', {})).warnings).toEqual([]);
    await ws.close();
    ws = headless();
    const expected = [
      'E-mail is on but its SMTP password is not set since the restart (the headless server keeps secrets in memory only): enter it again in Settings or set THETADESK_SMTP_PASSWORD.',
      'Slack webhook is on but its webhook URL is not set since the restart (the headless server keeps secrets in memory only): enter it again in Settings or set THETADESK_SLACK_WEBHOOK_URL.',
      'Telegram bot is on but its bot token is not set since the restart (the headless server keeps secrets in memory only): enter it again in Settings or set THETADESK_TELEGRAM_BOT_TOKEN.',
    ];
    const listed = await ok(ws, 'notifications.list', { limit: 100 });
    expect(listed.map((n) => [n.level, n.body])).toEqual(expect.arrayContaining(expected.map((w) => ['warn', w])));
    const warned = ws.logs.list(1_000).filter((e) => e.level === 'warn').map((e) => e.message);
    for (const w of expected) expect(warned.filter((m) => m.includes(w))).toHaveLength(1);
    const get = await ok(ws, 'settings.get', {});
    expect(get.warnings).toEqual(expected);
    expect(get.delivery.telegram).toMatchObject({ enabled: true, botTokenSet: false });
    // Given again (a change is checked as a whole: each channel left on needs its secret), the warnings go.
    await ok(ws, 'settings.set', { delivery: { email: { password: PASSWORD }, slack: { enabled: false }, telegram: { botToken: BOT_TOKEN } } });
    expect((await ok(ws, 'settings.get', {})).warnings).toEqual([]);
  });
});

describe('notifications.test and delivery', () => {
  it('a test notification arrives by e-mail, Slack and Telegram; each failure is reported exactly', async () => {
    const w = await open(tempDir('td-notify-'));
    expect((await dispatch(w, 'settings.set', everything())).ok).toBe(true);
    const mails = smtp.mails.length;
    const posts = hooks.posts.length;
    const r = await dispatch(w, 'notifications.test', {});
    expect(r).toEqual({
      ok: true,
      value: [
        { channel: 'email', ok: true, message: `Sent: delivered to 127.0.0.1:${smtp.port} for 1 recipient.` },
        { channel: 'slack', ok: true, message: 'Sent: delivered to the Slack webhook.' },
        { channel: 'telegram', ok: true, message: 'Sent: delivered to the Telegram chat.' },
      ],
    });
    expect(smtp.mails.slice(mails).map((m) => [m.subject, m.to])).toEqual([['Thetadesk: test notification', ['trader@example.com']]]);
    expect(smtp.mails.at(-1)!.text).toMatch(/^This is a test notification from Thetadesk, sent \d{4}-\d\d-\d\d \d\d:\d\d:\d\d ET\./);
    expect(hooks.posts.slice(posts).map((p) => p.path)).toEqual([`/services/${HOOK_SECRET}`, `/bot${BOT_TOKEN}/sendMessage`]);

    // A wrong password: the exact reason, and the wrong password is not in it either.
    expect((await dispatch(w, 'settings.set', { delivery: { email: { password: 'Wrong-Pw-000000' } } })).ok).toBe(true);
    const bad = await ok(w, 'notifications.test', { channel: 'email' });
    expect(bad[0]).toMatchObject({ channel: 'email', ok: false });
    expect(bad[0]!.message).toMatch(/^The SMTP server 127\.0\.0\.1:\d+ refused the user name or password for "desk" \(.*535.*\)\. Check them on the Settings page\.$/);
    expect(JSON.stringify(bad)).not.toContain('Wrong-Pw-000000');
    // A channel given by name that is off is still tested (to try it before turning it on); bad input is refused.
    const invalid = await dispatch(w, 'notifications.test', { channel: 'sms' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it("the engine's notifications go to the channels their kind is routed to, without waiting on them", async () => {
    const w = await open(tempDir('td-notify-'));
    expect((await dispatch(w, 'settings.set', everything())).ok).toBe(true);
    const mails = smtp.mails.length;
    const posts = hooks.posts.length;
    // The Workstation's own notifier path, as the engine calls it.
    const notifier = new Notifier({ store: w.store, clock: w.clock, wall: w.clock, log: w.logs.logger('engine'), redact: (t) => w.logs.redact(t), emit: () => {}, delivery: w.delivery });
    notifier.notify({ level: 'info', title: 'Entry filled', body: 'Trade 3 (SPX/SPY): 1 at $4.20 credit.' });
    notifier.notify({ level: 'info', title: 'Exit: assignment-risk', body: 'Trade 3: SPY above its strike + $10.' });
    notifier.notify({ level: 'warn', title: 'Short call assigned', body: 'Trade 3: 1,000 SPY shares delivered; flattening.', kind: 'assignment' });
    await until(() => smtp.mails.length > mails && hooks.posts.length >= posts + 1, 'the deliveries');
    await until(() => w.delivery.pending === 0, 'every queue to drain');
    await w.delivery.idle();
    expect(smtp.mails.slice(mails).map((m) => m.subject)).toEqual(['Thetadesk: Entry filled']);
    expect(smtp.mails.at(-1)!.text).toContain('Trade 3 (SPX/SPY): 1 at $4.20 credit.');
    const slack = hooks.posts.slice(posts).filter((p) => p.path.startsWith('/services/')).map((p) => (p.body as { text: string }).text);
    // The exit and the assignment (routed to Slack); the fill is e-mail only; nothing went to Telegram (errors only).
    expect(slack.join('\n')).toContain('SPY above its strike + $10.');
    expect(slack.join('\n')).toContain('1,000 SPY shares delivered');
    expect(slack.join('\n')).not.toContain('Entry filled');
    expect(hooks.posts.slice(posts).filter((p) => p.path.startsWith('/bot'))).toEqual([]);
  });

  it('secrets appear nowhere: settings.get, logs (memory and files), the database, exports, notifications, errors', async () => {
    const dataDir = tempDir('td-notify-');
    const w = await open(dataDir);
    const texts: string[] = [];
    texts.push(JSON.stringify(await dispatch(w, 'settings.set', everything())));
    texts.push(JSON.stringify(await dispatch(w, 'settings.get', {})));
    // Refusals that carry secrets.
    texts.push(JSON.stringify(await dispatch(w, 'settings.set', { delivery: { slack: { webhookUrl: `ftp://x/${HOOK_SECRET}` } } })));
    texts.push(JSON.stringify(await dispatch(w, 'settings.set', { delivery: { telegram: { botToken: `${BOT_TOKEN} ` } } })));
    texts.push(JSON.stringify(await dispatch(w, 'settings.set', { delivery: { email: { password: PASSWORD, enabled: true, to: [] } } })));
    // Failures while sending: the receiver refuses, a body that quotes the secrets.
    hooks.mode = 'fail';
    texts.push(JSON.stringify(await dispatch(w, 'notifications.test', {})));
    const notifier = new Notifier({ store: w.store, clock: w.clock, wall: w.clock, log: w.logs.logger('engine'), redact: (t) => w.logs.redact(t), emit: () => {}, delivery: w.delivery });
    notifier.notify({ level: 'error', title: 'Engine error', body: `a message quoting ${PASSWORD} and ${BOT_TOKEN} and ${hooks.url}/services/${HOOK_SECRET}` });
    const givenUp = () => w.logs.list(5_000).filter((e) => e.level === 'error' && e.message.includes('was not delivered after 2 attempts')).length;
    await until(() => givenUp() === 2, 'the Slack and Telegram failures to be logged');
    hooks.mode = 'ok';
    const lines = w.logs.list(5_000).map((e) => e.message);
    expect(lines).toContain('SMTP password stored (encrypted with the OS keychain).');
    expect(lines).toContain('Telegram bot: "Thetadesk: Engine error" (1 notification) was not delivered after 2 attempts: Telegram refused the message: 500 internal_error. The notifications are still listed in the app.');
    texts.push(JSON.stringify(await dispatch(w, 'logs.list', { limit: 5_000 })));
    texts.push(JSON.stringify(await dispatch(w, 'notifications.list', { limit: 100 })));
    for (const kind of EXPORT_KINDS) texts.push(JSON.stringify(await dispatch(w, 'export.csv', { kind, from: '2026-01-01', to: '2027-12-31' })));
    await w.close();
    ws = null;
    for (const f of filesUnder(dataDir)) texts.push(readFileSync(f).toString('latin1'));
    const leaks = texts.flatMap((t, i) => [PASSWORD, BOT_TOKEN, HOOK_SECRET, BOT_TOKEN.split(':')[1]!].filter((secret) => t.includes(secret)).map((secret) => `text ${i} holds ${secret.slice(0, 6)}…: ${t.slice(Math.max(0, t.indexOf(secret) - 120), t.indexOf(secret)).replace(/[^\x20-\x7e]/g, '.')}`));
    expect(leaks).toEqual([]);
  });

  it('a fill on the simulated market reaches the webhook as the engine reports it', async () => {
    const start = '2026-01-20';
    const clock = new SystemClock();
    const dataDir = tempDir('td-notify-');
    ws = openWorkstation({ clock, dataDir, backups: false, broker: brokerFromEnv('sim', { THETADESK_SIM_START: start, THETADESK_SIM_SPEED: '1' }, clock), delivery: { gatherMs: 0 } });
    const w = ws;
    await ok(w, 'settings.set', { delivery: { slack: { enabled: true, webhookUrl: `${hooks.url}/services/${HOOK_SECRET}`, kinds: ['fill', 'emergency_close'] } } });
    const posts = hooks.posts.length;
    await w.advanceSimulation(etToEpoch(start, '09:31'));
    await ok(w, 'engine.start', {});
    await w.advanceSimulation(etToEpoch(start, '11:00'));
    const kept = await ok(w, 'notifications.list', { limit: 100 });
    const filled = kept.find((n) => n.title === 'Entry filled');
    expect(filled, `notifications: ${kept.map((n) => n.title).join(', ')}`).toBeDefined();
    await until(() => hooks.posts.slice(posts).some((p) => (p.body as { text: string }).text.includes(filled!.body)), 'the fill on the webhook');
  }, 60_000);
});
