/**
 * The store's worker thread: bulk snapshot writes and CSV exports run here, on their own SQLite
 * connection, so the main (UI) thread never waits for compression or a long query. Started by
 * background.ts; speaks the messages typed there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packChainColumns, payloadChecksum } from './chain-codec.ts';
import { StoreError } from './errors.ts';
import { writeCsvFile } from './export.ts';
import { openStore, type Store } from './store.ts';
import type { WorkerData, WorkerReply, WorkerRequest } from './background.ts';

const data = workerData as WorkerData;
let store: Store | null = null;

function getStore(): Store {
  store ??= openStore({ dataDir: data.dataDir, readonly: data.readonly, check: 'none', busyTimeoutMs: data.busyTimeoutMs });
  return store;
}

function errorReply(id: number, error: unknown): WorkerReply {
  if (error instanceof StoreError) return { id, ok: false, error: { message: error.message, kind: error.kind } };
  return { id, ok: false, error: { message: error instanceof Error ? error.message : String(error), kind: 'io' } };
}

parentPort!.on('message', (msg: WorkerRequest) => {
  void (async () => {
    try {
      if (msg.type === 'snapshot') {
        const payload = packChainColumns(new Uint8Array(msg.raw));
        const id = getStore().snapshots.insertEncoded({ ...msg.meta, payload, checksum: payloadChecksum(payload) });
        parentPort!.postMessage({ id: msg.id, ok: true, value: id } satisfies WorkerReply);
      } else if (msg.type === 'export') {
        const value = await writeCsvFile(getStore(), msg.kind, msg.range, msg.file);
        parentPort!.postMessage({ id: msg.id, ok: true, value } satisfies WorkerReply);
      } else if (msg.type === 'close') {
        store?.close();
        store = null;
        parentPort!.postMessage({ id: msg.id, ok: true, value: null } satisfies WorkerReply);
      }
    } catch (error) {
      parentPort!.postMessage(errorReply(msg.id, error));
    }
  })();
});
