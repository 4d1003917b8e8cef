/**
 * The Odoo client facade: `call(model, method, args, kwargs, context)` over the
 * transport the profile names. It owns what the transports do not:
 * - the uid cache (JSON-RPC/XML-RPC authenticate once per client, i.e. per profile;
 *   a session-expired answer drops the uid and re-authenticates once, then retries);
 * - bounded concurrency (a semaphore of `maxConcurrency` permits per client);
 * - retries with exponential backoff and jitter, by the rules in retry.ts;
 * - mapping every failure, once, into a CrossdockError (error-map.ts).
 * Clock, sleep and randomness are injected so tests never wait.
 */
import { CrossdockError } from '../../errors/index.ts';
import { parseOdooProfile, type OdooProfile, type OdooProfileInput } from './config.ts';
import { mapOdooFailure, odooErrorCodeOf, type OdooCallSite } from './error-map.ts';
import { isOdooFailureError, OdooFailureError, type OdooFailure } from './failure.ts';
import type { FetchLike } from './http.ts';
import { createJson2Transport, Json2ArgumentError } from './json2-transport.ts';
import { createJsonRpcTransport } from './jsonrpc-transport.ts';
import { backoffDelayMs, READ_ONLY_METHODS, shouldRetry } from './retry.ts';
import { Semaphore } from './semaphore.ts';
import type { OdooProtocol, OdooTransport, TransportCallContext, TransportOptions } from './transport.ts';
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
  fetch?: FetchLike;
  /** Waits between retries; tests pass a recorder that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); drives the backoff jitter. */
  random?: () => number;
  logger?: OdooClientLogger;
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

function invalidCall(message: string): CrossdockError {
  return new CrossdockError('ODOO_INVALID_ARGUMENT', message, { category: 'bug', retryable: false });
}

export function createOdooClient(profileInput: OdooProfileInput, dependencies: OdooClientDependencies = {}): OdooClient {
  const profile: OdooProfile = parseOdooProfile(profileInput);
  const baseUrl = profile.url.replace(/\/+$/, '');
  const sleep = dependencies.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = dependencies.random ?? Math.random;
  const semaphore = new Semaphore(profile.maxConcurrency);
  let requestCounter = 0;
  const transport = createTransport(profile.protocol, {
    baseUrl,
    fetch: dependencies.fetch ?? ((input, init) => fetch(input, init)),
    nextRequestId: () => (requestCounter += 1),
  });
  let uidPromise: Promise<number> | null = null;

  function transportContext(options: OdooCallOptions): TransportCallContext {
    const ctx: TransportCallContext = { timeoutMs: options.timeoutMs ?? profile.timeoutMs };
    if (options.signal !== undefined) ctx.signal = options.signal;
    return ctx;
  }

  /** One authenticate for all concurrent callers; a failed attempt is not cached. */
  function cachedUid(ctx: TransportCallContext): Promise<number> {
    if (uidPromise === null) {
      const pending = transport.authenticate(ctx, profile.database, profile.login, profile.apiKey).then((uid) => {
        if (uid === false) throw new OdooFailureError({ kind: 'login-refused', login: profile.login, database: profile.database });
        return uid;
      });
      uidPromise = pending;
      pending.catch(() => {
        if (uidPromise === pending) uidPromise = null;
      });
    }
    return uidPromise;
  }

  async function executeWithSession(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, ctx: TransportCallContext) {
    const send = async () => {
      const uid = transport.needsUid ? await cachedUid(ctx) : null;
      return transport.execute(ctx, { database: profile.database, uid, secret: profile.apiKey, model, method, args, kwargs });
    };
    try {
      return await send();
    } catch (error) {
      if (!isOdooFailureError(error) || odooErrorCodeOf(error.failure) !== 'ODOO_SESSION_EXPIRED') throw error;
      // Session expired: forget the uid, authenticate again and retry once.
      uidPromise = null;
      return send();
    }
  }

  async function withRetries<T>(site: OdooCallSite, repeatable: boolean, attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await semaphore.run(attemptOnce);
      } catch (error) {
        if (!isOdooFailureError(error)) throw error;
        const failure: OdooFailure = error.failure;
        const code = odooErrorCodeOf(failure);
        if (attempt >= profile.retry.maxAttempts || !shouldRetry(failure, code, repeatable)) {
          throw mapOdooFailure(failure, site, [profile.apiKey]);
        }
        const delayMs = backoffDelayMs(attempt, profile.retry, random);
        dependencies.logger?.warn(
          { profile: profile.name, model: site.model, method: site.method, attempt, code, delayMs },
          'retrying Odoo call after a transient failure',
        );
        await sleep(delayMs);
      }
    }
  }

  return {
    profileName: profile.name,
    protocol: profile.protocol,

    async call<T>(model: string, method: string, args: readonly unknown[] = [], kwargs = {}, context?: OdooContext, options: OdooCallOptions = {}) {
      if (!MODEL_NAME.test(model)) throw invalidCall(`invalid Odoo model name ${JSON.stringify(model)}`);
      if (!METHOD_NAME.test(method)) throw invalidCall(`invalid Odoo method name ${JSON.stringify(method)}`);
      const wireArgs = toWireValue([...args], 'args') as unknown[];
      const wireKwargs = toWireValue({ ...kwargs }, 'kwargs') as Record<string, unknown>;
      if (context !== undefined) {
        const existing = (wireKwargs.context ?? {}) as Record<string, unknown>;
        wireKwargs.context = { ...existing, ...(toWireValue({ ...context }, 'context') as Record<string, unknown>) };
      }
      const site: OdooCallSite = { baseUrl, model, method };
      const repeatable = options.idempotent === true || READ_ONLY_METHODS.has(method);
      const ctx = transportContext(options);
      try {
        return (await withRetries(site, repeatable, () => executeWithSession(model, method, wireArgs, wireKwargs, ctx))) as T;
      } catch (error) {
        if (error instanceof Json2ArgumentError) throw invalidCall(error.message);
        throw error;
      }
    },

    async version(options: OdooCallOptions = {}) {
      const ctx = transportContext(options);
      const raw = await withRetries({ baseUrl }, true, () => transport.version(ctx));
      return readServerVersion(raw);
    },

    async authenticate(options: OdooCallOptions = {}) {
      if (!transport.needsUid) return null;
      const ctx = transportContext(options);
      return withRetries({ baseUrl }, true, () => cachedUid(ctx));
    },
  };
}
