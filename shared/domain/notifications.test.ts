import { describe, expect, it } from 'vitest';
import { DeliveryUpdateSchema, smtpHostProblem, webhookUrlProblem } from './notifications.ts';

const LINK_LOCAL = 'must not point at a link-local or unspecified address (169.254.0.0/16, fe80::/10, 0.0.0.0, ::), where cloud metadata services answer';

describe('notification destinations', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://169.254.0.1:8443/hook',
    'https://2852039166/hook', // 169.254.169.254 written as one number
    'https://0.0.0.0/hook',
    'https://0/hook',
    'https://[fe80::1]/hook',
    'https://[febf::1]/hook',
    'https://[::]/hook',
    'https://[::ffff:169.254.169.254]/hook',
    'https://metadata.google.internal/computeMetadata/v1/',
  ])('a webhook URL to %s is refused', (url) => {
    expect(webhookUrlProblem(url)).toBe(LINK_LOCAL);
  });

  it('https anywhere else, and http to this computer, are taken', () => {
    expect(webhookUrlProblem('https://hooks.slack.com/services/T/B/x')).toBeNull();
    expect(webhookUrlProblem('https://169.255.0.1/x')).toBeNull();
    expect(webhookUrlProblem('https://[fec0::1]/x')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/x')).toBeNull();
  });

  it.each(['169.254.169.254', '2852039166', '0.0.0.0', '0', 'metadata.google.internal'])('the SMTP host %s is refused', (host) => {
    expect(smtpHostProblem(host)).toBe(LINK_LOCAL);
    const parsed = DeliveryUpdateSchema.safeParse({ email: { host } });
    expect(parsed.success ? '' : parsed.error.issues[0]!.message).toBe(`the SMTP host ${LINK_LOCAL}`);
  });

  it('ordinary SMTP hosts are taken', () => {
    for (const host of ['smtp.gmail.com', '127.0.0.1', '10.0.0.5', '']) expect(smtpHostProblem(host)).toBeNull();
  });
});
