/**
 * An Odoo simulator (17 by default, or 19: see version.ts) for tests and demos: JSON-RPC, XML-RPC, the web session routes
 * and JSON-2 on 127.0.0.1, over an in-memory copy of the lab's demo database, with
 * automation-rule webhooks, fault injection and a log of every call. Several simulators
 * can run in one process; nothing is shared between them.
 */
import { RecordLog } from '../record-log.ts';
import { CallLog, type CallFilter, type CallLogEntry } from './call-log.ts';
import {
  FaultInjector,
  type CallFault,
  type CallHold,
  type DownMode,
  type RequestFault,
} from './faults.ts';
import { createAutomationEngine } from './automation/engine.ts';
import { handleIncomingWebhook } from './automation/incoming.ts';
import { WebhookSender, type OutgoingWebhook } from './automation/outgoing.ts';
import { createAccessPolicy } from './models/access.ts';
import { createRegistry } from './models/index.ts';
import { Env } from './orm/env.ts';
import { forgetCreated, type ForgetKeep } from './orm/forget.ts';
import { Store } from './orm/store.ts';
import { toPlainJson } from './orm/wire.ts';
import { PyError } from './errors.ts';
import {
  jsonResponse,
  notFoundPage,
  type SimRequest,
  type SimResponse,
} from './protocols/http-types.ts';
import { handleJson2 } from './protocols/json2.ts';
import { handleJsonRpc } from './protocols/jsonrpc.ts';
import { handleWeb, SessionStore } from './protocols/web.ts';
import { handleXmlRpc } from './protocols/xmlrpc.ts';
import type { ServerLogEntry, SimRuntime } from './runtime.ts';
import { loadSeed } from './seed/index.ts';
import { SimServer } from './server.ts';
import { OdooService, type SimUserCredentials } from './service.ts';
import { messagesOf, webhookTimingOf, type SimOdooVersion } from './version.ts';

export type { SimOdooVersion, ForgetKeep };
export type {
  CallFilter,
  CallLogEntry,
  CallFault,
  DownMode,
  OutgoingWebhook,
  RequestFault,
  ServerLogEntry,
  SimUserCredentials,
};

export interface OdooSimulatorOptions {
  /** The release to behave as: 17 (default) or 19 (after-commit webhooks, 19's version and messages). */
  version?: SimOdooVersion;
  /** Database name; the recorded labs used "odoo17" and "odoo19" (the default follows `version`). */
  database?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Credentials of the seeded users "admin" (uid 2) and "salesuser" (uid 8). */
  users?: SimUserCredentials[];
  /** Server clock (dates, write_date); defaults to the real time. */
  clock?: () => Date;
  /** Randomness for webhook UUIDs, session ids and the fault error rate. */
  random?: () => number;
  /** Outgoing webhook timeout; Odoo's is 1000 ms. */
  webhookTimeoutMs?: number;
  /**
   * How long a call keeps its transaction open after sending webhooks, before it commits
   * (default 0). The recorded Odoo 17 calls answered 18-370 ms after their webhook, so a
   * receiver that re-reads at once sees the old committed record.
   */
  commitLagAfterWebhooksMs?: number;
  /**
   * How many of the newest calls, webhooks and server log lines to keep (default: all, for
   * tests). A simulator left running (the demo) sets it, or it grows with every call.
   */
  keepRecords?: number;
}

export const DEFAULT_SIM_USERS: readonly SimUserCredentials[] = [
  { login: 'admin', password: 'admin', apiKeys: ['sim-admin-api-key'] },
  { login: 'salesuser', password: 'salesuser', apiKeys: ['sim-salesuser-api-key'] },
];

export interface SimFaults {
  /** false: up; "refuse": connections refused; "reset": sockets reset; 502/503/504: proxy error pages. */
  setDown(mode: DownMode): Promise<void>;
  setLatencyMs(ms: number): void;
  /** Fraction of requests answered with `status`, drawn from the injected random source. */
  setErrorRate(rate: number, status?: 502 | 503 | 504): void;
  failNextRequests(count: number, fault: RequestFault): void;
  failNextCalls(count: number, fault: CallFault): void;
  /** The next `count` calls that send webhooks fail after sending them (rolled back). */
  rollbackAfterWebhooks(count: number): void;
  /** The next remote (RPC) call of model.method waits before it runs until `release()`; `reached` resolves when it arrives. */
  holdNextCall(model: string, method: string): CallHold;
  reset(): Promise<void>;
}

export interface SimDatabase {
  /** Committed records, read as the superuser in RPC format (many2one as [id, name]). */
  searchRead(model: string, domain?: unknown[], fields?: string[]): Record<string, unknown>[];
  /** Calls a model method in-process as `uid` (default 2, admin), in its own transaction. */
  call(
    model: string,
    method: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    uid?: number,
  ): Promise<unknown>;
  /**
   * `call` as a person working in Odoo's own screens makes it: a transaction that meets a
   * concurrent update is tried again, up to five times in all after a short random wait,
   * as Odoo's request handling does (`odoo.service.model.retrying`), before the error
   * reaches anyone. `call` shows the failure at once, for tests of what a caller sees.
   */
  callAsUser(
    model: string,
    method: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    uid?: number,
  ): Promise<unknown>;
  /** Moves a model's id sequence forward, e.g. to line up ids with a recorded exchange. */
  setNextId(model: string, nextId: number): void;
  /** Moves a named sequence ("purchase.order", "stock.picking.IN") to `next`. */
  setSequence(code: string, next: number): void;
  /**
   * Forgets the business documents created from `since` (after the seed data) to `before`,
   * and what hangs on them (orm/forget.ts), for a simulator left running for hours; answers
   * how many records of each model went. Never done unless called. Documents that `keep`
   * names stay, with every document linked to them (ForgetKeep).
   */
  forget(since: Date, before: Date, keep?: ForgetKeep): Record<string, number>;
}

export interface OdooSimulator {
  readonly url: string;
  readonly version: SimOdooVersion;
  readonly database: string;
  readonly users: readonly SimUserCredentials[];
  readonly calls: {
    readonly entries: readonly CallLogEntry[];
    filter(filter?: CallFilter): CallLogEntry[];
    count(filter?: CallFilter): number;
    clear(): void;
  };
  readonly webhooks: readonly OutgoingWebhook[];
  readonly serverLog: readonly ServerLogEntry[];
  readonly faults: SimFaults;
  readonly db: SimDatabase;
  close(): Promise<void>;
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** Everything one simulator owns; nothing here is shared between simulators. */
interface SimCore {
  database: string;
  users: SimUserCredentials[];
  store: Store;
  runtime: SimRuntime;
  service: OdooService;
  sessions: SessionStore;
  sender: WebhookSender;
  calls: CallLog;
  faults: FaultInjector;
  serverLog: RecordLog<ServerLogEntry>;
  setBaseUrl(url: string): void;
}

function buildCore(options: OdooSimulatorOptions): SimCore {
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const version = options.version ?? 17;
  const registry = createRegistry(version);
  const store = new Store();
  loadSeed(store, registry);
  const serverLog = new RecordLog<ServerLogEntry>(options.keepRecords);
  const log = (level: ServerLogEntry['level'], logger: string, message: string) =>
    void serverLog.add({ at: clock().toISOString(), level, logger, message });
  const sender = new WebhookSender(
    options.webhookTimeoutMs ?? 1000,
    log,
    webhookTimingOf(version),
    options.keepRecords,
  );
  let baseUrl = '';
  const runtime: SimRuntime = {
    version,
    messages: messagesOf(version),
    registry,
    store,
    clock,
    access: createAccessPolicy(),
    automation: createAutomationEngine(() => sender),
    log,
    baseUrl: () => baseUrl,
    newUuid: () => uuidFrom(random),
  };
  const database = options.database ?? `odoo${version}`;
  const users = options.users ?? [...DEFAULT_SIM_USERS];
  const calls = new CallLog(options.keepRecords);
  const faults = new FaultInjector(random);
  const service = new OdooService(
    runtime,
    database,
    users,
    calls,
    faults,
    () => sender.sent.total,
    options.commitLagAfterWebhooksMs ?? 0,
  );
  return {
    database,
    users,
    store,
    runtime,
    service,
    sessions: new SessionStore(random),
    sender,
    calls,
    faults,
    serverLog,
    setBaseUrl: (url) => void (baseUrl = url),
  };
}

function router(core: SimCore): (request: SimRequest) => Promise<SimResponse> {
  return async (request) => {
    if (request.path === '/jsonrpc') return handleJsonRpc(core.service, request);
    const hook = /^\/web\/hook\/([^/]+)$/.exec(request.path);
    if (hook?.[1] !== undefined) {
      const answer = await handleIncomingWebhook(core.runtime, core.sender, hook[1], {
        query: request.query,
        contentType: request.mimeType,
        body: request.body,
      });
      return jsonResponse(answer.status, answer.body);
    }
    return (
      (await handleXmlRpc(core.service, request)) ??
      (await handleJson2(core.service, request)) ??
      (await handleWeb(core.runtime, core.service, core.sessions, request)) ??
      notFoundPage()
    );
  };
}

function faultControls(faults: FaultInjector, server: SimServer): SimFaults {
  return {
    async setDown(mode) {
      faults.down = mode;
      if (mode === 'refuse') await server.refuseConnections();
      else await server.acceptConnections();
    },
    setLatencyMs: (ms) => void (faults.latencyMs = ms),
    setErrorRate(rate, status = 502) {
      faults.errorRate = rate;
      faults.errorStatus = status;
    },
    failNextRequests: (count, fault) => faults.failNextRequests(count, fault),
    failNextCalls: (count, fault) => faults.failNextCalls(count, fault),
    rollbackAfterWebhooks: (count) => void (faults.rollbackAfterWebhooks = count),
    holdNextCall: (model, method) => faults.holdNextCall(model, method),
    async reset() {
      faults.reset();
      await server.acceptConnections();
    },
  };
}

function databaseHandle(core: SimCore): SimDatabase {
  return {
    searchRead(model, domain = [], fields) {
      const env = new Env(core.runtime, core.store.begin(), 1, { active_test: false }, true);
      return toPlainJson(env.read(model, env.search(model, domain), fields)) as Record<
        string,
        unknown
      >[];
    },
    call: (model, method, args = [], kwargs = {}, uid = 2) =>
      core.service.execute({ protocol: 'internal', uid, model, method, args, kwargs }),
    callAsUser: (model, method, args = [], kwargs = {}, uid = 2) =>
      retryingOnConcurrency(() =>
        core.service.execute({ protocol: 'internal', uid, model, method, args, kwargs }),
      ),
    setNextId: (model, nextId) => core.store.setNextId(model, nextId),
    setSequence: (code, next) => core.store.setSequence(code, next),
    forget: (since, before, keep) =>
      forgetCreated(core.store, core.runtime.registry, odooStamp(since), odooStamp(before), keep),
  };
}

/** "YYYY-MM-DD HH:MM:SS.mmm", naive UTC: ordered as create_date is stored. */
const odooStamp = (at: Date) => at.toISOString().slice(0, 23).replace('T', ' ');

/** Odoo's `retrying`: up to five tries of a transaction that met a concurrent update. */
async function retryingOnConcurrency<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const conflict =
        error instanceof PyError && error.qualifiedName === 'psycopg2.errors.SerializationFailure';
      if (!conflict || attempt >= 5) throw error;
      // A random wait, as Odoo's is, so that the two users do not meet again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt * 10));
    }
  }
}

export async function startOdooSimulator(
  options: OdooSimulatorOptions = {},
): Promise<OdooSimulator> {
  const core = buildCore(options);
  const server = new SimServer(router(core), core.faults);
  const url = `http://127.0.0.1:${await server.listen(options.port ?? 0)}`;
  core.setBaseUrl(url);
  return {
    url,
    version: core.runtime.version,
    database: core.database,
    users: core.users,
    calls: core.calls,
    webhooks: core.sender.sent.entries,
    serverLog: core.serverLog.entries,
    faults: faultControls(core.faults, server),
    db: databaseHandle(core),
    async close() {
      await server.close();
      core.sender.close();
    },
  };
}
