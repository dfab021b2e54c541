/** `study.get` (view.ts): the 0DTE put-sell study's results, read-only. */
import type { DomainHandlers } from '../handlers.ts';
import { studyView } from './view.ts';

export function studyHandlers(d: { dataDir: string }): DomainHandlers<'study.get'> {
  return {
    'study.get': async (q) => studyView(d.dataDir, q),
  };
}
