/**
 * JSON-2 (POST /json/2/<model>/<method>), the API of Odoo 19+. The recorded server is
 * Odoo 17, which has no JSON-2, so this follows Odoo 19's published documentation and
 * source instead of fixtures: bearer API key (401 werkzeug Unauthorized "Invalid
 * apikey" otherwise), body {ids, context, ...named parameters}, the bare result on 200
 * (recordsets as id lists, None as null), errors as {name, message, arguments, context,
 * debug} with 422 for UserError/ValidationError and bad arguments, 403 AccessError,
 * 404 MissingError or an unknown model/method, 500 otherwise.
 */
import { PyError, py } from '../errors.ts';
import { toPlainJson } from '../orm/wire.ts';
import type { OdooService } from '../service.ts';
import { jsonResponse, type SimRequest, type SimResponse } from './http-types.ts';

const ROUTE = /^\/json\/2\/([^/]+)\/([^/]+)$/;

function errorBody(name: string, message: string, args: readonly unknown[], context: object = {}, debug = ''): Record<string, unknown> {
  return { name, message, arguments: args, context, debug };
}

function werkzeug(status: number, name: string, message: string): SimResponse {
  return jsonResponse(status, errorBody(`werkzeug.exceptions.${name}`, message, [message, status]));
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

function errorResponse(error: PyError): SimResponse {
  // Odoo binds the arguments before calling: a bad parameter is 422 Unprocessable Entity.
  if (error.qualifiedName === 'builtins.TypeError' && /unexpected keyword argument|missing \d+ required|positional argument/.test(error.pyMessage)) {
    return werkzeug(422, 'UnprocessableEntity', error.pyMessage);
  }
  const unknownModel = /^Object (\S+) doesn't exist$/.exec(error.pyMessage);
  if (error.qualifiedName === 'odoo.exceptions.UserError' && unknownModel !== null) {
    return werkzeug(404, 'NotFound', `the model '${unknownModel[1] ?? ''}' does not exist`);
  }
  if (error.qualifiedName === 'builtins.AttributeError' || /^Private methods/.test(error.pyMessage)) {
    return werkzeug(404, 'NotFound', error.pyMessage);
  }
  return jsonResponse(statusOf(error), errorBody(error.qualifiedName, error.pyMessage, error.pyArguments, error.context, error.traceback));
}

export async function handleJson2(service: OdooService, request: SimRequest): Promise<SimResponse | null> {
  const route = ROUTE.exec(request.path);
  if (route === null) return request.path.startsWith('/json/2') ? werkzeug(404, 'NotFound', 'Did you mean POST /json/2/<model>/<method>?') : null;
  if (request.method !== 'POST') return werkzeug(405, 'MethodNotAllowed', 'The method is not allowed for the requested URL.');
  const authorization = String(request.headers.authorization ?? '');
  const key = /^bearer\s+(.+)$/i.exec(authorization)?.[1];
  const uid = key === undefined ? undefined : service.uidOfApiKey(key.trim());
  if (uid === undefined) return werkzeug(401, 'Unauthorized', 'Invalid apikey');
  const database = request.headers['x-odoo-database'];
  if (database !== undefined && database !== service.database) return werkzeug(404, 'NotFound', `database ${String(database)} not found`);
  let body: Record<string, unknown> = {};
  if (request.body.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(request.body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return werkzeug(400, 'BadRequest', 'could not parse the body, expecting a json object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      return werkzeug(400, 'BadRequest', `could not parse the body as json: ${(error as Error).message}`);
    }
  }
  const { ids, context, ...kwargs } = body;
  const args = Array.isArray(ids) ? [ids] : [];
  try {
    const result = await service.execute({
      protocol: 'json2', uid, model: decodeURIComponent(route[1] ?? ''), method: decodeURIComponent(route[2] ?? ''), args,
      kwargs: context === undefined ? kwargs : { ...kwargs, context },
    });
    return jsonResponse(200, result === undefined ? null : toPlainJson(result));
  } catch (error) {
    return errorResponse(error instanceof PyError ? error : py.exception(String(error)));
  }
}
