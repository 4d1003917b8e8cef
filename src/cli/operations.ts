import { CrossdockError } from '../errors/index.ts';
import type { AcceptedEvent, RunDetail, RunSummary } from '../engine/index.ts';
import type { Crossdock } from '../main.ts';

/** What `crossdock runs` and `crossdock events` do, either on the store or through a running instance's API. */
export interface Operations {
  listRuns(filter: { status?: string; workflow?: string; limit?: number }): Promise<RunSummary[]>;
  showRun(id: string): Promise<RunDetail>;
  replay(id: string, options: { input?: unknown; fromStep?: string }): Promise<RunDetail>;
  cancel(id: string, reason?: string): Promise<RunDetail>;
  signal(id: string, name: string, payload: unknown): Promise<void>;
  sendEvent(event: unknown): Promise<AcceptedEvent>;
  close(): Promise<void>;
}

export function directOperations(crossdock: Crossdock): Operations {
  const { engine } = crossdock;
  return {
    listRuns: (f) => engine.runs.list({ status: f.status as never, workflowId: f.workflow, limit: f.limit }),
    showRun: (id) => engine.runs.show(id),
    replay: (id, o) => engine.runs.replay(id, o),
    async cancel(id, reason) {
      await engine.runs.cancel(id, reason);
      return engine.runs.show(id);
    },
    signal: (id, name, payload) => engine.runs.signal(id, name, payload),
    sendEvent: (event) => engine.accept(event),
    close: () => crossdock.close(),
  };
}

/** Talks to a running Crossdock (needed on PGlite, whose data directory one process holds). */
export function remoteOperations(baseUrl: string): Operations {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      throw new CrossdockError('STORE_UNAVAILABLE', `Cannot reach the Crossdock API at ${baseUrl}: ${(cause as Error).message}`, { category: 'transient', cause });
    }
    const answer = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: { path: string; message: string }[] } };
    if (!response.ok) {
      const e = answer.error ?? { code: 'API_ERROR', message: `HTTP ${response.status}` };
      throw new CrossdockError(e.code, e.message, { category: response.status >= 500 ? 'transient' : 'user', details: e.details ?? [] });
    }
    return answer as T;
  };
  const q = (f: Record<string, unknown>) => new URLSearchParams(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return {
    listRuns: async (f) => (await call<{ runs: RunSummary[] }>('GET', `/api/runs?${q(f)}`)).runs,
    showRun: (id) => call('GET', `/api/runs/${encodeURIComponent(id)}`),
    replay: (id, o) => call('POST', `/api/runs/${encodeURIComponent(id)}/replay`, o),
    cancel: (id, reason) => call('POST', `/api/runs/${encodeURIComponent(id)}/cancel`, reason === undefined ? {} : { reason }),
    signal: async (id, name, payload) => void (await call('POST', `/api/runs/${encodeURIComponent(id)}/signals/${encodeURIComponent(name)}`, { payload })),
    sendEvent: (event) => call('POST', '/api/events', event),
    close: async () => undefined,
  };
}
