import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, get, type Me } from './api.ts';

export interface Loaded<T> {
  /** The last answer, kept on screen while a newer one loads. */
  data: T | null;
  error: ApiError | Error | null;
  /** True until `data` answers the current path (and the last reload). */
  loading: boolean;
  reload(): void;
}

/**
 * GET a path; reloads when the path changes or on reload(). A null path loads nothing.
 * `loading` is true from the render that changes the path, not from the effect after it, so
 * a screen never shows an earlier path's answer as if it were the current one.
 */
export function useGet<T>(path: string | null): Loaded<T> {
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{
    data: T | null;
    error: ApiError | Error | null;
    /** The path and tick that `data` or `error` answer. */
    answers: string | null;
  }>({ data: null, error: null, answers: null });
  const asked = `${tick} ${path}`;
  useEffect(() => {
    if (path === null) return;
    let live = true;
    get<T>(path).then(
      (data) => live && setState({ data, error: null, answers: asked }),
      (error: Error) => live && setState({ data: null, error, answers: asked }),
    );
    return () => {
      live = false;
    };
  }, [path, asked]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return {
    data: state.data,
    error: state.error,
    loading: path !== null && state.answers !== asked,
    reload,
  };
}

/** The current time, ticking every `everyMs` (for countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}

/** Whether the signed-in role has a permission (the API checks again). */
export function useCan(): (permission: string) => boolean {
  const me = useMe();
  return (permission) => me.permissions.includes(permission);
}
