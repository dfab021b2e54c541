/** `settings.get` and `settings.set` (settings.ts). */
import type { DomainHandlers } from '../handlers.ts';
import { readSettings, updateSettings, type SettingsContext } from './settings.ts';

/** `context` is read at each call (it carries the wall time of the change). */
export function settingsHandlers(d: { context: () => SettingsContext }): DomainHandlers<'settings.get' | 'settings.set'> {
  return {
    'settings.get': async () => readSettings(d.context()),
    'settings.set': async (update) => updateSettings(d.context(), update),
  };
}
