import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import { backoffDelayMs, type Backoff, type RandomSource } from '../../workflows/index.ts';
import { httpCall, HttpCallTimedOut, safeUrl } from '../http/index.ts';
import { answerInvalid, providerStatusError, providerTransportError } from './errors.ts';
import { aiProviderSettings, DEFAULT_AI_RETRY, type AiProviderSettings } from './settings.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A structured answer: its JSON Schema (sent as `response_format`) and the zod schema that checks it. */
export interface AnswerSchema<T> {
  name: string;
  jsonSchema: Record<string, unknown>;
  parse: z.ZodType<T>;
}

export interface Completion<T> {
  value: T;
  /** The model that answered, as the provider names it (may carry a version). */
  model: string;
  responseId: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** From the first request to the answer, retries and waits included. */
  latencyMs: number;
  attempts: number;
}

export interface AiClientDeps {
  sleep?: (ms: number) => Promise<void>;
  random?: RandomSource;
  now?: () => number;
  /**
   * Asked before each call (once, not per attempt): throws to refuse it, as the spending
   * limit does (AI_BUDGET_SPENT). Absent: every call is made.
   */
  admit?: () => Promise<void>;
}

/** The envelope of a chat completion, as much of it as this client reads. */
const Envelope = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() })
    .partial()
    .optional(),
});

/**
 * A client of one OpenAI-compatible chat completions endpoint (hosted, or llama.cpp's server,
 * Ollama, vLLM). Each call has a timeout; 429, 5xx, timeouts and unreachable hosts are tried
 * again with the project's backoff, never earlier than the provider's Retry-After, and not at
 * all when that is longer than `maxRetryAfterMs` (the caller falls back instead of holding a
 * worker). The answer's content must be JSON of the requested schema: anything else is
 * AI_ANSWER_INVALID, never a guess. A chat completion changes nothing at the provider, so a
 * repeat is harmless; the caller records its answer once.
 */
export class AiClient {
  readonly #s: AiProviderSettings;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: RandomSource;
  readonly #now: () => number;
  readonly #admit: (() => Promise<void>) | null;
  /** When the next call may go out under `requestsPerMinute`; taken before any wait. */
  #nextCallAt = 0;

  constructor(settings: AiProviderSettings, deps: AiClientDeps = {}) {
    this.#s = settings;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = deps.random ?? Math.random;
    this.#now = deps.now ?? Date.now;
    this.#admit = deps.admit ?? null;
  }

  get model(): string {
    return this.#s.model;
  }

  async complete<T>(messages: ChatMessage[], schema: AnswerSchema<T>): Promise<Completion<T>> {
    await this.#admit?.();
    const started = this.#now();
    const body = JSON.stringify({
      model: this.#s.model,
      messages,
      temperature: 0,
      response_format: {
        type: 'json_schema',
        json_schema: { name: schema.name, strict: true, schema: schema.jsonSchema },
      },
    });
    const backoff: Backoff = {
      initial_delay_ms: this.#s.retry.initialDelayMs,
      max_delay_ms: this.#s.retry.maxDelayMs,
      multiplier: 2,
      jitter: 0.2,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.#send(body);
        return {
          ...readAnswer(answer, schema),
          latencyMs: this.#now() - started,
          attempts: attempt,
        };
      } catch (error) {
        const failure = error as CrossdockError;
        if (!failure.retryable || attempt >= this.#s.retry.maxAttempts) throw failure;
        if ((failure.retryAfterMs ?? 0) > this.#s.retry.maxRetryAfterMs) throw failure;
        await this.#sleep(backoffDelayMs(backoff, attempt, this.#random, failure.retryAfterMs));
      }
    }
  }

  async #send(body: string) {
    const url = `${this.#s.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    await this.#turn(url);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.#s.apiKey) headers.authorization = `Bearer ${this.#s.apiKey}`;
    let answer;
    try {
      answer = await httpCall({ method: 'POST', url, headers, body, timeoutMs: this.#s.timeoutMs });
    } catch (error) {
      throw providerTransportError(url, error, error instanceof HttpCallTimedOut);
    }
    if (answer.status < 200 || answer.status > 299)
      throw providerStatusError(url, answer.status, answer, answer.text, this.#s.apiKey);
    return answer.text;
  }

  /**
   * Waits for this call's turn under `requestsPerMinute`. The turn is taken before the wait, so
   * calls made together go out one spacing apart, in the order they asked.
   */
  async #turn(url: string): Promise<void> {
    const perMinute = this.#s.requestsPerMinute;
    if (perMinute === undefined) return;
    const now = this.#now();
    const at = Math.max(now, this.#nextCallAt);
    const waitMs = at - now;
    if (waitMs > this.#s.retry.maxRetryAfterMs)
      throw new CrossdockError(
        'AI_RATE_LIMITED',
        `Crossdock's own limit of ${perMinute} calls a minute to ${safeUrl(url)} leaves no turn for ${Math.ceil(waitMs)} ms, longer than the ${this.#s.retry.maxRetryAfterMs} ms a call may wait (CROSSDOCK_AI_REQUESTS_PER_MINUTE, CROSSDOCK_AI_MAX_RETRY_AFTER_MS)`,
        { retryAfterMs: Math.ceil(waitMs) },
      );
    this.#nextCallAt = at + 60_000 / perMinute;
    if (waitMs > 0) await this.#sleep(waitMs);
  }
}

function readAnswer<T>(
  text: string,
  schema: AnswerSchema<T>,
): Omit<Completion<T>, 'latencyMs' | 'attempts'> {
  let envelope: z.infer<typeof Envelope>;
  try {
    envelope = Envelope.parse(JSON.parse(text));
  } catch {
    throw answerInvalid(`the provider's answer is not a chat completion: ${text.slice(0, 200)}`);
  }
  const choice = envelope.choices[0]!;
  if (choice.message.refusal)
    throw answerInvalid(`the model refused: ${choice.message.refusal.slice(0, 300)}`);
  const content = choice.message.content ?? '';
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    const cut = choice.finish_reason === 'length' ? ' (cut off: finish_reason length)' : '';
    throw answerInvalid(`the model's answer is not JSON${cut}: ${content.slice(0, 200)}`);
  }
  const checked = schema.parse.safeParse(json);
  if (!checked.success)
    throw answerInvalid(
      `the model's answer is not a valid ${schema.name}`,
      checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  return {
    value: checked.data,
    model: envelope.model ?? 'unknown',
    responseId: envelope.id ?? null,
    promptTokens: envelope.usage?.prompt_tokens ?? null,
    completionTokens: envelope.usage?.completion_tokens ?? null,
  };
}

/** sha256 of a text, hex: the input hash of the recommendation log. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The provider as Crossdock's configuration names it (CROSSDOCK_AI_*), checked, as a client. */
export function aiClientFor(
  ai: {
    baseUrl: string;
    model: string;
    apiKey: string | null;
    timeoutMs: number;
    maxAttempts: number;
    maxRetryAfterMs: number;
    requestsPerMinute?: number;
  },
  deps: AiClientDeps = {},
): AiClient {
  return new AiClient(
    aiProviderSettings({
      baseUrl: ai.baseUrl,
      model: ai.model,
      apiKey: ai.apiKey,
      timeoutMs: ai.timeoutMs,
      ...(ai.requestsPerMinute === undefined ? {} : { requestsPerMinute: ai.requestsPerMinute }),
      retry: {
        ...DEFAULT_AI_RETRY,
        maxAttempts: ai.maxAttempts,
        maxRetryAfterMs: ai.maxRetryAfterMs,
      },
    }),
    deps,
  );
}
