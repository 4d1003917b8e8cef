/**
 * The Odoo client facade: `call(model, method, args, kwargs, context)` over the
 * transport the profile names. It owns what the transports do not:
 * - the uid cache (JSON-RPC/XML-RPC authenticate once per client, i.e. per profile;
 *   a session-expired answer drops the uid and re-authenticates once, then retries);
 * - bounded concurrency (a semaphore of `maxConcurrency` permits per client);
 * - retries with exponential backoff and jitter, by the rules in retry.ts;
 * - mapping every failure, once, into a CrossdockError (error-map.ts);
 * - counting every HTTP attempt and its outcome, as `odoo:<profile name>` (connector stats).
 * Clock, sleep and randomness are injected so tests never wait.
 */
import { CrossdockError } from '../../errors/index.ts';
import type { ConnectorCallSink } from '../../observability/index.ts';
import { parseOdooProfile, type OdooProfile, type OdooProfileInput } from './config.ts';
import { mapOdooFailure, odooErrorCodeOf, type OdooCallSite } from './error-map.ts';
import { isOdooFailureError, OdooFailureError, type OdooFailure } from './failure.ts';
import { httpCall } from '../http/index.ts';
import type { HttpExchange } from './http.ts';
import { createJson2Transport, Json2ArgumentError } from './json2-transport.ts';
import { createJsonRpcTransport } from './jsonrpc-transport.ts';
import { backoffDelayMs } from '../../workflows/index.ts';
import { odooBackoff, READ_ONLY_METHODS, shouldRetry } from './retry.ts';
import { Semaphore } from './semaphore.ts';
import type {
  OdooProtocol,
  OdooTransport,
  TransportCallContext,
  TransportOptions,
} from './transport.ts';
import { readServerVersion, type OdooServerVersion } from './version.ts';
import { toWireValue } from './wire-values.ts';
import { createXmlRpcTransport } from './xmlrpc-transport.ts';

export type OdooContext = Readonly<Record<string, unknown>>;

export interface OdooCallOptions {
  /** Mark a write as safe to repeat; reads (search, read, ...) are repeatable already. */
  idempotent?: boolean;
  /** Overrides the profile's per-request timeout for this call. */
  timeoutMs?: number;
  /** Cancels the call; the signal's abort reason is rethrown unchanged. */
  signal?: AbortSignal;
}

export interface OdooClientLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface OdooClientDependencies {
  /** How calls reach Odoo; tests wrap the HTTP client to lose or watch calls. */
  http?: HttpExchange;
  /** Waits between retries; tests pass a recorder that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); drives the backoff jitter. */
  random?: () => number;
  logger?: OdooClientLogger;
  /** Told of every HTTP attempt (retries and re-authentication included) and whether it succeeded. */
  calls?: ConnectorCallSink;
}

export interface OdooClient {
  readonly profileName: string;
  readonly protocol: OdooProtocol;
  call<T = unknown>(
    model: string,
    method: string,
    args?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
    context?: OdooContext,
    options?: OdooCallOptions,
  ): Promise<T>;
  /** common.version (JSON-RPC/XML-RPC) or /web/version (JSON-2), normalized. */
  version(options?: OdooCallOptions): Promise<OdooServerVersion>;
  /** The uid for the profile's login (cached); null on JSON-2, which has no uid. */
  authenticate(options?: OdooCallOptions): Promise<number | null>;
}

const MODEL_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function createTransport(protocol: OdooProtocol, options: TransportOptions): OdooTransport {
  if (protocol === 'jsonrpc') return createJsonRpcTransport(options);
  if (protocol === 'xmlrpc') return createXmlRpcTransport(options);
  return createJson2Transport(options);
}

/**
 * Each transport method sends one HTTP request, so counting here counts every attempt
 * once, whatever the protocol, and sees what the wire answered: an error is anything but
 * a result (socket error, timeout, 5xx or 429 answer, a fault or error envelope, a login
 * refused, the caller's cancellation). A JSON-2 call refused before sending
 * (Json2ArgumentError) sent nothing and is not counted; an XML-RPC request that cannot be
 * encoded also sends nothing but is counted as a failed attempt (it is a caller's bug).
 */
function countedTransport(
  transport: OdooTransport,
  sink: ConnectorCallSink | undefined,
  connector: string,
): OdooTransport {
  if (sink === undefined) return transport;
  async function counted<T>(
    attempt: () => Promise<T>,
    succeeded: (value: T) => boolean = () => true,
  ): Promise<T> {
    let value: T;
    try {
      value = await attempt();
    } catch (error) {
      if (!(error instanceof Json2ArgumentError)) sink!.record(connector, false);
      throw error;
    }
    sink!.record(connector, succeeded(value));
    return value;
  }
  return {
    protocol: transport.protocol,
    needsUid: transport.needsUid,
    version: (ctx) => counted(() => transport.version(ctx)),
    authenticate: (ctx, database, login, secret) =>
      counted(
        () => transport.authenticate(ctx, database, login, secret),
        (uid) => uid !== false,
      ),
    execute: (ctx, request) => counted(() => transport.execute(ctx, request)),
  };
}

function invalidCall(message: string): CrossdockError {
  return new CrossdockError('ODOO_INVALID_ARGUMENT', message, {
    category: 'bug',
    retryable: false,
  });
}

/** Merges the facade's `context` argument into kwargs, after checking every value. */
function wireCall(
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  context: OdooContext | undefined,
) {
  const wireArgs = toWireValue([...args], 'args') as unknown[];
  const wireKwargs = toWireValue({ ...kwargs }, 'kwargs') as Record<string, unknown>;
  if (context !== undefined) {
    const existing = (wireKwargs.context ?? {}) as Record<string, unknown>;
    wireKwargs.context = {
      ...existing,
      ...(toWireValue({ ...context }, 'context') as Record<string, unknown>),
    };
  }
  return { wireArgs, wireKwargs };
}

class OdooConnection implements OdooClient {
  readonly profileName: string;
  readonly protocol: OdooProtocol;
  readonly #profile: OdooProfile;
  readonly #baseUrl: string;
  readonly #transport: OdooTransport;
  readonly #semaphore: Semaphore;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: OdooClientLogger | undefined;
  #requestCounter = 0;
  #uidPromise: Promise<number> | null = null;

  constructor(profile: OdooProfile, dependencies: OdooClientDependencies) {
    this.#profile = profile;
    this.profileName = profile.name;
    this.protocol = profile.protocol;
    this.#baseUrl = profile.url.replace(/\/+$/, '');
    this.#sleep =
      dependencies.sleep ??
      ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.#random = dependencies.random ?? Math.random;
    this.#logger = dependencies.logger;
    this.#semaphore = new Semaphore(profile.maxConcurrency);
    const transport = createTransport(profile.protocol, {
      baseUrl: this.#baseUrl,
      http: dependencies.http ?? httpCall,
      nextRequestId: () => (this.#requestCounter += 1),
    });
    this.#transport = countedTransport(transport, dependencies.calls, `odoo:${profile.name}`);
  }

  async call<T = unknown>(
    model: string,
    method: string,
    args: readonly unknown[] = [],
    kwargs: Readonly<Record<string, unknown>> = {},
    context?: OdooContext,
    options: OdooCallOptions = {},
  ): Promise<T> {
    if (!MODEL_NAME.test(model))
      throw invalidCall(`invalid Odoo model name ${JSON.stringify(model)}`);
    if (!METHOD_NAME.test(method))
      throw invalidCall(`invalid Odoo method name ${JSON.stringify(method)}`);
    const { wireArgs, wireKwargs } = wireCall(args, kwargs, context);
    const repeatable = options.idempotent === true || READ_ONLY_METHODS.has(method);
    const ctx = this.#transportContext(options);
    try {
      return (await this.#withRetries({ baseUrl: this.#baseUrl, model, method }, repeatable, () =>
        this.#execute(model, method, wireArgs, wireKwargs, ctx),
      )) as T;
    } catch (error) {
      if (error instanceof Json2ArgumentError) throw invalidCall(error.message);
      throw error;
    }
  }

  async version(options: OdooCallOptions = {}): Promise<OdooServerVersion> {
    const ctx = this.#transportContext(options);
    return readServerVersion(
      await this.#withRetries({ baseUrl: this.#baseUrl }, true, () => this.#transport.version(ctx)),
    );
  }

  async authenticate(options: OdooCallOptions = {}): Promise<number | null> {
    if (!this.#transport.needsUid) return null;
    const ctx = this.#transportContext(options);
    return this.#withRetries({ baseUrl: this.#baseUrl }, true, () => this.#cachedUid(ctx));
  }

  #transportContext(options: OdooCallOptions): TransportCallContext {
    const ctx: TransportCallContext = { timeoutMs: options.timeoutMs ?? this.#profile.timeoutMs };
    if (options.signal !== undefined) ctx.signal = options.signal;
    return ctx;
  }

  /** One authenticate for all concurrent callers; a failed attempt is not cached. */
  #cachedUid(ctx: TransportCallContext): Promise<number> {
    if (this.#uidPromise === null) {
      const { database, login, apiKey } = this.#profile;
      const pending = this.#transport.authenticate(ctx, database, login, apiKey).then((uid) => {
        if (uid === false) throw new OdooFailureError({ kind: 'login-refused', login, database });
        return uid;
      });
      this.#uidPromise = pending;
      pending.catch(() => {
        if (this.#uidPromise === pending) this.#uidPromise = null;
      });
    }
    return this.#uidPromise;
  }

  /** One call; on a session-expired answer: forget the uid, authenticate again, send once more. */
  async #execute(
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    ctx: TransportCallContext,
  ): Promise<unknown> {
    const send = async () => {
      const uid = this.#transport.needsUid ? await this.#cachedUid(ctx) : null;
      const { database, apiKey } = this.#profile;
      return this.#transport.execute(ctx, {
        database,
        uid,
        secret: apiKey,
        model,
        method,
        args,
        kwargs,
      });
    };
    try {
      return await send();
    } catch (error) {
      if (!isOdooFailureError(error) || odooErrorCodeOf(error.failure) !== 'ODOO_SESSION_EXPIRED')
        throw error;
      this.#uidPromise = null;
      return send();
    }
  }

  /** Attempts hold a concurrency permit; the backoff sleep does not. */
  async #withRetries<T>(
    site: OdooCallSite,
    repeatable: boolean,
    attemptOnce: () => Promise<T>,
  ): Promise<T> {
    const policy = this.#profile.retry;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#semaphore.run(attemptOnce);
      } catch (error) {
        if (!isOdooFailureError(error)) throw error;
        const failure: OdooFailure = error.failure;
        const code = odooErrorCodeOf(failure);
        if (attempt >= policy.maxAttempts || !shouldRetry(failure, code, repeatable))
          throw mapOdooFailure(failure, site, [this.#profile.apiKey]);
        const delayMs = backoffDelayMs(odooBackoff(policy), attempt, this.#random);
        this.#logger?.warn(
          {
            profile: this.profileName,
            model: site.model,
            method: site.method,
            attempt,
            code,
            delayMs,
          },
          'retrying Odoo call after a transient failure',
        );
        await this.#sleep(delayMs);
      }
    }
  }
}

export function createOdooClient(
  profileInput: OdooProfileInput,
  dependencies: OdooClientDependencies = {},
): OdooClient {
  return new OdooConnection(parseOdooProfile(profileInput), dependencies);
}
