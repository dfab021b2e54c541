/**
 * Electron IPC for the contract: one handler per method on its own fixed channel, every call checked
 * for its sender and parsed against the contract before it reaches the Workstation. Written against a
 * minimal `ipcMain`-like interface (type-only Electron import) so it is tested in plain Node.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { channelOf, METHOD_NAMES, type Result } from '../../shared/api.ts';
import { dispatch } from '../application/rpc.ts';
import type { Workstation } from '../application/workstation.ts';
import { isTrustedSender } from './security.ts';

export type IpcMainLike = {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
};

export type IpcTrust = { windowIds: ReadonlySet<number>; devOrigin: string | null };

export function registerIpc(ipcMain: IpcMainLike, workstation: Workstation, trust: IpcTrust): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(channelOf(method), async (event, ...args): Promise<Result<unknown>> => {
      if (!isTrustedSender(event.senderFrame, event.sender.id, trust.windowIds, trust.devOrigin)) {
        workstation.logs.write('warn', 'ipc', `Refused ${method} from an untrusted sender (${event.senderFrame?.origin ?? 'no frame'}).`);
        return { ok: false, error: { code: 'FORBIDDEN', message: 'This window may not call the engine.' } };
      }
      if (args.length > 1) {
        return { ok: false, error: { code: 'VALIDATION', message: `Invalid input for ${method}: expected one argument, got ${args.length}.` } };
      }
      return dispatch(workstation, method, args[0]);
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(channelOf(method));
  };
}
