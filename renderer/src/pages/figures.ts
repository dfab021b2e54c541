/** A system's figure as every page shows it (the Strategies card, the SPY/SPX page's claims table). */
import type { StrategyFigure } from '../../../shared/api.ts';
import { formatUsd } from '../../../shared/format.ts';

export function figureText(f: Pick<StrategyFigure, 'value' | 'unit'>): string {
  if (f.value === null) return '—';
  if (f.unit === 'usd') return formatUsd(f.value);
  if (f.unit === 'fraction') return `${(f.value * 100).toFixed(1)}%`;
  if (f.unit === 'ratio') return f.value.toFixed(2);
  return String(f.value);
}
