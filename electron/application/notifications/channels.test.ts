import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../../shared/domain/notifications.ts';
import { startSmtp, startWebhooks, type LocalSmtp, type LocalWebhooks } from '../../../tests/helpers/notify-receivers.ts';
import { DeliveryError, send, type ChannelSetup } from './channels.ts';

const PASSWORD = 'smtp-pass-Zq81xw';
const BOT_TOKEN = '123456789:AAF-secretBotToken_abcdefghij';
let smtp: LocalSmtp;
let hooks: LocalWebhooks;

beforeAll(async () => {
  smtp = await startSmtp('trader', PASSWORD);
  hooks = await startWebhooks(BOT_TOKEN);
});
afterAll(async () => {
  await smtp.close();
  await hooks.close();
});

const emailConfig = (port: number) => ({ ...DEFAULT_DELIVERY.email, enabled: true, host: '127.0.0.1', port, user: 'trader', from: 'desk@example.com', to: ['me@example.com', 'risk@example.com'] });
const email = (over: Partial<ChannelSetup & { channel: 'email' }> = {}): ChannelSetup => ({
  channel: 'email',
  config: emailConfig(smtp.port),
  password: PASSWORD,
  ...over,
});
const message = { subject: 'Thetadesk: Entry filled', text: 'Trade 7 (SPX call): 1 at $4.10 credit — both legs filled.' };

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
}

describe('e-mail over SMTP (a local smtp-server)', () => {
  it('arrives with its subject and body, from the sender to every recipient, after logging in', async () => {
    const before = smtp.mails.length;
    const what = await send(email(), message, 5_000);
    expect(what).toBe(`delivered to 127.0.0.1:${smtp.port} for 2 recipients`);
    expect(smtp.mails.length).toBe(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail).toMatchObject({ from: 'desk@example.com', to: ['me@example.com', 'risk@example.com'], subject: 'Thetadesk: Entry filled', user: 'trader', tls: true });
    expect(mail.text).toBe(message.text);
  });

  it('a password is sent only over TLS, to this computer too: a server without STARTTLS never sees it', async () => {
    const clear = await startSmtp('trader', PASSWORD, { starttls: false });
    try {
      const e = await failure(send(email({ config: emailConfig(clear.port) }), message, 5_000));
      expect(e.message).toMatch(new RegExp(`^The SMTP server 127\\.0\\.0\\.1:${clear.port} does not offer STARTTLS \\(.*\\), and Thetadesk sends a password only over TLS: use the server's TLS port \\(465, "TLS from the start"\\) or its STARTTLS port \\(587\\)\\.$`));
      expect(e.retryable).toBe(false);
      expect(clear.logins).toEqual({ total: 0, inClear: 0 });
      expect(clear.mails).toEqual([]);
    } finally {
      await clear.close();
    }
  });

  it('a wrong password is a clear, final error that names the server and the user, never the password', async () => {
    const failures = smtp.authFailures;
    const e = await failure(send(email({ password: 'wrong-password-123' }), message, 5_000));
    expect(e.message).toMatch(new RegExp(`^The SMTP server 127\\.0\\.0\\.1:${smtp.port} refused the user name or password for "trader" \\(.*535.*\\)\\. Check them on the Settings page\\.$`));
    expect(e.retryable).toBe(false);
    expect(e.message).not.toContain('wrong-password-123');
    expect(smtp.authFailures).toBe(failures + 1);
  });

  it('a closed port and a port where something else listens fail alike: retryable, naming host and port, telling nothing more (no port scanning)', async () => {
    const closed = await startSmtp('x', 'y');
    const port = closed.port;
    await closed.close();
    const noAuth = (p: number) => email({ config: { ...emailConfig(p), user: '' } });
    const generic = (p: number) => `Could not deliver to the SMTP server 127.0.0.1:${p}: no SMTP server answered there (the connection was refused, dropped or timed out, TLS failed, or another kind of service listens there). Check the host, port and TLS setting (465 usually needs "TLS from the start", 587 and 25 STARTTLS), and that the server is up.`;
    const refused = await failure(send(noAuth(port), message, 300));
    expect(refused.message).toBe(generic(port));
    expect(refused.retryable).toBe(true);
    // An HTTP server (it waits for the client to speak) and a TLS-only expectation against plain SMTP.
    expect((await failure(send(noAuth(hooks.port), message, 300))).message).toBe(generic(hooks.port));
    expect((await failure(send(email({ config: { ...emailConfig(smtp.port), secure: true } }), message, 300))).message).toBe(generic(smtp.port));
  });

  it('an SMTP host that is link-local (a cloud metadata address) is refused before connecting', async () => {
    const e = await failure(send(email({ config: { ...emailConfig(smtp.port), host: '169.254.169.254' } }), message, 5_000));
    expect(e.message).toBe('The SMTP host must not point at a link-local or unspecified address (169.254.0.0/16, fe80::/10, 0.0.0.0, ::), where cloud metadata services answer.');
    expect(e.retryable).toBe(false);
  });

  it('an incomplete setup says what is missing, before connecting', async () => {
    const e = await failure(send(email({ config: { ...DEFAULT_DELIVERY.email, enabled: true, host: '', user: 'trader', to: [] }, password: null } as Partial<ChannelSetup & { channel: 'email' }>), message, 5_000));
    expect(e.message).toBe('E-mail needs an SMTP host, a From address, at least one recipient, the password of its user.');
  });
});

describe('Slack-style incoming webhook (a local HTTP receiver)', () => {
  it('POSTs JSON { text } and takes "200 ok" as delivered', async () => {
    const before = hooks.posts.length;
    const what = await send({ channel: 'slack', webhookUrl: `${hooks.url}/services/T000/B000/XXXXsecret` }, message, 5_000);
    expect(what).toBe('delivered to the Slack webhook');
    const post = hooks.posts[before]!;
    expect(post.path).toBe('/services/T000/B000/XXXXsecret');
    expect(post.contentType).toBe('application/json');
    expect(post.body).toEqual({ text: `*${message.subject}*\n${message.text}` });
  });

  it('a URL that is not https (e.g. from the environment) is refused before anything is sent, without repeating it', async () => {
    const e = await failure(send({ channel: 'slack', webhookUrl: 'http://hooks.example.com/services/XXXXsecret' }, message, 5_000));
    expect(e.message).toBe('The Slack webhook URL must use https:// (plain http:// is allowed only to this computer: localhost, 127.0.0.1).');
  });

  it('a closed port and a port where something else listens (an SMTP server) fail alike, and a page that is not Slack\'s is not quoted', async () => {
    const closed = await startSmtp('x', 'y');
    const port = closed.port;
    await closed.close();
    const generic = (p: number) => `Could not deliver to Slack at 127.0.0.1:${p}: no web service answered there (the connection was refused, dropped or timed out, TLS failed, or another kind of service listens there). Check the address, and that the receiver is up.`;
    const refused = await failure(send({ channel: 'slack', webhookUrl: `http://127.0.0.1:${port}/services/x` }, message, 300));
    expect(refused.message).toBe(generic(port));
    expect(refused.retryable).toBe(true);
    expect((await failure(send({ channel: 'slack', webhookUrl: `http://127.0.0.1:${smtp.port}/services/x` }, message, 300))).message).toBe(generic(smtp.port));
    const page = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>internal admin page: build 7.2.1</html>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    try {
      const e = await failure(send({ channel: 'slack', webhookUrl: `http://127.0.0.1:${(page.address() as AddressInfo).port}/services/x` }, message, 2_000));
      expect(e.message).toBe('The Slack webhook refused the message: HTTP 404.');
    } finally {
      await new Promise((resolve) => page.close(resolve));
    }
  });

  it('a link-local webhook URL (a cloud metadata address) is refused before anything is sent', async () => {
    const e = await failure(send({ channel: 'slack', webhookUrl: 'https://169.254.169.254/latest/meta-data/iam' }, message, 5_000));
    expect(e.message).toBe('The Slack webhook URL must not point at a link-local or unspecified address (169.254.0.0/16, fe80::/10, 0.0.0.0, ::), where cloud metadata services answer.');
  });

  it('a refusal says the status and Slack\'s word, never the URL', async () => {
    const e = await failure(send({ channel: 'slack', webhookUrl: `${hooks.url}/wrong/XXXXsecret` }, message, 5_000));
    expect(e.message).toBe('The Slack webhook refused the message: HTTP 404 no_service.');
    expect(e.retryable).toBe(false);
  });
});

describe('Telegram Bot API sendMessage (a local HTTP receiver)', () => {
  const telegram = (botToken: string): ChannelSetup => ({ channel: 'telegram', config: { ...DEFAULT_DELIVERY.telegram, enabled: true, chatId: '-1001234567890', apiUrl: hooks.url }, botToken });

  it('POSTs { chat_id, text } to /bot<token>/sendMessage and reads { ok: true }', async () => {
    const before = hooks.posts.length;
    expect(await send(telegram(BOT_TOKEN), message, 5_000)).toBe('delivered to the Telegram chat');
    const post = hooks.posts[before]!;
    expect(post.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(post.body).toEqual({ chat_id: '-1001234567890', text: `${message.subject}\n${message.text}` });
  });

  it('a long digest is cut to Telegram\'s 4096 characters instead of being refused', async () => {
    const before = hooks.posts.length;
    await send(telegram(BOT_TOKEN), { subject: 'Thetadesk: digest', text: 'x'.repeat(10_000) }, 5_000);
    const text = (hooks.posts[before]!.body as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/cut: the full text is in the app\)$/);
  });

  it('a wrong token: Telegram\'s 401 with a hint, and neither token appears', async () => {
    const wrong = '987654321:BBwrongTokenWrongToken_zzzzzz';
    const e = await failure(send(telegram(wrong), message, 5_000));
    expect(e.message).toBe('Telegram refused the message: 401 Unauthorized. Check the bot token.');
    expect(e.retryable).toBe(false);
    expect(e.message).not.toContain(wrong);
  });

  it('a link-local API address (e.g. a saved row from before the check) is refused before the token is sent', async () => {
    const e = await failure(send({ channel: 'telegram', config: { ...DEFAULT_DELIVERY.telegram, enabled: true, chatId: '1', apiUrl: 'https://169.254.169.254' }, botToken: BOT_TOKEN }, message, 5_000));
    expect(e.message).toBe('The Telegram API address must not point at a link-local or unspecified address (169.254.0.0/16, fe80::/10, 0.0.0.0, ::), where cloud metadata services answer.');
  });

  it('a receiver that hangs fails like any connection (a timeout tells a port scan nothing more), retryable', async () => {
    hooks.mode = 'hang';
    try {
      const e = await failure(send(telegram(BOT_TOKEN), message, 200));
      expect(e.message).toBe(`Could not deliver to Telegram at 127.0.0.1:${hooks.port}: no web service answered there (the connection was refused, dropped or timed out, TLS failed, or another kind of service listens there). Check the address, and that the receiver is up.`);
      expect(e.retryable).toBe(true);
    } finally {
      hooks.mode = 'ok';
    }
  });
});
