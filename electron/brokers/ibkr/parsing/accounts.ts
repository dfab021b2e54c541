/**
 * What an IB account is, from its id as IB Gateway reports it (managedAccounts, on every connection):
 * paper trading accounts start with `DU` (`DF` for a paper advisor master), live ones with `U`
 * (individual), `F` (advisor master) or `I` (broker master). The port (4002/7497 paper, 4001/7496 live)
 * is only a convention of the Gateway's settings; the account id is what IB itself says.
 */
import type { AccountType } from '../../port.ts';
import { maskAccount } from '../../redact.ts';

/** One IB account id → paper, live, or unknown (a form Thetadesk does not know). */
export function ibAccountKind(id: string): AccountType['kind'] {
  if (/^D[UF]\d+$/i.test(id)) return 'paper';
  if (/^[UFI]\d+$/i.test(id)) return 'live';
  return 'unknown';
}

/**
 * The accounts IB Gateway is logged in to, as one AccountType: paper only when every one is a paper
 * account, live when any is live (a live account is within reach of the session), else unknown.
 * Null when IB Gateway has named none.
 */
export function ibAccountType(ids: readonly string[]): AccountType | null {
  if (ids.length === 0) return null;
  const kinds = ids.map(ibAccountKind);
  const kind: AccountType['kind'] = kinds.includes('live') ? 'live' : kinds.every((k) => k === 'paper') ? 'paper' : 'unknown';
  const account = ids.map(maskAccount).join(', ');
  const why = kind === 'paper' ? 'DU… accounts are paper accounts' : kind === 'live' ? 'U… accounts are live accounts' : 'neither a DU… paper nor a U… live account id';
  return { kind, account, evidence: `IB Gateway reports the account${ids.length === 1 ? '' : 's'} ${account} (${why})` };
}

/** IB Gateway's and TWS's default API ports for live accounts (4002 and 7497 are the paper ones). */
export const IB_LIVE_PORTS: readonly number[] = [4001, 7496];
export const IB_PAPER_PORTS: readonly number[] = [4002, 7497];
