import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../../shared/domain/notifications.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import { LogHub } from '../logs/hub.ts';
import { deliveryConfig, DELIVERY_KEY, describeDestinationChanges, planDeliveryChange } from './delivery.ts';
import { MemorySecretStore } from './settings.ts';

const T0 = Date.UTC(2026, 0, 20, 15);
const closers: { close(): unknown }[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c.close();
});

function store() {
  const s = openTemp();
  closers.push(s);
  return s;
}

describe('saved delivery settings', () => {
  it('an older row missing fields reads them with their defaults', () => {
    const s = store();
    s.settings.set(DELIVERY_KEY, { slack: { enabled: false } }, T0);
    expect(deliveryConfig(s)).toEqual(DEFAULT_DELIVERY);
  });

  it('a damaged row reads as every channel off, and the log says which field and what to do', () => {
    const s = store();
    const hub = new LogHub(() => T0);
    s.settings.set(DELIVERY_KEY, { email: { port: 'twenty-five' } }, T0);
    expect(deliveryConfig(s, hub.logger('notify'))).toEqual(DEFAULT_DELIVERY);
    expect(hub.list(10).map((e) => e.message)).toEqual([expect.stringMatching(/^The saved notification delivery settings are invalid \(email\.port: .*\); e-mail and webhooks are off until they are saved again\.$/)]);
  });

  it('a change is checked as a whole: a channel turned on must be able to send (secrets already stored count)', () => {
    const s = store();
    const secrets = new MemorySecretStore();
    expect(() => planDeliveryChange(s, secrets, { telegram: { enabled: true } })).toThrow(
      'delivery.telegram.botToken: the Telegram notifications need the bot token (from BotFather); delivery.telegram.chatId: the Telegram notifications need the chat id to send to. Nothing was saved.',
    );
    secrets.set('notify.telegram.token', '123456789:AAbcdefghijklmnopqrstuvwxyz');
    expect(planDeliveryChange(s, secrets, { telegram: { enabled: true, chatId: '42' } })).toMatchObject({ changed: true, secrets: [] });
    // Forgetting the token of a channel that stays on is refused.
    s.settings.set(DELIVERY_KEY, { ...DEFAULT_DELIVERY, telegram: { ...DEFAULT_DELIVERY.telegram, enabled: true, chatId: '42' } }, T0);
    expect(() => planDeliveryChange(s, secrets, { telegram: { botToken: '' } })).toThrow(/delivery\.telegram\.botToken/);
  });
});

describe('a stored secret is never sent somewhere new without being given again', () => {
  const PASSWORD = 'Smtp-Pw-stored-123';
  const TOKEN = '123456789:AAbcdefghijklmnopqrstuvwxyz';
  function saved() {
    const s = store();
    const secrets = new MemorySecretStore();
    secrets.set('notify.smtp.password', PASSWORD);
    secrets.set('notify.telegram.token', TOKEN);
    s.settings.set(DELIVERY_KEY, { ...DEFAULT_DELIVERY, email: { ...DEFAULT_DELIVERY.email, enabled: true, host: 'smtp.example.com', port: 587, user: 'trader', from: 'a@example.com', to: ['b@example.com'] }, telegram: { ...DEFAULT_DELIVERY.telegram, enabled: true, chatId: '42' } }, T0);
    return { s, secrets };
  }

  it.each([
    ['the SMTP host', { email: { host: '127.0.0.1' } }],
    ['the SMTP port', { email: { port: 2525 } }],
    ['TLS from the start', { email: { secure: true } }],
    ['the SMTP user', { email: { user: 'someone-else' } }],
  ])('changing %s with the password stored and not given again is refused, saving nothing', (_what, update) => {
    const { s, secrets } = saved();
    expect(() => planDeliveryChange(s, secrets, update)).toThrow(
      /^delivery\.email\.password: the SMTP server or user changed \(.*\), and the stored password is never sent to a new server or user unasked — enter the password again with the new server \(or give "" to forget it\)\. Nothing was saved\.$/,
    );
    expect(secrets.get('notify.smtp.password')).toBe(PASSWORD);
    // Given again in the same change, it is taken.
    expect(planDeliveryChange(s, secrets, { email: { ...update.email, password: PASSWORD } }).changed).toBe(true);
    // Unchanged values (the Settings page sends every field) are no change.
    expect(planDeliveryChange(s, secrets, { email: { host: 'smtp.example.com', port: 587, secure: false, user: 'trader' } }).changed).toBe(false);
  });

  it('changing the Telegram API address with the bot token stored and not given again is refused (and a first SMTP server for a stored password)', () => {
    const { s, secrets } = saved();
    // A password from the environment (the headless server) is not sent to a first server unasked either.
    const fresh = store();
    expect(() => planDeliveryChange(fresh, secrets, { email: { host: 'smtp.example.com', user: 'trader' } })).toThrow('delivery.email.password: the SMTP server or user changed (no server → smtp.example.com:587 (STARTTLS) as user "trader"), and the stored password');
    expect(() => planDeliveryChange(s, secrets, { telegram: { apiUrl: 'http://127.0.0.1:5799' } })).toThrow(
      'delivery.telegram.botToken: the Telegram API address changed (api.telegram.org → 127.0.0.1:5799), and the stored bot token is never sent to a new address unasked — enter the bot token again with the new address (or give "" to forget it). Nothing was saved.',
    );
    expect(planDeliveryChange(s, secrets, { telegram: { apiUrl: 'http://127.0.0.1:5799', botToken: TOKEN } }).changed).toBe(true);
  });

  it('every change of a destination is said in words: host names, never a secret', () => {
    const { s, secrets } = saved();
    const change = planDeliveryChange(s, secrets, { email: { host: 'smtp.other.com', port: 465, secure: true, password: PASSWORD }, telegram: { apiUrl: 'https://tg.example.com/', botToken: TOKEN } });
    expect(describeDestinationChanges(change)).toEqual([
      'E-mail now goes to smtp.other.com:465 (TLS from the start) as user "trader" (was smtp.example.com:587 (STARTTLS) as user "trader").',
      'Telegram bot now goes to tg.example.com (was api.telegram.org).',
    ]);
  });
});
