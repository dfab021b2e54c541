import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY } from '../../../shared/domain/notifications.ts';
import { openTemp } from '../../../tests/store/fixtures.ts';
import { LogHub } from '../logs/hub.ts';
import { deliveryConfig, DELIVERY_KEY, planDeliveryChange } from './delivery.ts';
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
