/**
 * XML-RPC over POST /xmlrpc/2/common (version, authenticate) and /xmlrpc/2/object
 * (execute_kw). Faults carry an integer faultCode (see error-map.ts).
 */
import { exchange } from './http.ts';
import { OdooFailureError } from './failure.ts';
import { readXmlRpcAnswer } from './readers.ts';
import { encodeMethodCall } from './xmlrpc-codec.ts';
import {
  readUid,
  type ExecuteRequest,
  type OdooTransport,
  type TransportCallContext,
  type TransportOptions,
} from './transport.ts';

export function createXmlRpcTransport(options: TransportOptions): OdooTransport {
  async function callEndpoint(
    ctx: TransportCallContext,
    endpoint: 'common' | 'object',
    method: string,
    params: unknown[],
  ): Promise<unknown> {
    let body: string;
    try {
      body = encodeMethodCall(method, params);
    } catch (error) {
      throw new OdooFailureError({
        kind: 'malformed-response',
        detail: `request not encodable: ${(error as Error).message}`,
      });
    }
    const answer = await exchange(options.http, {
      method: 'POST',
      url: `${options.baseUrl}/xmlrpc/2/${endpoint}`,
      headers: { 'Content-Type': 'text/xml', Accept: 'text/xml' },
      body,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    return readXmlRpcAnswer(answer);
  }

  return {
    protocol: 'xmlrpc',
    needsUid: true,
    version: (ctx) => callEndpoint(ctx, 'common', 'version', []),
    async authenticate(ctx, database, login, secret) {
      const result = await callEndpoint(ctx, 'common', 'authenticate', [
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
      return callEndpoint(ctx, 'object', 'execute_kw', [
        database,
        uid,
        secret,
        model,
        method,
        [...args],
        { ...kwargs },
      ]);
    },
  };
}
