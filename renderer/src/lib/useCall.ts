/**
 * Loads one contract call for a page and reloads it when its inputs change or (optionally) when the
 * engine's status changes, keeping the last good value while reloading. Errors come back as text.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput, Status } from '../../../shared/api.ts';
import { useApp } from '../store.ts';

export type CallState<T> = { data: T | null; error: string | null; loading: boolean; reload: () => void };

export type CallOptions = {
  /** Reload on every status event. */
  followStatus?: boolean;
  /** Reload when this key of the status changes (cheaper than every status event for big results). */
  follow?: (status: Status) => string | number | null;
};

export function useCall<K extends MethodName>(method: K, input: MethodInput<K> | null, opts: CallOptions = {}): CallState<MethodOutput<K>> {
  const api = useApp((s) => s.api);
  const follow = opts.follow;
  const statusAt = useApp((s) => (!s.status ? undefined : follow ? follow(s.status) : opts.followStatus ? s.status.updatedAt : undefined));
  const [data, setData] = useState<MethodOutput<K> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify(input);
  const seq = useRef(0);
  useEffect(() => {
    if (!api || input === null) return;
    const mine = ++seq.current;
    setLoading(true);
    (api.call as (m: K, i: unknown) => Promise<MethodOutput<K>>)(method, JSON.parse(key) as unknown).then(
      (value) => {
        if (mine !== seq.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
  }, [api, method, key, statusAt, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}
