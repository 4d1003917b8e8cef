/**
 * JSON-2 (Odoo 19+): POST /json/2/<model>/<method> with `Authorization: bearer <API key>`
 * and `X-Odoo-Database`, body `{ids, context, ...named parameters}`. Every call runs in
 * its own transaction. There is no uid and no positional argument on this protocol, so
 * the facade's execute_kw-style (args, kwargs) are turned into named parameters here:
 * record methods take `args[0]` as `ids`; other positional arguments need a known
 * parameter name (the tables below) or the call is refused before anything is sent.
 */
import { exchange } from './http.ts';
import { OdooFailureError } from './failure.ts';
import { readJson2Answer } from './readers.ts';
import type {
  ExecuteRequest,
  OdooTransport,
  TransportCallContext,
  TransportOptions,
} from './transport.ts';

/** Positional parameter names of @api.model methods (called without ids). */
const MODEL_METHOD_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  search: ['domain', 'offset', 'limit', 'order'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  search_count: ['domain', 'limit'],
  create: ['vals_list'],
  fields_get: ['allfields', 'attributes'],
  name_search: ['name', 'domain', 'operator', 'limit'],
  name_create: ['name'],
  default_get: ['fields_list'],
  read_group: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
  check_access_rights: ['operation', 'raise_exception'],
};

/** Positional parameter names, after the ids, of record methods. */
const RECORD_METHOD_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  read: ['fields', 'load'],
  write: ['vals'],
};

/**
 * Methods that return one new record. Odoo 17 sent its id (@api.returns); Odoo 19's JSON-2
 * sends the recordset as a list of ids, even for one record (31-create-sale.order: [35],
 * 39-message_post: [671]). The transport gives the bare id back when one record was asked
 * for, so a step reads the same value whatever the transport.
 */
const RETURNS_ONE_RECORD: Readonly<Record<string, (args: readonly unknown[]) => boolean>> = {
  create: (args) => typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0]),
  message_post: () => true,
};

/** The answer as the other transports give it (see RETURNS_ONE_RECORD). */
export function json2Result(method: string, args: readonly unknown[], result: unknown): unknown {
  const single = RETURNS_ONE_RECORD[method]?.(args) === true;
  if (single && Array.isArray(result) && result.length === 1 && typeof result[0] === 'number')
    return result[0];
  return result;
}

/** Thrown before sending when a call cannot be expressed on JSON-2. */
export class Json2ArgumentError extends Error {
  override name = 'Json2ArgumentError';
}

function isIdList(value: unknown): value is number[] {
  return (
    Array.isArray(value) && value.every((id) => typeof id === 'number' && Number.isInteger(id))
  );
}

/** Builds the JSON-2 body from execute_kw-style arguments; exported for tests. */
export function json2Body(
  method: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  let positional = [...args];
  let names = MODEL_METHOD_PARAMETERS[method];
  if (names === undefined) {
    const [ids, ...rest] = positional;
    if (ids !== undefined) {
      if (typeof ids === 'number' && Number.isInteger(ids)) body.ids = [ids];
      else if (isIdList(ids)) body.ids = ids;
      else
        throw new Json2ArgumentError(
          `${method}: the first positional argument must be the record ids`,
        );
    }
    positional = rest;
    names = RECORD_METHOD_PARAMETERS[method] ?? [];
  }
  if (positional.length > names.length) {
    throw new Json2ArgumentError(
      `${method}: pass arguments by name (kwargs); JSON-2 has no positional parameters`,
    );
  }
  positional.forEach((value, index) => {
    const name = names[index];
    if (name !== undefined) body[name] = value;
  });
  for (const [name, value] of Object.entries(kwargs)) {
    if (name in body)
      throw new Json2ArgumentError(
        `${method}: parameter "${name}" given both by position and by name`,
      );
    body[name] = value;
  }
  return body;
}

export function createJson2Transport(options: TransportOptions): OdooTransport {
  function context(ctx: TransportCallContext): Pick<TransportCallContext, 'signal'> {
    return ctx.signal === undefined ? {} : { signal: ctx.signal };
  }

  return {
    protocol: 'json2',
    needsUid: false,
    async version(ctx) {
      const answer = await exchange(options.http, {
        method: 'GET',
        url: `${options.baseUrl}/web/version`,
        headers: { Accept: 'application/json' },
        timeoutMs: ctx.timeoutMs,
        ...context(ctx),
      });
      return readJson2Answer(answer);
    },
    authenticate() {
      return Promise.reject(
        new OdooFailureError({
          kind: 'malformed-response',
          detail: 'JSON-2 has no authenticate call',
        }),
      );
    },
    async execute(ctx, request: ExecuteRequest) {
      const body = json2Body(request.method, request.args, request.kwargs);
      const answer = await exchange(options.http, {
        method: 'POST',
        url: `${options.baseUrl}/json/2/${encodeURIComponent(request.model)}/${encodeURIComponent(request.method)}`,
        headers: {
          Authorization: `bearer ${request.secret}`,
          'X-Odoo-Database': request.database,
          'Content-Type': 'application/json; charset=utf-8',
          Accept: 'application/json',
        },
        body: JSON.stringify(body),
        timeoutMs: ctx.timeoutMs,
        ...context(ctx),
      });
      return json2Result(request.method, request.args, readJson2Answer(answer));
    },
  };
}
