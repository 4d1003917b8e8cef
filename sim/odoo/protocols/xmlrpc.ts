/**
 * XML-RPC on /xmlrpc/2/<service> (faults with integer codes) and the legacy
 * /xmlrpc/<service> (string faultCode "warning -- <Class>\n\n<message>"). Faults are
 * HTTP 200. A result Python cannot marshal (None, a recordset) becomes fault 1 after
 * the method ran and committed, as recorded in xmlrpc-fault-none-result.
 */
import { PyError, py } from '../errors.ts';
import type { OdooService } from '../service.ts';
import { dispatchService } from './dispatch.ts';
import { htmlResponse, XML_TYPE, type SimRequest, type SimResponse } from './http-types.ts';
import {
  dumpFault,
  dumpResponse,
  faultFor,
  legacyFaultFor,
  parseMethodCall,
} from './xmlrpc-wire.ts';

const ROUTE = /^\/xmlrpc\/(2\/)?(common|object|db)$/;

function xml(body: string): SimResponse {
  return { status: 200, headers: { 'content-type': XML_TYPE }, body };
}

export async function handleXmlRpc(
  service: OdooService,
  request: SimRequest,
): Promise<SimResponse | null> {
  const route = ROUTE.exec(request.path);
  if (route === null) return null;
  if (request.method !== 'POST')
    return htmlResponse(
      405,
      '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n',
    );
  const legacy = route[1] === undefined;
  const protocol = legacy ? 'xmlrpc-legacy' : 'xmlrpc';
  try {
    const call = parseMethodCall(request.body);
    const result = await dispatchService(service, protocol, route[2], call.method, call.params);
    return xml(dumpResponse(result));
  } catch (error) {
    const failure =
      error instanceof PyError
        ? error
        : py.exception(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const fault = legacy ? legacyFaultFor(failure) : faultFor(failure);
    return xml(dumpFault(fault.faultCode, fault.faultString));
  }
}
