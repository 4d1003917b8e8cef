/**
 * JSON-2 (POST /json/2/<model>/<method>), the API of Odoo 19+, as the recorded Odoo 19
 * server answers it (test/fixtures/odoo19, README "The JSON-2 protocol as observed"):
 * - checks in this order: the database named by X-Odoo-Database (unknown: an HTML 404);
 *   the HTTP method (anything but POST, and a path without model and method: 404 "Did you
 *   mean POST ..."); the content type (not JSON: an HTML 415); the bearer key (401 with
 *   `WWW-Authenticate: Bearer`); the body (not JSON: 400; a JSON value that is not an
 *   object is ignored); the model and method (404), private methods (403);
 * - the arguments are bound by name as Python's Signature.bind does: a missing or
 *   unknown argument, or `ids` given to a model-level method, is a 422;
 * - success is the bare value: a returned recordset (or a record id that Odoo 17
 *   returned through @api.returns) is a list of ids, None is null;
 * - errors are {name, message, arguments, context, debug}: 422 UserError/ValidationError,
 *   403 AccessError, 404 MissingError, 500 anything else.
 */
import { BindError } from '../orm/bind.ts';
import { PyError, py } from '../errors.ts';
import { toPlainJson } from '../orm/wire.ts';
import type { OdooService } from '../service.ts';
import { htmlResponse, jsonResponse, type SimRequest, type SimResponse } from './http-types.ts';

const ROUTE = /^\/json\/2\/([^/]+)\/([^/]+)$/;

/** @api.model methods: they take no ids (66-error-ids-on-model-method). */
const MODEL_METHODS = new Set([
  'search',
  'search_count',
  'search_read',
  'create',
  'fields_get',
  'name_search',
  'name_create',
  'default_get',
  'read_group',
  'check_access_rights',
]);

/** Methods whose record id Odoo 17 returned through @api.returns; Odoo 19 returns the recordset, i.e. a list of ids. */
const RETURNS_RECORDS = new Set([
  'create',
  'copy',
  'message_post',
  'message_log',
  'message_notify',
]);

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  422: 'Unprocessable Entity',
};

const POST_HINT = 'Did you mean POST /json/2/<model>/<method>?';
const NOT_AUTHENTICATED =
  'User not authenticated, use an API Key with a Bearer Authorization header.';

const UNKNOWN_DATABASE_PAGE =
  '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n';

const WRONG_CONTENT_TYPE_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try again.</p>\n';

function traceback(exceptionLine: string): string {
  return `Traceback (most recent call last):\n  ... [simulated by the Crossdock Odoo simulator: no Python frames] ...\n${exceptionLine}\n`;
}

function werkzeug(
  status: number,
  name: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  const qualified = `werkzeug.exceptions.${name}`;
  const debug = traceback(`${qualified}: ${status} ${STATUS_TEXT[status] ?? ''}: ${message}`);
  return jsonResponse(
    status,
    { name: qualified, message, arguments: [message, status], context: {}, debug },
    headers,
  );
}

function statusOf(error: PyError): number {
  switch (error.shortName) {
    case 'AccessError':
    case 'AccessDenied':
      return 403;
    case 'MissingError':
      return 404;
    case 'UserError':
    case 'ValidationError':
    case 'RedirectWarning':
      return error.isOdooException() ? 422 : 500;
    default:
      return 500;
  }
}

function errorResponse(error: PyError, model: string, method: string): SimResponse {
  // Only the called method's own binding is Signature.bind's 422; a TypeError further in is a 500 (64).
  if (error instanceof BindError && error.qualName.endsWith(`.${method}`))
    return werkzeug(422, 'UnprocessableEntity', error.signatureBindMessage);
  if (
    error.qualifiedName === 'odoo.exceptions.UserError' &&
    /^Object \S+ doesn't exist$/.test(error.pyMessage)
  ) {
    return werkzeug(404, 'NotFound', `the model '${model}' does not exist`);
  }
  if (error.qualifiedName === 'builtins.AttributeError')
    return werkzeug(404, 'NotFound', `The method '${model}.${method}' does not exist`);
  const body = {
    name: error.qualifiedName,
    message: error.pyMessage,
    arguments: error.pyArguments,
    context: error.context,
    debug: error.traceback,
  };
  return jsonResponse(statusOf(error), body);
}

/** Python's json.loads message for the text (13-error-malformed-json: "Expecting value: line 1 column 13 (char 12)"). */
function pythonJsonError(text: string, error: Error): string {
  const at = /position (\d+)/.exec(error.message);
  const index = at?.[1] !== undefined ? Number(at[1]) : text.length;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - (before.lastIndexOf('\n') + 1) + 1;
  return `could not parse the body as json: Expecting value: line ${line} column ${column} (char ${index})`;
}

/** The named arguments, or the response refusing the request before any method runs. */
function readArguments(
  service: OdooService,
  request: SimRequest,
): { uid: number; body: Record<string, unknown> } | SimResponse {
  if (request.body.trim() !== '' && request.mimeType !== 'application/json')
    return htmlResponse(415, WRONG_CONTENT_TYPE_PAGE);
  const authorization = String(request.headers.authorization ?? '');
  const key = /^bearer\s+(.+)$/i.exec(authorization)?.[1];
  const unauthorized = { 'www-authenticate': 'Bearer ' };
  if (key === undefined) return werkzeug(401, 'Unauthorized', NOT_AUTHENTICATED, unauthorized);
  const uid = service.uidOfApiKey(key.trim());
  if (uid === undefined) return werkzeug(401, 'Unauthorized', 'Invalid apikey', unauthorized);
  if (request.body.trim() === '') return { uid, body: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch (error) {
    return werkzeug(400, 'BadRequest', pythonJsonError(request.body, error as Error));
  }
  // A JSON array or scalar is ignored: the method is called without arguments (14).
  const body =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  return { uid, body };
}

export async function handleJson2(
  service: OdooService,
  request: SimRequest,
): Promise<SimResponse | null> {
  if (request.path !== '/json/2' && !request.path.startsWith('/json/2/')) return null;
  const database = request.headers['x-odoo-database'];
  if (database !== undefined && database !== service.database)
    return htmlResponse(404, UNKNOWN_DATABASE_PAGE);
  const route = ROUTE.exec(request.path);
  if (route === null || request.method !== 'POST') return werkzeug(404, 'NotFound', POST_HINT);
  const read = readArguments(service, request);
  if ('status' in read) return read;
  const model = decodeURIComponent(route[1] ?? '');
  const method = decodeURIComponent(route[2] ?? '');
  const { ids, context, ...kwargs } = read.body;
  if (MODEL_METHODS.has(method) && ids !== undefined)
    return werkzeug(422, 'UnprocessableEntity', `cannot call ${model}.${method} with ids`);
  const args = MODEL_METHODS.has(method) ? [] : [ids ?? []];
  try {
    const result = await service.execute({
      protocol: 'json2',
      uid: read.uid,
      model,
      method,
      args,
      kwargs: context === undefined ? kwargs : { ...kwargs, context },
    });
    if (result === undefined) return jsonResponse(200, null);
    if (RETURNS_RECORDS.has(method) && typeof result === 'number')
      return jsonResponse(200, [result]);
    return jsonResponse(200, toPlainJson(result));
  } catch (error) {
    return errorResponse(
      error instanceof PyError ? error : py.exception(String(error)),
      model,
      method,
    );
  }
}
