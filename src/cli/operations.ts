import { CrossdockError, isErrorCode, type ErrorDetail } from '../errors/index.ts';
import type { AcceptedEvent, ReplayPreview, RunDetail, RunSummary } from '../engine/index.ts';
import { hostname, userInfo } from 'node:os';
import type { CrossdockConfig } from '../config/index.ts';
import type { Crossdock } from '../main.ts';
import { cliToken, findServer } from './server.ts';

export { cliToken } from './server.ts';

/** What `crossdock runs list` and `runs show` read: from the store alone, or through a running instance's API. */
export interface RunReads {
  listRuns(filter: { status?: string; workflow?: string; limit?: number }): Promise<RunSummary[]>;
  showRun(id: string): Promise<RunDetail>;
  close(): Promise<void>;
}

/** What `crossdock runs` and `crossdock events` do, either on the store or through a running instance's API. */
export interface Operations extends RunReads {
  replay(
    id: string,
    options: { input?: unknown; fromStep?: string; again?: string[] },
  ): Promise<RunDetail>;
  previewReplay(
    id: string,
    options: { fromStep?: string; again?: string[] },
  ): Promise<ReplayPreview>;
  cancel(id: string, reason?: string): Promise<RunDetail>;
  signal(id: string, name: string, payload: unknown): Promise<void>;
  sendEvent(event: unknown): Promise<AcceptedEvent>;
}

export function directOperations(crossdock: Crossdock): Operations {
  const { engine } = crossdock;
  return {
    listRuns: (f) =>
      engine.runs.list({ status: f.status as never, workflowId: f.workflow, limit: f.limit }),
    showRun: (id) => engine.runs.show(id),
    replay: (id, o) => engine.runs.replay(id, o),
    previewReplay: (id, o) => engine.runs.previewReplay(id, o),
    async cancel(id, reason) {
      await engine.runs.cancel(id, reason);
      return engine.runs.show(id);
    },
    signal: (id, name, payload) => engine.runs.signal(id, name, payload),
    sendEvent: (event) => engine.accept(event, 'cli'),
    close: () => crossdock.close(),
  };
}

/** A JSON client for a running Crossdock's API, sending the CLI's token (CROSSDOCK_TOKEN) when it has one. */
export function apiClient(baseUrl: string, token: string | null, forbiddenHint = '') {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    const headers: Record<string, string> =
      body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      throw new CrossdockError(
        'STORE_UNAVAILABLE',
        `Cannot reach the Crossdock API at ${baseUrl}: ${(cause as Error).message}`,
        { category: 'transient', cause },
      );
    }
    const answer = (await response.json().catch(() => ({}))) as {
      error?: { code: string; message: string; details?: { path: string; message: string }[] };
    };
    if (!response.ok) {
      const hint =
        response.status === 401 && !token
          ? ' (set CROSSDOCK_TOKEN to an API token: crossdock tokens create --name cli)'
          : response.status === 403
            ? forbiddenHint
            : '';
      throw apiAnswerError(response.status, answer.error, hint);
    }
    return answer as T;
  };
}

/**
 * The error an API answer carried, raised again as the server raised it: a code of the
 * registry keeps the registry's category and retryability. A code this CLI does not know
 * (a newer server) is kept as it came, its category told by the status.
 */
function apiAnswerError(
  status: number,
  error: { code: string; message: string; details?: ErrorDetail[] } | undefined,
  hint: string,
): CrossdockError {
  const details = error?.details ?? [];
  if (!error)
    return new CrossdockError('API_ERROR', `HTTP ${status}${hint}`, { retryable: status >= 500 });
  if (isErrorCode(error.code))
    return new CrossdockError(error.code, `${error.message}${hint}`, { details });
  return CrossdockError.foreign(error.code, `${error.message}${hint}`, {
    category: status >= 500 ? 'transient' : 'user',
    details,
  });
}

/** Talks to a running Crossdock (needed on PGlite, whose data directory one process holds). */
export function remoteOperations(baseUrl: string, token: string | null = null): Operations {
  const call = apiClient(baseUrl, token);
  const q = (f: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(f)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
  return {
    listRuns: async (f) => (await call<{ runs: RunSummary[] }>('GET', `/api/v1/runs?${q(f)}`)).runs,
    showRun: (id) => call('GET', `/api/v1/runs/${encodeURIComponent(id)}`),
    replay: (id, o) => call('POST', `/api/v1/runs/${encodeURIComponent(id)}/replay`, o),
    previewReplay: (id, o) =>
      call('POST', `/api/v1/runs/${encodeURIComponent(id)}/replay/preview`, o),
    cancel: (id, reason) =>
      call(
        'POST',
        `/api/v1/runs/${encodeURIComponent(id)}/cancel`,
        reason === undefined ? {} : { reason },
      ),
    signal: async (id, name, payload) =>
      void (await call(
        'POST',
        `/api/v1/runs/${encodeURIComponent(id)}/signals/${encodeURIComponent(name)}`,
        { payload },
      )),
    sendEvent: (event) => call('POST', '/api/v1/events', event),
    close: async () => undefined,
  };
}

export type ApiCall = ReturnType<typeof apiClient>;

/**
 * Runs a command through a running instance's API when one answers (`--api`, the server file
 * in the state directory, the configured address; see findServer), with the CLI's token, else
 * on the store directly. The instance's modules (the store, the engine) are loaded only then.
 */
export async function directOrRemote(
  config: CrossdockConfig,
  apiUrl: string | undefined,
  direct: (crossdock: Crossdock) => Promise<number>,
  remote: (call: ApiCall, baseUrl: string) => Promise<number>,
  onRemote?: (url: string) => void,
): Promise<number> {
  const url = await findServer(config, apiUrl);
  if (url) {
    onRemote?.(url);
    return remote(apiClient(url, cliToken(config), localTokenHint(config)), url);
  }
  const crossdock = await openInstance(config);
  try {
    return await direct(crossdock);
  } finally {
    await crossdock.close();
  }
}

/** The whole instance on the store, quiet: for a command no running server could answer. */
/**
 * Run reads on a free store: the store alone (opened, locked and migrated as an instance
 * would), without loading the engine, the connectors or the API: a third of the time.
 */
export async function openRunReads(config: CrossdockConfig): Promise<RunReads> {
  const [{ openStore }, { listRunSummaries, showRunDetail }] = await Promise.all([
    import('../store/index.ts'),
    import('../engine/run-reads.ts'),
  ]);
  const store = await openStore(config.store);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    listRuns: (f) =>
      listRunSummaries(store.db, {
        status: f.status as RunSummary['status'] | undefined,
        workflowId: f.workflow,
        limit: f.limit,
      }),
    showRun: (id) => showRunDetail(store.db, id),
    close: () => store.close(),
  };
}

export async function openInstance(config: CrossdockConfig): Promise<Crossdock> {
  const [{ createCrossdock }, { silentLogger }] = await Promise.all([
    import('../main.ts'),
    import('../observability/index.ts'),
  ]);
  return createCrossdock(config, { logger: silentLogger() });
}

/** What a FORBIDDEN answer to the local command-line token means (see localCliScopes). */
function localTokenHint(config: CrossdockConfig): string {
  return config.security.cliToken
    ? ''
    : ' (the local command-line token cannot do this: it never decides approvals nor manages users or secrets; set CROSSDOCK_TOKEN to your own API token)';
}

/** Who made a change from the command line, for the audit log. */
export function cliActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = 'unknown';
  }
  return `cli:${user}@${hostname()}`;
}
