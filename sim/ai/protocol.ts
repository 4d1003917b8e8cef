/**
 * The OpenAI chat completions protocol as the simulator speaks it: the answer's envelope
 * and the error bodies, in the shapes the hosted API sends (and that llama.cpp's server,
 * Ollama and vLLM copy): `{ error: { message, type, param, code } }`.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'developer' | 'tool';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  response_format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: { name: string; strict?: boolean; schema: JsonSchema } };
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
}

export interface SimAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function errorAnswer(
  status: number,
  error: { message: string; type: string; param?: string | null; code?: string | null },
  headers: Record<string, string> = {},
): SimAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      error: {
        message: error.message,
        type: error.type,
        param: error.param ?? null,
        code: error.code ?? null,
      },
    }),
  };
}

export const ERRORS = {
  missingKey: () =>
    errorAnswer(401, {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      type: 'invalid_request_error',
    }),
  wrongKey: (given: string) =>
    errorAnswer(401, {
      message: `Incorrect API key provided: ${mask(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    }),
  rateLimited: (model: string, retryAfterS: number) =>
    errorAnswer(
      429,
      {
        message: `Rate limit reached for ${model} in organization org-sim on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfterS}s.`,
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
      {
        'retry-after': String(retryAfterS),
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': `${retryAfterS}s`,
      },
    ),
  server: (status: number) =>
    errorAnswer(status, {
      message:
        status === 503
          ? 'The engine is currently overloaded, please try again later'
          : 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
    }),
  modelNotFound: (model: string) =>
    errorAnswer(404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      code: 'model_not_found',
    }),
  invalid: (message: string, param: string | null = null) =>
    errorAnswer(400, { message, type: 'invalid_request_error', param }),
};

/** The hosted API shows the first and last characters of a wrong key, never the whole. */
function mask(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

export function completionAnswer(
  id: string,
  model: string,
  content: string,
  finishReason: 'stop' | 'length',
  promptText: string,
  createdS: number,
): SimAnswer {
  const promptTokens = approximateTokens(promptText);
  const completionTokens = approximateTokens(content);
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': `req_${id}` },
    body: JSON.stringify({
      id: `chatcmpl-${id}`,
      object: 'chat.completion',
      created: createdS,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
      system_fingerprint: 'fp_crossdock_sim',
    }),
  };
}

/** About four characters a token, as tokenizers for English text average. */
function approximateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Whether a value matches the subset of JSON Schema that structured outputs accept in
 * strict mode (object, properties, required, additionalProperties: false, enum, string,
 * number, integer, boolean, array); the first mismatch, or null.
 */
export function schemaMismatch(value: unknown, schema: JsonSchema, path = '$'): string | null {
  if (schema.enum && !schema.enum.includes(value)) return `${path} is not one of the enum`;
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return `${path} is not an object`;
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? [])
        if (!(name in record)) return `${path}.${name} is missing`;
      for (const [name, item] of Object.entries(record)) {
        const sub = schema.properties?.[name];
        if (!sub) {
          if (schema.additionalProperties === false) return `${path}.${name} is not allowed`;
          continue;
        }
        const inner = schemaMismatch(item, sub, `${path}.${name}`);
        if (inner) return inner;
      }
      return null;
    }
    case 'string':
      return typeof value === 'string' ? null : `${path} is not a string`;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value)))
        return `${path} is not a ${schema.type}`;
      if (schema.minimum !== undefined && value < schema.minimum) return `${path} is too small`;
      if (schema.maximum !== undefined && value > schema.maximum) return `${path} is too large`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${path} is not a boolean`;
    case 'array':
      if (!Array.isArray(value)) return `${path} is not an array`;
      for (const [i, item] of value.entries()) {
        const inner = schema.items ? schemaMismatch(item, schema.items, `${path}[${i}]`) : null;
        if (inner) return inner;
      }
      return null;
    default:
      return null;
  }
}
