/**
 * Odoo connector: a client facade over JSON-RPC, XML-RPC and JSON-2, the error map, and
 * helpers for Odoo's value encodings, domains and x2many commands.
 */
export { createOdooClient } from './client.ts';
export type {
  OdooCallOptions,
  OdooClient,
  OdooClientDependencies,
  OdooClientLogger,
  OdooContext,
} from './client.ts';
export { OdooProfileSchema, parseOdooProfile } from './config.ts';
export type { OdooProfile, OdooProfileInput, RetryPolicy } from './config.ts';
export { ODOO_PROTOCOLS } from './transport.ts';
export type { OdooProtocol } from './transport.ts';
export type { OdooServerVersion } from './version.ts';
export type { HttpExchange } from './http.ts';

export { ODOO_ERROR_CODES, mapOdooFailure, odooErrorCodeOf, odooExceptionOf } from './error-map.ts';
export type { OdooCallSite, OdooErrorCode, OdooException } from './error-map.ts';
export { isOdooFailureError, OdooFailureError } from './failure.ts';
export type { OdooFailure } from './failure.ts';
export { readJsonRpcAnswer, readJson2Answer, readXmlRpcAnswer } from './readers.ts';
export type { HttpAnswer } from './http.ts';
export { decodeMethodResponse, encodeMethodCall } from './xmlrpc-codec.ts';
export type { XmlRpcResponse } from './xmlrpc-codec.ts';
export { certainlyNotCommitted, odooBackoff, READ_ONLY_METHODS } from './retry.ts';

export {
  formatOdooDate,
  formatOdooDatetime,
  fromOdooOptional,
  isMany2onePair,
  many2oneId,
  many2oneName,
  optionalOdooDatetime,
  parseOdooDate,
  parseOdooDatetime,
  parseRecordsetString,
  recordIdsFromResult,
  toOdooOptional,
} from './values.ts';
export type { Many2oneValue, RecordsetReference } from './values.ts';

export { and, leaf, not, or, toDomain, where, DOMAIN_OPERATORS } from './domain.ts';
export type {
  Condition,
  Domain,
  DomainLeaf,
  DomainOperator,
  DomainTerm,
  DomainValueFor,
} from './domain.ts';

export { Command } from './commands.ts';
export type { OdooValues, X2manyCommand } from './commands.ts';
