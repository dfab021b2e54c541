/**
 * `createBroker(config, deps)`: the one place that chooses an adapter. Config is validated with zod;
 * paper is the default everywhere and live trading needs `live: true` explicitly. Secrets passed in
 * the config are registered for redaction before anything can log them.
 */
import { z } from 'zod';
import { IbkrBroker } from './ibkr/broker.ts';
import { IbkrConfigSchema } from './ibkr/config.ts';
import type { MarketSource } from './market-source.ts';
import { BrokerError, type Broker, type Clock } from './port.ts';
import { redact, registerSecret } from './redact.ts';
import { SimBroker } from './sim/broker.ts';
import type { ExchangeBooks, MatchingConfig } from './sim/matching.ts';
import { TradierBroker, TradierConfigSchema } from './tradier/broker.ts';

export const BrokerConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sim'), matchEveryMs: z.number().int().positive().optional() }).strict(),
  z.object({ kind: z.literal('ibkr'), ibkr: IbkrConfigSchema.optional() }).strict(),
  z.object({ kind: z.literal('tradier'), tradier: TradierConfigSchema }).strict(),
]);
export type BrokerConfig = z.input<typeof BrokerConfigSchema>;

export type BrokerDeps = {
  /** Time source for event timestamps (market time for sim, the engine clock live). */
  clock: Clock;
  /** Market for the sim adapter (the simulator). Required for kind 'sim'. */
  market?: MarketSource;
  /** Matching-engine overrides for the sim adapter. */
  matching?: Partial<MatchingConfig>;
  /** Where the sim adapter keeps its paper account (the workstation's data folder); default memory only. */
  books?: ExchangeBooks;
};

/** Builds a broker from validated config; throws BrokerError('invalid-request') with a readable message. */
export function createBroker(config: BrokerConfig, deps: BrokerDeps): Broker {
  // Register secrets first so even a validation error cannot echo them.
  if (config.kind === 'tradier') {
    registerSecret(config.tradier?.token);
    registerSecret(config.tradier?.accountId);
  }
  const parsed = BrokerConfigSchema.safeParse(config);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new BrokerError('invalid-request', redact(`Broker settings are not valid — ${why}`));
  }
  const c = parsed.data;
  switch (c.kind) {
    case 'sim': {
      if (!deps.market) throw new BrokerError('invalid-request', 'The simulated broker needs a market (the simulator).');
      return new SimBroker({
        market: deps.market,
        ...(deps.matching ? { matching: deps.matching } : {}),
        ...(c.matchEveryMs ? { matchEveryMs: c.matchEveryMs } : {}),
        ...(deps.books ? { books: deps.books } : {}),
      });
    }
    case 'ibkr':
      return new IbkrBroker(c.ibkr ?? {}, { clock: deps.clock });
    case 'tradier':
      return new TradierBroker(c.tradier, { clock: deps.clock });
  }
}
