/**
 * An OpenAI-compatible chat completions server for tests and demos (node:http, 127.0.0.1,
 * a free port). It speaks the protocol as the hosted API does: POST /v1/chat/completions,
 * bearer auth (401 with the real error body), `response_format: json_schema` honoured (the
 * answer is checked against the request's schema, as strict mode guarantees), 429 with
 * Retry-After, 5xx, a configured delay (the client's timeout), and malformed content when
 * asked. Its answers come from a scripted model: rules a test sets, first match wins; no
 * real model. Every request is recorded so a test can check what was sent.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RecordLog } from '../record-log.ts';
import {
  completionAnswer,
  ERRORS,
  schemaMismatch,
  type ChatRequest,
  type SimAnswer,
} from './protocol.ts';

export type { ChatMessage, ChatRequest, JsonSchema } from './protocol.ts';

/** One rule of the scripted model: when `match` says so, answer with this object. */
export interface ScriptRule {
  /** A test on the last user message (a RegExp), or on the whole request. */
  match: RegExp | ((request: ChatRequest) => boolean);
  answer: Record<string, unknown> | ((request: ChatRequest) => Record<string, unknown>);
}

/** What the next request gets instead of the scripted answer; taken one per request. */
export type AiFault =
  | { kind: 'status'; status: 500 | 502 | 503 }
  | { kind: 'rate_limited'; retryAfterS: number }
  /** Content that is not JSON (a truncated answer, finish_reason "length"). */
  | { kind: 'malformed' }
  /** Valid JSON that does not match the requested schema (a server without strict mode). */
  | { kind: 'off_schema'; content: Record<string, unknown> };

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** Whether the request carried the simulator's key; the key itself is not kept. */
  authorized: boolean;
  /** The raw body as received. */
  body: string;
  request: ChatRequest | null;
}

export interface AiSimulatorOptions {
  /** The bearer key the simulator accepts; null accepts any request (a local server). */
  apiKey?: string | null;
  /** Model names it serves; the first is reported when a request names it. */
  models?: string[];
  keepRecords?: number;
}

export interface AiSimulator {
  url: string;
  requests: RecordLog<RecordedRequest>;
  rules: ScriptRule[];
  /** Faults for the next requests, in order (one per request). */
  faults: AiFault[];
  /** Every answer waits this long first (0: none); a client with a shorter timeout gives up. */
  delayMs: number;
  /** Mistakes in the script (no rule matched, an answer outside the schema), answered as 500. */
  scriptErrors: string[];
  close(): Promise<void>;
}

export async function startAiSimulator(options: AiSimulatorOptions = {}): Promise<AiSimulator> {
  const apiKey = options.apiKey === undefined ? 'sk-sim-test-key' : options.apiKey;
  const models = options.models ?? ['sim-triage-1'];
  const sockets = new Set<Socket>();
  let seq = 0;
  const sim: AiSimulator = {
    url: '',
    requests: new RecordLog(options.keepRecords),
    rules: [],
    faults: [],
    delayMs: 0,
    scriptErrors: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const answer = (method: string, path: string, auth: string | undefined, body: string) => {
    let request: ChatRequest | null;
    try {
      request = JSON.parse(body) as ChatRequest;
    } catch {
      request = null;
    }
    const id = ++seq;
    const given = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : null;
    sim.requests.add({
      seq: id,
      method,
      path,
      authorized: apiKey === null || given === apiKey,
      body,
      request,
    });
    if (apiKey !== null && given === null) return ERRORS.missingKey();
    if (apiKey !== null && given !== apiKey) return ERRORS.wrongKey(given ?? '');
    if (method !== 'POST' || path !== '/v1/chat/completions')
      return ERRORS.invalid(`Invalid URL (${method} ${path})`);
    if (request === null)
      return ERRORS.invalid(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
      );
    return complete(sim, models, request, id);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const result = answer(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        req.headers.authorization,
        Buffer.concat(chunks).toString('utf8'),
      );
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(result.status, result.headers);
        res.end(result.body);
      };
      if (sim.delayMs > 0) {
        const timer = setTimeout(send, sim.delayMs);
        res.on('close', () => clearTimeout(timer));
      } else send();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return sim;
}

function complete(sim: AiSimulator, models: string[], request: ChatRequest, id: number): SimAnswer {
  if (typeof request.model !== 'string' || !models.includes(request.model))
    return ERRORS.modelNotFound(String(request.model));
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    return ERRORS.invalid("Invalid 'messages': empty array.", 'messages');
  const fault = sim.faults.shift();
  if (fault?.kind === 'status') return ERRORS.server(fault.status);
  if (fault?.kind === 'rate_limited') return ERRORS.rateLimited(request.model, fault.retryAfterS);
  const promptText = request.messages.map((m) => m.content).join('\n');
  const created = 1_765_000_000 + id;
  const reply = (content: string, finish: 'stop' | 'length' = 'stop') =>
    completionAnswer(
      String(id).padStart(6, '0'),
      request.model,
      content,
      finish,
      promptText,
      created,
    );
  if (fault?.kind === 'malformed') return reply('{"category": "carrier_del', 'length');
  if (fault?.kind === 'off_schema') return reply(JSON.stringify(fault.content));

  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const rule = sim.rules.find((r) =>
    r.match instanceof RegExp ? r.match.test(lastUser) : r.match(request),
  );
  if (!rule) return scriptError(sim, `no rule for: ${lastUser.slice(0, 200)}`);
  const value = typeof rule.answer === 'function' ? rule.answer(request) : rule.answer;
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    // Strict structured output: the hosted API never answers outside the schema, so a
    // script that would is the test's mistake, said loudly.
    const mismatch = schemaMismatch(value, format.json_schema.schema);
    if (mismatch) return scriptError(sim, `the scripted answer breaks the schema: ${mismatch}`);
  }
  return reply(JSON.stringify(value));
}

/** A mistake in the test's script: kept for the test to see, answered as a server error. */
function scriptError(sim: AiSimulator, message: string): SimAnswer {
  sim.scriptErrors.push(message);
  return ERRORS.server(500);
}
