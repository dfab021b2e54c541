/**
 * Store work that must stay off the UI thread, run in a worker_threads worker (worker.ts) with its
 * own SQLite connection: writing chain snapshots (compression + insert) and CSV exports.
 *
 * Snapshots: the caller's thread only lays the contracts out in columns (~5 ms for 10,000
 * contracts) and transfers that buffer; compression, checksum and the insert happen in the worker.
 *
 * Packaging note: the worker is loaded from `worker.ts` next to this file (Node strips the types).
 * A bundled build must emit it as its own entry and keep the relative location.
 */
import { Worker } from 'node:worker_threads';
import type { ChainSnapshot } from '../../shared/domain/chain.ts';
import { ChainCodecError, encodeChainColumns } from './chain-codec.ts';
import { StoreError, type StoreErrorKind } from './errors.ts';
import type { ExportKind, ExportRange } from './export.ts';
import type { EncodedSnapshot } from './repos/snapshots.ts';

export type WorkerData = { dataDir: string; readonly: boolean; busyTimeoutMs: number };
export type WorkerRequest =
  | { id: number; type: 'snapshot'; raw: ArrayBuffer; meta: Omit<EncodedSnapshot, 'payload' | 'checksum'> }
  | { id: number; type: 'export'; kind: ExportKind; range: ExportRange; file: string }
  | { id: number; type: 'close' };
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { message: string; kind: StoreErrorKind } };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/** A store worker: one thread, one connection, requests answered in order. */
export class StoreWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 1;
  #exited: Error | null = null;

  constructor(opts: { dataDir: string; readonly?: boolean; busyTimeoutMs?: number }) {
    const data: WorkerData = { dataDir: opts.dataDir, readonly: opts.readonly ?? false, busyTimeoutMs: opts.busyTimeoutMs ?? 5000 };
    this.#worker = new Worker(WORKER_URL, { workerData: data });
    this.#worker.on('message', (r: WorkerReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new StoreError(r.error.kind, r.error.message));
    });
    const fail = (error: Error): void => {
      this.#exited = error;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new StoreError('io', `the store worker stopped (exit code ${code})`)));
  }

  #call<T>(req: WithoutId<WorkerRequest>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ ...req, id }, transfer);
    });
  }

  /** Stores a chain snapshot from the worker; resolves with its snapshot id. */
  writeSnapshot(snapshot: ChainSnapshot, meta: { targetDte?: number | null } = {}): Promise<number> {
    let raw: Buffer;
    try {
      raw = encodeChainColumns(snapshot);
    } catch (error) {
      if (error instanceof ChainCodecError) return Promise.reject(new StoreError('invalid', `Chain snapshot rejected: ${error.message}`));
      return Promise.reject(error);
    }
    const copy = new ArrayBuffer(raw.length);
    new Uint8Array(copy).set(raw);
    const expirations = [...new Set(snapshot.contracts.map((c) => c.expiration))];
    return this.#call<number>(
      {
        type: 'snapshot',
        raw: copy,
        meta: {
          takenAt: snapshot.time, underlying: snapshot.underlying, underlyingPrice: snapshot.underlyingPrice, source: snapshot.source,
          targetDte: meta.targetDte ?? null, expirations, contractCount: snapshot.contracts.length,
        },
      },
      [copy],
    );
  }

  /** Writes a CSV export to `file` from the worker (atomically); resolves with row and byte counts. */
  exportCsv(kind: ExportKind, range: ExportRange, file: string): Promise<{ rows: number; bytes: number }> {
    return this.#call({ type: 'export', kind, range, file });
  }

  /** Waits for queued work, closes the worker's connection and stops the thread. */
  async close(): Promise<void> {
    if (!this.#exited) {
      await this.#call({ type: 'close' });
      await this.#worker.terminate();
    }
  }
}

/** One-shot export in a worker thread (read-only connection): the UI/API path for big exports. */
export async function exportCsvInWorker(opts: { dataDir: string; kind: ExportKind; range: ExportRange; file: string }): Promise<{ rows: number; bytes: number }> {
  const w = new StoreWorker({ dataDir: opts.dataDir, readonly: true });
  try {
    return await w.exportCsv(opts.kind, opts.range, opts.file);
  } finally {
    await w.close();
  }
}
