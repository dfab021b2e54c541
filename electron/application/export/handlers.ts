/** `export.csv`: one CSV of trades, legs, fills, decisions or daily summaries (electron/store/export.ts). */
import type { Logger } from '../../engine/ports.ts';
import { exportCsv } from '../../store/export.ts';
import type { Store } from '../../store/store.ts';
import type { DomainHandlers } from '../handlers.ts';

export function exportHandlers(d: { store: Store; log: Logger }): DomainHandlers<'export.csv'> {
  return {
    'export.csv': async ({ kind, from, to }) => {
      const content = exportCsv(d.store, kind, { from, to });
      const rows = Math.max(0, content.split('\r\n').filter((l) => l.length > 0).length - 1);
      d.log.info(`Exported ${rows} ${kind} rows for ${from}..${to}.`);
      return { filename: `thetadesk-${kind}-${from}-to-${to}.csv`, content, rows };
    },
  };
}
