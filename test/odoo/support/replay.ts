/**
 * Replays a recorded request against the simulator and compares the answer with the
 * recorded one. Requests are sent as recorded, except for substitutions that stand for
 * things that cannot be the same here: secret placeholders (<API_KEY>, ...), the session
 * cookie, the lab's webhook listener URL (this run's listener has an ephemeral port) and
 * webhook UUIDs (random per server).
 */
import assert from 'node:assert/strict';
import { decodeMethodResponse } from '../../../src/connectors/odoo/index.ts';
import type { OdooSimulator } from '../../../sim/odoo/index.ts';
import type { Fixture } from './fixtures.ts';
import { compareShapes } from './shape.ts';
import { compareValues } from './values-compare.ts';
import type { ReceivedWebhook, WebhookListener } from './webhook-listener.ts';
import { compareTyped, compareTypedValues, typedResponse } from './xml-shape.ts';

export interface CompareRule {
  /** Compare Odoo's error message (and arguments) on the first line only. */
  errorMessage?: 'exact' | 'first-line';
  /** Result paths ("$[*].id", "payload.reserved_quantity") whose VALUES are not compared. */
  volatile?: string[];
  /** Why those values may differ; required with `volatile`, shown in COVERAGE.md. */
  why?: string;
  /** Differences (by their start) left out of the comparison: a recorded shape the simulator cannot give, with `why`. */
  ignore?: string[];
  /** With data-volatile answers: a value recorded as false (empty) may come back set, and the other way round. */
  emptyMayDiffer?: boolean;
}

export interface ReplayContext {
  sim: OdooSimulator;
  listener: WebhookListener;
  /** Recorded text -> text to send (placeholders, listener URL, webhook UUIDs). */
  substitutions: Map<string, string>;
  /** Simulator text -> recorded text, applied to answers before comparing values. */
  mapBack: Map<string, string>;
}

type MapBack = (text: string) => string;
const identity: MapBack = (text) => text;

export function mapBackOf(ctx: ReplayContext): MapBack {
  const pairs = [...ctx.mapBack].sort(([a], [b]) => b.length - a.length);
  return (text) => pairs.reduce((out, [from, to]) => out.split(from).join(to), text);
}

export interface ActualExchange {
  status: number;
  contentType: string;
  setCookie: string | null;
  wwwAuthenticate?: string | null;
  text: string;
}

/** `labListenerUrl`: where the lab's webhook listener was (9901 for the 17 set, 3130 for the 19 one). */
export function createReplayContext(
  sim: OdooSimulator,
  listener: WebhookListener,
  labListenerUrl = 'http://127.0.0.1:9901',
): ReplayContext {
  const admin = sim.users.find((user) => user.login === 'admin');
  const sales = sim.users.find((user) => user.login === 'salesuser');
  assert.ok(
    admin !== undefined && sales !== undefined,
    'the simulator needs the lab users admin and salesuser',
  );
  const substitutions = new Map<string, string>([
    ['<API_KEY>', admin.apiKeys[0] ?? ''],
    ['<ADMIN_PASSWORD>', admin.password],
    ['<SALESUSER_API_KEY>', sales.apiKeys[0] ?? ''],
    ['<SALESUSER_PASSWORD>', sales.password],
    [labListenerUrl, listener.url],
  ]);
  const mapBack = new Map<string, string>([
    [listener.url, labListenerUrl],
    [sim.url, 'http://127.0.0.1:8069'],
  ]);
  return { sim, listener, substitutions, mapBack };
}

function substitute(text: string, ctx: ReplayContext): string {
  let out = text;
  for (const [from, to] of ctx.substitutions) {
    out = out.split(from).join(to);
    const escaped = from.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    if (escaped !== from) out = out.split(escaped).join(to);
  }
  return out;
}

function substituteJson(value: unknown, ctx: ReplayContext): unknown {
  if (typeof value === 'string') return substitute(value, ctx);
  if (Array.isArray(value)) return value.map((item) => substituteJson(item, ctx));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, substituteJson(member, ctx)]),
    );
  }
  return value;
}

export async function replayRequest(ctx: ReplayContext, fixture: Fixture): Promise<ActualExchange> {
  const { request } = fixture;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, substitute(value, ctx)]),
  );
  const body =
    request.body === null
      ? undefined
      : typeof request.body === 'string'
        ? substitute(request.body, ctx)
        : JSON.stringify(substituteJson(request.body, ctx));
  const response = await fetch(`${ctx.sim.url}${substitute(request.path, ctx)}`, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    setCookie: response.headers.get('set-cookie'),
    wwwAuthenticate: response.headers.get('www-authenticate'),
    text: await response.text(),
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

function withoutIgnored(differences: string[], rule: CompareRule): string[] {
  return differences.filter(
    (difference) => !(rule.ignore ?? []).some((prefix) => difference.startsWith(prefix)),
  );
}

function compareJsonRpc(
  expected: Record<string, unknown>,
  actualText: string,
  rule: CompareRule,
  mapBack: MapBack,
): string[] {
  const actual = JSON.parse(actualText) as Record<string, unknown>;
  const out: string[] = [];
  if (actual.jsonrpc !== '2.0') out.push('envelope: jsonrpc is not "2.0"');
  if (JSON.stringify(actual.id) !== JSON.stringify(expected.id))
    out.push(`envelope: id ${JSON.stringify(actual.id)}, expected ${JSON.stringify(expected.id)}`);
  for (const member of ['result', 'error']) {
    if (member in expected !== member in actual)
      out.push(`envelope: "${member}" ${member in expected ? 'missing' : 'unexpected'}`);
  }
  if ('error' in expected && 'error' in actual) {
    const [e, a] = [
      expected.error as Record<string, unknown>,
      actual.error as Record<string, unknown>,
    ];
    const [ed, ad] = [e.data as Record<string, unknown>, (a.data ?? {}) as Record<string, unknown>];
    if (e.code !== a.code || e.message !== a.message)
      out.push(
        `error: ${String(a.code)} "${String(a.message)}", expected ${String(e.code)} "${String(e.message)}"`,
      );
    if (ed.name !== ad.name)
      out.push(`error class: ${String(ad.name)}, expected ${String(ed.name)}`);
    const same =
      rule.errorMessage === 'first-line'
        ? firstLine(String(ed.message)) === firstLine(String(ad.message))
        : ed.message === ad.message;
    if (!same)
      out.push(
        `error message: ${JSON.stringify(ad.message)}, expected ${JSON.stringify(ed.message)}`,
      );
    const shapes = compareShapes(
      { ...ed, message: '', debug: '' },
      { ...ad, message: '', debug: '' },
      'error.data',
    );
    out.push(...shapes);
    // debug is the server traceback (frames elided in the fixtures): only its type is compared.
    const cut = (values: unknown) =>
      rule.errorMessage === 'first-line' && Array.isArray(values)
        ? values.map((value) => firstLine(String(value)))
        : values;
    if (shapes.length === 0) {
      out.push(
        ...compareValues(
          cut(ed.arguments),
          cut(ad.arguments),
          'error.data.arguments',
          rule.volatile ?? [],
          mapBack,
        ),
      );
      out.push(
        ...compareValues(
          ed.context,
          ad.context,
          'error.data.context',
          rule.volatile ?? [],
          mapBack,
        ),
      );
    }
  }
  if ('result' in expected && 'result' in actual) {
    const shapes = withoutIgnored(compareShapes(expected.result, actual.result), rule);
    out.push(
      ...(shapes.length > 0
        ? shapes
        : compareValues(expected.result, actual.result, '$', rule.volatile ?? [], mapBack)),
    );
  }
  return out;
}

function compareXml(
  expectedText: string,
  actualText: string,
  rule: CompareRule,
  mapBack: MapBack,
): string[] {
  const [expected, actual] = [typedResponse(expectedText), typedResponse(actualText)];
  if (expected.kind !== actual.kind)
    return [`XML-RPC: got ${actual.kind}, expected ${expected.kind}`];
  if (expected.kind === 'params') {
    const shapes = withoutIgnored(compareTyped(expected.value, actual.value), rule);
    return shapes.length > 0
      ? shapes
      : compareTypedValues(expected.value, actual.value, '$', rule.volatile ?? [], mapBack);
  }
  const [e, a] = [decodeMethodResponse(expectedText), decodeMethodResponse(actualText)];
  if (e.kind !== 'fault' || a.kind !== 'fault') return ['XML-RPC: fault not decodable'];
  const out: string[] = [];
  if (e.faultCode !== a.faultCode)
    out.push(`faultCode ${JSON.stringify(a.faultCode)}, expected ${JSON.stringify(e.faultCode)}`);
  // faultCode 1 carries a traceback: only its exception line is Odoo's answer.
  const pick =
    e.faultCode === 1
      ? lastLine
      : rule.errorMessage === 'first-line'
        ? firstLine
        : (text: string) => text;
  if (pick(e.faultString) !== pick(a.faultString))
    out.push(
      `faultString ${JSON.stringify(pick(a.faultString))}, expected ${JSON.stringify(pick(e.faultString))}`,
    );
  return out;
}

/** JSON-2 answers are bare values or a flat error object: shape first, then values (debug by its exception line). */
function compareJson2(
  expected: unknown,
  actualText: string,
  rule: CompareRule,
  mapBack: MapBack,
): string[] {
  let actual: unknown;
  try {
    actual = JSON.parse(actualText);
  } catch {
    return [`body is not JSON: ${actualText.slice(0, 120)}`];
  }
  const emptiness = /: expected boolean false, got |, got boolean false$/;
  const shapes = withoutIgnored(compareShapes(expected, actual), rule).filter(
    (difference) => rule.emptyMayDiffer !== true || !emptiness.test(difference),
  );
  if (shapes.length > 0) return shapes;
  if (rule.errorMessage === 'first-line' && isErrorBody(expected) && isErrorBody(actual))
    return compareValues(
      firstLines(expected),
      firstLines(actual),
      '$',
      rule.volatile ?? [],
      mapBack,
    );
  return withoutIgnored(compareValues(expected, actual, '$', rule.volatile ?? [], mapBack), rule);
}

type Json2Error = {
  name: unknown;
  message: unknown;
  arguments: unknown;
  context: unknown;
  debug: unknown;
};

function isErrorBody(value: unknown): value is Json2Error {
  return typeof value === 'object' && value !== null && 'name' in value && 'debug' in value;
}

/** The error with its message, arguments and traceback exception cut to their first line. */
function firstLines(error: Json2Error): Json2Error {
  const cut = (value: unknown) => (typeof value === 'string' ? firstLine(value) : value);
  const exception = String(error.debug).split(/\n {2}\.\.\. \[[^\]\n]*\] \.\.\.\n/)[1] ?? '';
  return {
    ...error,
    message: cut(error.message),
    arguments: Array.isArray(error.arguments) ? error.arguments.map(cut) : error.arguments,
    debug: firstLine(exception),
  };
}

/** Differences between the recorded answer and the simulator's; empty when they match. */
export function compareExchange(
  fixture: Fixture,
  actual: ActualExchange,
  rule: CompareRule = {},
  mapBack: MapBack = identity,
): string[] {
  const { response } = fixture;
  const out: string[] = [];
  if (response.status !== actual.status)
    out.push(`HTTP status ${actual.status}, expected ${response.status}`);
  const expectedType = (response.headers['content-type'] ?? '').toLowerCase().replace(/\s/g, '');
  if (expectedType !== actual.contentType.toLowerCase().replace(/\s/g, ''))
    out.push(`content-type ${actual.contentType}, expected ${expectedType}`);
  const expectedCookie = response.headers['set-cookie'];
  if (
    expectedCookie !== undefined &&
    !/^session_id=[^;]+; Expires=[^;]+; Max-Age=604800; HttpOnly; Path=\/$/.test(
      actual.setCookie ?? '',
    )
  ) {
    out.push(`set-cookie ${String(actual.setCookie)} does not match ${expectedCookie}`);
  }
  const expectedChallenge = response.headers['www-authenticate'];
  if (expectedChallenge !== undefined && actual.wwwAuthenticate !== expectedChallenge)
    out.push(`www-authenticate ${String(actual.wwwAuthenticate)}, expected ${expectedChallenge}`);
  const body = response.body;
  if (fixture.request.path.startsWith('/json/2') && typeof body !== 'string')
    return [...out, ...compareJson2(body, actual.text, rule, mapBack)];
  if (typeof body === 'object' && body !== null && 'jsonrpc' in body)
    return [...out, ...compareJsonRpc(body as Record<string, unknown>, actual.text, rule, mapBack)];
  if (typeof body === 'string' && expectedType.startsWith('text/xml'))
    return [...out, ...compareXml(body, actual.text, rule, mapBack)];
  const actualBody: unknown = typeof body === 'string' ? actual.text : JSON.parse(actual.text);
  if (JSON.stringify(actualBody) !== JSON.stringify(body))
    out.push(
      `body ${JSON.stringify(actualBody).slice(0, 200)}, expected ${JSON.stringify(body).slice(0, 200)}`,
    );
  return out;
}

/** An outgoing webhook Odoo sent (recorded as the request the lab listener received). */
export function compareOutgoing(
  fixture: Fixture,
  received: ReceivedWebhook | undefined,
  rule: CompareRule = {},
  mapBack: MapBack = identity,
): string[] {
  if (received === undefined) return [`no webhook received on ${fixture.request.path}`];
  const out: string[] = [];
  if (received.method !== fixture.request.method)
    out.push(`method ${received.method}, expected ${fixture.request.method}`);
  for (const [name, value] of Object.entries(fixture.request.headers)) {
    const actual = received.headers[name];
    if (actual === undefined) out.push(`header ${name} missing`);
    else if (name !== 'Host' && name !== 'Content-Length' && actual !== value)
      out.push(`header ${name}: ${actual}, expected ${value}`);
  }
  const extra = Object.keys(received.headers).filter((name) => !(name in fixture.request.headers));
  if (extra.length > 0) out.push(`unexpected headers ${extra.join(', ')}`);
  const [expected, actual] = [
    fixture.request.body as Record<string, unknown>,
    received.body as Record<string, unknown>,
  ];
  const shapes = compareShapes(expected, actual, 'payload');
  out.push(
    ...(shapes.length > 0
      ? shapes
      : compareValues(expected, actual, 'payload', rule.volatile ?? [], mapBack)),
  );
  if (actual._model !== expected._model)
    out.push(`payload._model ${String(actual._model)}, expected ${String(expected._model)}`);
  if (!/^.+\(#\d+\)$/.test(String(actual._action)))
    out.push(`payload._action ${String(actual._action)} is not "<name>(#<id>)"`);
  const keys = Object.keys(actual);
  if (keys.join() !== [...keys].sort().join()) out.push('payload keys are not sorted');
  return out;
}
