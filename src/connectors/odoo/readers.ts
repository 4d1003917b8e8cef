/**
 * Turn an HTTP answer from Odoo into a result or an OdooFailureError, per protocol.
 * These readers hold the protocol facts recorded in test/fixtures/odoo17:
 * - JSON-RPC errors come back with HTTP 200 and an `error` member; a missing `result`
 *   member means the method returned None (read as null);
 * - errors raised before Odoo's dispatcher are HTTP 400 HTML pages;
 * - XML-RPC faults are HTTP 200 `<fault>`s; "cannot marshal None" means the method ran,
 *   committed and returned None, so it is read as null like over JSON-RPC;
 * - JSON-2 (Odoo 19+) answers 200 with the bare result, or 4xx/5xx with {name, message}.
 */
import { decodeMethodResponse } from './xmlrpc-codec.ts';
import { excerpt, OdooFailureError } from './failure.ts';
import type { HttpAnswer } from './http.ts';

function httpStatusFailure(answer: HttpAnswer): OdooFailureError {
  return new OdooFailureError({
    kind: 'http-status',
    httpStatus: answer.status,
    contentType: answer.contentType,
    bodyExcerpt: excerpt(answer.text),
  });
}

function malformed(detail: string): OdooFailureError {
  return new OdooFailureError({ kind: 'malformed-response', detail });
}

function parseJson(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw malformed(`not JSON: ${excerpt(answer.text)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-RPC 2.0 answer from /jsonrpc. `expectedId` is the id we sent. */
export function readJsonRpcAnswer(answer: HttpAnswer, expectedId: number | null): unknown {
  if (answer.status !== 200) throw httpStatusFailure(answer);
  const body = parseJson(answer);
  if (!isObject(body) || body.jsonrpc !== '2.0')
    throw malformed(`not a JSON-RPC 2.0 envelope: ${excerpt(answer.text)}`);
  if ('error' in body) {
    const error = body.error;
    if (!isObject(error)) throw malformed('JSON-RPC error member is not an object');
    const data = isObject(error.data) ? error.data : {};
    throw new OdooFailureError({
      kind: 'rpc-error',
      transport: 'jsonrpc',
      httpStatus: answer.status,
      code: typeof error.code === 'number' ? error.code : null,
      name: typeof data.name === 'string' ? data.name : 'unknown',
      message: typeof data.message === 'string' ? data.message : String(error.message ?? ''),
    });
  }
  // Odoo echoes our id; a mismatch means we are reading someone else's answer.
  if (body.id !== expectedId)
    throw malformed(`JSON-RPC id ${JSON.stringify(body.id)} does not match ${expectedId}`);
  return 'result' in body ? body.result : null;
}

/** An XML-RPC methodResponse from /xmlrpc/2/common or /xmlrpc/2/object. */
export function readXmlRpcAnswer(answer: HttpAnswer): unknown {
  if (answer.status !== 200) throw httpStatusFailure(answer);
  const response = decodeMethodResponse(answer.text);
  if (response.kind === 'result') return response.value;
  const { faultCode, faultString } = response;
  if (
    faultCode === 1 &&
    /TypeError: cannot marshal None unless allow_none is enabled\s*$/.test(faultString)
  ) {
    return null;
  }
  throw new OdooFailureError({ kind: 'xmlrpc-fault', faultCode, faultString });
}

/** A JSON-2 answer from /json/2/<model>/<method>. */
export function readJson2Answer(answer: HttpAnswer): unknown {
  if (answer.status === 200) return parseJson(answer);
  let body: unknown;
  try {
    body = JSON.parse(answer.text) as unknown;
  } catch {
    throw httpStatusFailure(answer);
  }
  if (!isObject(body) || typeof body.name !== 'string') throw httpStatusFailure(answer);
  throw new OdooFailureError({
    kind: 'rpc-error',
    transport: 'json2',
    httpStatus: answer.status,
    code: null,
    name: body.name,
    message: typeof body.message === 'string' ? body.message : '',
  });
}
