/** Collects every human-readable message the broker suites produce, for the redaction test. */
import type { BrokerEvent } from '../../electron/brokers/port.ts';

export const MESSAGES: string[] = [];

export function recordMessages(e: BrokerEvent | { message: string }): void {
  if ('type' in e) {
    if (e.type === 'connection-changed') MESSAGES.push(e.status.message);
    else if (e.type === 'notice-received') MESSAGES.push(e.message);
    else if (e.type === 'order-rejected') MESSAGES.push(e.reason);
    if ('order' in e && e.order.reason) MESSAGES.push(e.order.reason);
  } else MESSAGES.push(e.message);
}
