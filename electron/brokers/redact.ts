/**
 * Secrets never leave the adapters: tokens and account numbers are masked in every message,
 * log line and export. `redact` scrubs known secrets (registered by the adapters) and anything that
 * looks like an IB or Tradier account number or a bearer token.
 */
const secrets = new Set<string>();

/** Registers a secret (token, account number) to be scrubbed from every message. */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** `DU1234567` → `…4567`. */
export function maskAccount(account: string): string {
  return account ? `…${account.slice(-4)}` : '';
}

const PATTERNS: RegExp[] = [
  /\b(?:DU|DF|U|F)\d{5,}\b/g, // IB accounts (paper DU…, live U…)
  /\b(?:VA|6YA|6Y)\d{5,}\b/gi, // Tradier accounts
  /Bearer\s+[A-Za-z0-9._~+/=-]+/g,
];

/** Returns `text` with every registered secret and account-like token masked. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  for (const re of PATTERNS) out = out.replace(re, (m) => (m.startsWith('Bearer') ? 'Bearer …' : maskAccount(m)));
  return out;
}
