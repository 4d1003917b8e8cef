/**
 * XML-RPC as Odoo's server (Python's xmlrpc.client) reads and writes it. Output is
 * byte-for-byte Python's layout: `<?xml version='1.0'?>`, one element per line, floats
 * as repr() ("0.0"), None and recordsets refused ("cannot marshal ..."), as recorded in
 * xmlrpc-fault-none-result and xmlrpc-object-activity_schedule-recordset.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PyError, py } from '../errors.ts';
import { PyFloat, Recordset } from '../orm/wire.ts';

export interface MethodCall {
  method: string;
  params: unknown[];
}

const parser = new XMLParser({
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignoreAttributes: true,
});

type XmlNode = Record<string, unknown>;

const tagOf = (node: XmlNode): string => Object.keys(node)[0] ?? '';
const children = (node: XmlNode): XmlNode[] =>
  Array.isArray(node[tagOf(node)]) ? (node[tagOf(node)] as XmlNode[]) : [];
const elements = (node: XmlNode): XmlNode[] =>
  children(node).filter((child) => tagOf(child) !== '#text');
const text = (node: XmlNode): string =>
  children(node)
    .filter((c) => tagOf(c) === '#text')
    .map((c) => String(c['#text']))
    .join('');

function decodeValue(node: XmlNode): unknown {
  const [typed] = elements(node);
  if (typed === undefined) return text(node);
  const tag = tagOf(typed);
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8':
      return Number.parseInt(text(typed), 10);
    case 'double':
      return Number(text(typed));
    case 'boolean':
      return text(typed).trim() === '1';
    case 'string':
      return text(typed);
    case 'nil':
      return null;
    case 'array': {
      const data = elements(typed)[0];
      return data === undefined ? [] : elements(data).map(decodeValue);
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const member of elements(typed)) {
        const parts = elements(member);
        const name = parts.find((part) => tagOf(part) === 'name');
        const value = parts.find((part) => tagOf(part) === 'value');
        if (name !== undefined && value !== undefined) out[text(name)] = decodeValue(value);
      }
      return out;
    }
    default:
      return text(typed);
  }
}

/** Where expat stops on a truncated document: "no element found: line L, column C". */
function expatError(xml: string): PyError {
  const lines = xml.split('\n');
  const column = (lines.at(-1) ?? '').length;
  return new PyError(
    'xml.parsers.expat.ExpatError',
    `no element found: line ${lines.length}, column ${column}`,
  );
}

export function parseMethodCall(xml: string): MethodCall {
  if (XMLValidator.validate(xml) !== true) throw expatError(xml);
  const root = (parser.parse(xml) as XmlNode[]).find((node) => tagOf(node) === 'methodCall');
  if (root === undefined) throw expatError(xml);
  const parts = elements(root);
  const methodName = parts.find((part) => tagOf(part) === 'methodName');
  const params = parts.find((part) => tagOf(part) === 'params');
  const values =
    params === undefined
      ? []
      : elements(params).map((param) => decodeValue(elements(param)[0] ?? {}));
  return { method: methodName === undefined ? '' : text(methodName).trim(), params: values };
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pyFloatRepr(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

function dumpValue(value: unknown): string {
  if (value === undefined || value === null)
    throw py.typeError('cannot marshal None unless allow_none is enabled');
  if (value instanceof Recordset)
    throw py.typeError(`cannot marshal <class 'odoo.api.${value.model}'> objects`);
  if (value instanceof PyFloat)
    return `<value><double>${pyFloatRepr(value.value)}</double></value>\n`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>\n`;
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? `<value><int>${value}</int></value>\n`
      : `<value><double>${pyFloatRepr(value)}</double></value>\n`;
  if (typeof value === 'string') return `<value><string>${escape(value)}</string></value>\n`;
  if (Array.isArray(value))
    return `<value><array><data>\n${value.map(dumpValue).join('')}</data></array></value>\n`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).map(
      ([key, member]) => `<member>\n<name>${escape(key)}</name>\n${dumpValue(member)}</member>\n`,
    );
    return `<value><struct>\n${members.join('')}</struct></value>\n`;
  }
  throw py.typeError(`cannot marshal ${typeof value} objects`);
}

/** A methodResponse; throws the TypeError Python raises for values it cannot marshal. */
export function dumpResponse(value: unknown): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${dumpValue(value)}</param>\n</params>\n</methodResponse>\n`;
}

export function dumpFault(faultCode: number | string, faultString: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${dumpValue({ faultCode, faultString })}</fault>\n</methodResponse>\n`;
}

/** Odoo's /xmlrpc/2 fault codes: 2 UserError family, 3 AccessDenied, 4 AccessError, 1 otherwise. */
export function faultFor(error: PyError): { faultCode: number; faultString: string } {
  const name = error.shortName;
  if (
    ['UserError', 'ValidationError', 'MissingError', 'RedirectWarning'].includes(name) &&
    error.isOdooException()
  ) {
    return { faultCode: 2, faultString: error.pyMessage };
  }
  if (name === 'AccessDenied') return { faultCode: 3, faultString: error.pyMessage };
  if (name === 'AccessError') return { faultCode: 4, faultString: error.pyMessage };
  return { faultCode: 1, faultString: error.traceback };
}

/** Legacy /xmlrpc/object: a string faultCode "warning -- <Class>\n\n<message>" and an empty faultString. */
export function legacyFaultFor(error: PyError): { faultCode: string; faultString: string } {
  if (error.shortName === 'AccessDenied') return { faultCode: 'AccessDenied', faultString: '' };
  if (error.isOdooException())
    return { faultCode: `warning -- ${error.shortName}\n\n${error.pyMessage}`, faultString: '' };
  return { faultCode: error.traceback, faultString: '' };
}
