/**
 * JSON-RPC over POST /jsonrpc (Odoo 14 to 18; deprecated in 19):
 * `{"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw",
 *   "args":[db, uid, key, model, method, args, kwargs]},"id":N}`.
 */
import { exchange } from './http.ts';
import { OdooFailureError } from './failure.ts';
import { readJsonRpcAnswer } from './readers.ts';
import {
  readUid,
  type ExecuteRequest,
  type OdooTransport,
  type TransportCallContext,
  type TransportOptions,
} from './transport.ts';

export function createJsonRpcTransport(options: TransportOptions): OdooTransport {
  async function callService(
    ctx: TransportCallContext,
    service: string,
    method: string,
    args: unknown[],
  ): Promise<unknown> {
    const id = options.nextRequestId();
    const body = JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { service, method, args },
      id,
    });
    const answer = await exchange(options.http, {
      method: 'POST',
      url: `${options.baseUrl}/jsonrpc`,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    return readJsonRpcAnswer(answer, id);
  }

  return {
    protocol: 'jsonrpc',
    needsUid: true,
    version: (ctx) => callService(ctx, 'common', 'version', []),
    async authenticate(ctx, database, login, secret) {
      const result = await callService(ctx, 'common', 'authenticate', [
        database,
        login,
        secret,
        {},
      ]);
      try {
        return readUid(result);
      } catch (error) {
        throw new OdooFailureError({
          kind: 'malformed-response',
          detail: (error as Error).message,
        });
      }
    },
    execute(ctx, request: ExecuteRequest) {
      const { database, uid, secret, model, method, args, kwargs } = request;
      return callService(ctx, 'object', 'execute_kw', [
        database,
        uid,
        secret,
        model,
        method,
        args,
        kwargs,
      ]);
    },
  };
}
