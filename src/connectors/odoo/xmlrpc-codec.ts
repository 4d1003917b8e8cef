/**
 * XML-RPC encoding and decoding for Odoo's /xmlrpc/2 endpoints.
 *
 * Decoding follows what Odoo 17 sends (see the xmlrpc-* fixtures): int, boolean, string,
 * double, array, struct, and also nil, i4/i8, base64 and dateTime.iso8601 which Python's
 * marshaller can produce. Odoo sends datetimes as plain strings; a dateTime.iso8601 value
 * is rewritten to the same "YYYY-MM-DD HH:MM:SS" form so callers see one encoding.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OdooFailureError, excerpt } from './failure.ts';

export type XmlRpcResponse =
  | { kind: 'result'; value: unknown }
  | { kind: 'fault'; faultCode: number | string; faultString: string };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeValue(value: unknown, path: string): string {
  if (value === null || value === undefined) return '<value><nil/></value>';
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'string') return `<value><string>${escapeXml(value)}</string></value>`;
  if (typeof value === 'number') return encodeNumber(value, path);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => encodeValue(item, `${path}[${index}]`)).join('\n');
    return `<value><array><data>\n${items}\n</data></array></value>`;
  }
  if (isPlainObject(value)) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(
        ([name, member]) =>
          `<member>\n<name>${escapeXml(name)}</name>\n${encodeValue(member, `${path}.${name}`)}\n</member>`,
      )
      .join('\n');
    return `<value><struct>\n${members}\n</struct></value>`;
  }
  throw new TypeError(
    `cannot encode ${Object.prototype.toString.call(value)} at ${path} as XML-RPC`,
  );
}

function encodeNumber(value: number, path: string): string {
  if (!Number.isFinite(value))
    throw new TypeError(`cannot encode non-finite number at ${path} as XML-RPC`);
  if (Number.isInteger(value)) {
    return value >= INT32_MIN && value <= INT32_MAX
      ? `<value><int>${value}</int></value>`
      : `<value><i8>${value}</i8></value>`;
  }
  return `<value><double>${value}</double></value>`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A methodCall document. Throws TypeError for values XML-RPC cannot carry (functions, Dates, NaN). */
export function encodeMethodCall(method: string, params: readonly unknown[]): string {
  const body = params
    .map((param, index) => `<param>\n${encodeValue(param, `params[${index}]`)}\n</param>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<methodCall>\n<methodName>${escapeXml(method)}</methodName>\n<params>\n${body}\n</params>\n</methodCall>\n`;
}

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignoreAttributes: true,
});

function malformed(detail: string): OdooFailureError {
  return new OdooFailureError({ kind: 'malformed-response', detail });
}

function tagOf(node: XmlNode): string {
  const key = Object.keys(node)[0];
  if (key === undefined) throw malformed('empty XML node');
  return key;
}

function childrenOf(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function elementsOf(node: XmlNode): XmlNode[] {
  return childrenOf(node).filter((child) => tagOf(child) !== '#text');
}

function textOf(node: XmlNode): string {
  return childrenOf(node)
    .filter((child) => tagOf(child) === '#text')
    .map((child) => String(child['#text']))
    .join('');
}

function onlyElement(node: XmlNode, expected: string): XmlNode {
  const [first, ...rest] = elementsOf(node);
  if (first === undefined || rest.length > 0 || tagOf(first) !== expected) {
    throw malformed(`expected a single <${expected}> inside <${tagOf(node)}>`);
  }
  return first;
}

function isoToOdoo(text: string): string {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (match === null) throw malformed(`unsupported dateTime.iso8601 value ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second] = match;
  return `${year}-${month}-${day} ${hour}:${minute}:${second}`;
}

function decodeScalar(tag: string, text: string): unknown {
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8': {
      const number = Number(text.trim());
      if (!Number.isInteger(number)) throw malformed(`bad <${tag}> value ${JSON.stringify(text)}`);
      return number;
    }
    case 'double': {
      const number = Number(text.trim());
      if (Number.isNaN(number)) throw malformed(`bad <double> value ${JSON.stringify(text)}`);
      return number;
    }
    case 'boolean':
      if (text.trim() === '1') return true;
      if (text.trim() === '0') return false;
      throw malformed(`bad <boolean> value ${JSON.stringify(text)}`);
    case 'string':
    case 'base64':
      return text;
    case 'dateTime.iso8601':
      return isoToOdoo(text);
    case 'nil':
      return null;
    default:
      throw malformed(`unsupported XML-RPC type <${tag}>`);
  }
}

function decodeValue(valueNode: XmlNode): unknown {
  const [typed, ...extra] = elementsOf(valueNode);
  if (typed === undefined) return textOf(valueNode);
  if (extra.length > 0) throw malformed('a <value> holds more than one element');
  const tag = tagOf(typed);
  if (tag === 'array') {
    return elementsOf(onlyElement(typed, 'data')).map((item) => decodeValue(item));
  }
  if (tag === 'struct') {
    const out: Record<string, unknown> = {};
    for (const member of elementsOf(typed)) {
      const parts = elementsOf(member);
      const nameNode = parts.find((part) => tagOf(part) === 'name');
      const memberValue = parts.find((part) => tagOf(part) === 'value');
      if (nameNode === undefined || memberValue === undefined)
        throw malformed('struct member without name/value');
      out[textOf(nameNode)] = decodeValue(memberValue);
    }
    return out;
  }
  return decodeScalar(tag, textOf(typed));
}

/** Reads a methodResponse document: a result value or a fault. Throws a malformed-response failure otherwise. */
export function decodeMethodResponse(xml: string): XmlRpcResponse {
  if (XMLValidator.validate(xml) !== true) throw malformed(`invalid XML: ${excerpt(xml)}`);
  const documentNodes = (parser.parse(xml) as XmlNode[]).filter((node) => tagOf(node) !== '#text');
  const root = documentNodes[0];
  if (root === undefined || tagOf(root) !== 'methodResponse')
    throw malformed('no <methodResponse> element');
  const [content] = elementsOf(root);
  if (content === undefined) throw malformed('empty <methodResponse>');
  if (tagOf(content) === 'fault') {
    const fault = decodeValue(onlyElement(content, 'value'));
    if (!isPlainObject(fault)) throw malformed('fault is not a struct');
    const { faultCode, faultString } = fault;
    if (
      (typeof faultCode !== 'number' && typeof faultCode !== 'string') ||
      typeof faultString !== 'string'
    ) {
      throw malformed('fault without faultCode/faultString');
    }
    return { kind: 'fault', faultCode, faultString };
  }
  if (tagOf(content) !== 'params')
    throw malformed(`unexpected <${tagOf(content)}> in <methodResponse>`);
  const param = onlyElement(content, 'param');
  return { kind: 'result', value: decodeValue(onlyElement(param, 'value')) };
}
