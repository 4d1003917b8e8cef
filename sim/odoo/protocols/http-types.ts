/** The simulator's view of one HTTP exchange, independent of node:http. */
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Media type without parameters, lower-cased ("application/json"). */
  mimeType: string;
  body: string;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';
export const XML_TYPE = 'text/xml; charset=utf-8';

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function htmlResponse(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': HTML_TYPE }, body };
}

/** Werkzeug's page for a request that is not JSON on a type="json" route (jsonrpc-get.json). */
export function notJsonPage(path: string): SimResponse {
  return htmlResponse(
    400,
    `<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;${path}&#39; is type=&#39;json&#39;.</p>\n`,
  );
}

export function notFoundPage(): SimResponse {
  return htmlResponse(
    404,
    '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
  );
}
