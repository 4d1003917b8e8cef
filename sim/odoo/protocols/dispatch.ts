/**
 * The RPC services as /jsonrpc and /xmlrpc expose them: `common`, `db` and `object`,
 * with Odoo 17's answers for unknown services (KeyError) and methods ("Method not
 * found"). Both protocols call this; only the encoding differs.
 */
import type { SimProtocol } from '../call-log.ts';
import { py } from '../errors.ts';
import type { OdooService } from '../service.ts';

export async function dispatchService(
  service: OdooService,
  protocol: SimProtocol,
  serviceName: unknown,
  method: unknown,
  args: unknown,
): Promise<unknown> {
  const params = Array.isArray(args) ? args : [];
  service.logLegacyCall();
  switch (serviceName) {
    case 'common':
      return commonService(service, protocol, String(method), params);
    case 'db':
      if (method === 'list') return [service.database];
      throw py.exception(`Method not found: ${String(method)}`);
    case 'object':
      return objectService(service, protocol, String(method), params);
    default:
      throw py.keyError(String(serviceName));
  }
}

function commonService(
  service: OdooService,
  protocol: SimProtocol,
  method: string,
  params: unknown[],
): unknown {
  switch (method) {
    case 'version':
      return service.serverVersion;
    case 'about':
      return 'See http://openerp.com';
    case 'login':
    case 'authenticate':
      return service.authenticate(protocol, params[0], params[1], params[2]);
    default:
      throw py.exception(`Method not found: ${method}`);
  }
}

async function objectService(
  service: OdooService,
  protocol: SimProtocol,
  method: string,
  params: unknown[],
): Promise<unknown> {
  const [database, uid, secret, model, modelMethod, ...rest] = params;
  if (method !== 'execute_kw' && method !== 'execute')
    throw py.exception(`Method not found: ${method}`);
  const checkedUid = service.checkCredentials(database, uid, secret);
  const args = method === 'execute_kw' ? (rest[0] ?? []) : rest;
  const kwargs = method === 'execute_kw' ? (rest[1] ?? {}) : {};
  return service.execute({
    protocol,
    uid: checkedUid,
    model: String(model),
    method: String(modelMethod),
    args,
    kwargs,
  });
}
