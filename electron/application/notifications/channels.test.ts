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
      expect(e.message).toMatch(new RegExp(`^TLS with 127\\.0\\.0\\.1:${clear.port} failed`));
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

  it('a server that is not there is a retryable error naming host and port', async () => {
    const closed = await startSmtp('x', 'y');
    const port = closed.port;
    await closed.close();
    const e = await failure(send(email({ config: { ...DEFAULT_DELIVERY.email, enabled: true, host: '127.0.0.1', port, user: '', from: 'a@example.com', to: ['b@example.com'] } } as Partial<ChannelSetup & { channel: 'email' }>), message, 5_000));
    expect(e.message).toMatch(new RegExp(`Could not talk to the SMTP server 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)`));
    expect(e.retryable).toBe(true);
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

  it('a receiver that hangs is a timeout, retryable', async () => {
    hooks.mode = 'hang';
    try {
      const e = await failure(send(telegram(BOT_TOKEN), message, 200));
      expect(e.message).toBe('Telegram did not answer within 200 ms.');
      expect(e.retryable).toBe(true);
    } finally {
      hooks.mode = 'ok';
    }
  });
});
