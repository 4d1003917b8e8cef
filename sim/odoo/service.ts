/**
 * The Odoo services behind every protocol: common (version, login, authenticate), db
 * (list) and object (execute_kw). Checks run in Odoo's order: database, then the uid
 * must be an integer, then the password or API key of that uid. Each model call runs in
 * its own transaction, committed on success and rolled back on any error.
 */
import type { CallLog, SimProtocol } from './call-log.ts';
import { PyError, py } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { callModelMethod } from './orm/dispatch.ts';
import { Env } from './orm/env.ts';
import { SerializationConflict } from './orm/store.ts';
import type { SimRuntime } from './runtime.ts';
import {
  LEGACY_RPC_WARNING,
  serverVersionOf,
  type ServerVersionInfo,
  type SimOdooVersion,
} from './version.ts';

export interface SimUserCredentials {
  login: string;
  password: string;
  apiKeys: readonly string[];
}

export interface ModelCall {
  protocol: SimProtocol;
  uid: number;
  model: string;
  method: string;
  args: unknown;
  kwargs: unknown;
}

export class OdooService {
  readonly #runtime: SimRuntime;
  readonly #database: string;
  readonly #users: readonly SimUserCredentials[];
  readonly #calls: CallLog;
  readonly #faults: FaultInjector;
  readonly #webhooksSent: () => number;

  readonly #commitLagAfterWebhooksMs: number;

  /**
   * `commitLagAfterWebhooksMs`: how long a call that sent webhooks keeps its transaction
   * open before it commits (Odoo goes on creating the delivery, logging, ...: the recorded
   * calls answered 18-370 ms after their webhook); 0 commits at once.
   */
  constructor(
    runtime: SimRuntime,
    database: string,
    users: readonly SimUserCredentials[],
    calls: CallLog,
    faults: FaultInjector,
    webhooksSent: () => number,
    commitLagAfterWebhooksMs = 0,
  ) {
    this.#commitLagAfterWebhooksMs = commitLagAfterWebhooksMs;
    this.#runtime = runtime;
    this.#database = database;
    this.#users = users;
    this.#calls = calls;
    this.#faults = faults;
    this.#webhooksSent = webhooksSent;
  }

  get database(): string {
    return this.#database;
  }

  get odooVersion(): SimOdooVersion {
    return this.#runtime.version;
  }

  /** common.version of the release simulated. */
  get serverVersion(): ServerVersionInfo {
    return serverVersionOf(this.#runtime.version);
  }

  /** Odoo 19 logs a deprecation WARNING on every /jsonrpc and /xmlrpc call. */
  logLegacyCall(): void {
    if (this.#runtime.version >= 19)
      this.#runtime.log('WARNING', 'odoo.addons.rpc.controllers.jsonrpc', LEGACY_RPC_WARNING);
  }

  checkDatabase(database: unknown): void {
    if (database !== this.#database) {
      throw py.operationalError(
        `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(database)}" does not exist\n`,
      );
    }
  }

  uidOfLogin(login: unknown): number | undefined {
    const env = new Env(
      this.#runtime,
      this.#runtime.store.begin(),
      1,
      { active_test: false },
      true,
    );
    return env.search('res.users', [['login', '=', login]], { limit: 1 })[0];
  }

  #credentialsOf(uid: number): SimUserCredentials | undefined {
    const login = this.#runtime.store.table('res.users').get(uid)?.login;
    return this.#users.find((user) => user.login === login);
  }

  /** common.authenticate / common.login: the uid, or false for a wrong login or secret. */
  authenticate(
    protocol: SimProtocol,
    database: unknown,
    login: unknown,
    secret: unknown,
    options: { passwordOnly?: boolean } = {},
  ): number | false {
    this.#calls.record({
      protocol,
      service: 'common',
      method: 'authenticate',
      model: null,
      args: [database, login],
      kwargs: {},
      uid: null,
      outcome: 'ok',
    });
    this.checkDatabase(database);
    const uid = this.uidOfLogin(login);
    const user = uid === undefined ? undefined : this.#credentialsOf(uid);
    if (uid === undefined || user === undefined) return false;
    const accepted =
      secret === user.password ||
      (options.passwordOnly !== true && user.apiKeys.includes(String(secret)));
    return accepted ? uid : false;
  }

  /** The uid an API key belongs to (JSON-2 bearer authentication). */
  uidOfApiKey(secret: string): number | undefined {
    for (const uid of this.#runtime.store.table('res.users').keys()) {
      if (this.#credentialsOf(uid)?.apiKeys.includes(secret) === true) return uid;
    }
    return undefined;
  }

  /** execute_kw's credential checks; returns the uid as an integer. */
  checkCredentials(database: unknown, uid: unknown, secret: unknown): number {
    this.checkDatabase(database);
    const numeric = typeof uid === 'number' ? uid : Number.parseInt(String(uid), 10);
    if (typeof uid !== 'number' && !/^\s*\d+\s*$/.test(String(uid))) {
      throw py.valueError(`invalid literal for int() with base 10: '${String(uid)}'`);
    }
    const user = this.#credentialsOf(numeric);
    if (user === undefined || (secret !== user.password && !user.apiKeys.includes(String(secret))))
      throw py.accessDenied();
    return numeric;
  }

  /** Runs one model method in its own transaction; the call is logged whatever happens. */
  async execute(call: ModelCall): Promise<unknown> {
    const entry = {
      protocol: call.protocol,
      service: 'object',
      method: call.method,
      model: call.model,
      args: call.args,
      uid: call.uid,
      kwargs: (call.kwargs ?? {}) as Record<string, unknown>,
    };
    // A held call has not begun: nothing of it is in a transaction while it waits.
    if (call.protocol !== 'internal') await this.#faults.waitIfHeld(call.model, call.method);
    const tx = this.#runtime.store.begin();
    const webhooksBefore = this.#webhooksSent();
    try {
      const fault = this.#faults.takeCallFault();
      if (fault === 'session-expired') throw py.sessionExpired();
      if (fault === 'serialization') throw py.serializationFailure();
      const result = await callModelMethod(
        new Env(this.#runtime, tx, call.uid),
        call.model,
        call.method,
        call.args,
        call.kwargs,
      );
      const sendsWebhooks = this.#webhooksSent() > webhooksBefore || tx.hasCommitHooks;
      // Odoo 17 sends its webhooks before the commit: the lag keeps the transaction open after them.
      if (this.#webhooksSent() > webhooksBefore && this.#commitLagAfterWebhooksMs > 0)
        await new Promise((resolve) => setTimeout(resolve, this.#commitLagAfterWebhooksMs));
      if (sendsWebhooks && this.#faults.rollbackAfterWebhooks > 0) {
        this.#faults.rollbackAfterWebhooks -= 1;
        throw py.serializationFailure();
      }
      tx.commit();
      // Odoo 19 sends automation webhooks here, after the commit and before the answer.
      await tx.runCommitHooks();
      this.#calls.record({ ...entry, outcome: 'ok' });
      return result;
    } catch (error) {
      tx.rollback();
      // A JavaScript error here is a simulator bug: it surfaces as a Python Exception with its stack.
      const failure =
        error instanceof PyError
          ? error
          : error instanceof SerializationConflict
            ? py.serializationFailure()
            : py.exception(error instanceof Error ? (error.stack ?? error.message) : String(error));
      this.#calls.record({ ...entry, outcome: 'error', error: failure.qualifiedName });
      throw failure;
    }
  }
}
