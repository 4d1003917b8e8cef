/**
 * JSON-RPC 2.0 as Odoo 17 (and, with error code 0, Odoo 19) serves it on POST /jsonrpc and the type="json" /web routes:
 * - a GET or a non-JSON content type: werkzeug's HTML 400 page; malformed JSON: HTML 400
 *   "Invalid JSON data" (both before Odoo's dispatcher);
 * - errors: HTTP 200 with `error: {code: 200|100, message, data: {name, debug, message,
 *   arguments, context}}`;
 * - a method returning None: no `result` member at all; a request without id: id null.
 */
import { PyError, py } from '../errors.ts';
import type { OdooService } from '../service.ts';
import { jsonRpcServerErrorCode } from '../version.ts';
import { dispatchService } from './dispatch.ts';
import {
  htmlResponse,
  jsonResponse,
  notJsonPage,
  type SimRequest,
  type SimResponse,
} from './http-types.ts';

export interface JsonRpcEnvelope {
  id: unknown;
  params: Record<string, unknown>;
}

/** The body of a type="json" request, or the HTML 400 Odoo answers before dispatching. */
export function readJsonRequest(request: SimRequest): JsonRpcEnvelope | SimResponse {
  if (request.method !== 'POST' || request.mimeType !== 'application/json')
    return notJsonPage(request.path);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return htmlResponse(400, 'Invalid JSON data');
  }
  const envelope =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const params =
    typeof envelope.params === 'object' && envelope.params !== null
      ? (envelope.params as Record<string, unknown>)
      : {};
  return { id: envelope.id ?? null, params };
}

export function isResponse(value: JsonRpcEnvelope | SimResponse): value is SimResponse {
  return 'status' in value;
}

/** `serverErrorCode`: 200 as Odoo 17 sends it, 0 as Odoo 19 does. */
export function rpcErrorBody(error: PyError, serverErrorCode = 200): Record<string, unknown> {
  const sessionExpired = error.shortName === 'SessionExpiredException';
  return {
    code: sessionExpired ? 100 : serverErrorCode,
    message: sessionExpired ? 'Odoo Session Expired' : 'Odoo Server Error',
    data: {
      name: error.qualifiedName,
      debug: error.traceback,
      message: error.pyMessage,
      arguments: error.pyArguments,
      context: error.context,
    },
  };
}

/** Runs `work` and wraps its result or error in the JSON-RPC envelope. */
export async function answerJsonRpc(
  id: unknown,
  work: () => Promise<unknown>,
  headers: Record<string, string> = {},
  serverErrorCode = 200,
): Promise<SimResponse> {
  try {
    const result = await work();
    return jsonResponse(
      200,
      result === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result },
      headers,
    );
  } catch (error) {
    const failure =
      error instanceof PyError
        ? error
        : py.exception(error instanceof Error ? (error.stack ?? error.message) : String(error));
    // Odoo cannot tell which request a session error belongs to: its id is null.
    const answerId = failure.shortName === 'SessionExpiredException' ? null : id;
    return jsonResponse(200, {
      jsonrpc: '2.0',
      id: answerId,
      error: rpcErrorBody(failure, serverErrorCode),
    });
  }
}

export async function handleJsonRpc(
  service: OdooService,
  request: SimRequest,
): Promise<SimResponse> {
  const envelope = readJsonRequest(request);
  if (isResponse(envelope)) return envelope;
  const { params } = envelope;
  const work = () =>
    dispatchService(service, 'jsonrpc', params.service, params.method, params.args);
  return answerJsonRpc(envelope.id, work, {}, jsonRpcServerErrorCode(service.odooVersion));
}
