/**
 * The worker thread behind a scheduled backup (backupInWorker in backup.ts): the copies of the backup
 * set (the database, the simulated broker's books) and their integrity checks run here, so the engine's thread never waits on them. Posts one reply and ends.
 *
 * Loaded from source (`backup-worker.ts`, Node strips the types) or, in the packaged app, from the
 * bundle `out/electron/backup-worker.cjs` (scripts/build-lib.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { backupDatabaseSet, type BackupWorkerData, type BackupWorkerReply } from './backup.ts';
import { StoreError } from './errors.ts';

const { source, dest } = workerData as BackupWorkerData;
backupDatabaseSet(source, dest).then(
  (report) => parentPort!.postMessage({ ok: true, report } satisfies BackupWorkerReply),
  (error: unknown) =>
    parentPort!.postMessage({
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      kind: error instanceof StoreError ? error.kind : 'io',
    } satisfies BackupWorkerReply),
);
