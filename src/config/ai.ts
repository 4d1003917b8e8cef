/**
 * The AI provider's settings from the environment (CROSSDOCK_AI_*, docs/AI.md): what they are,
 * the provider they make, and which of them only make sense together.
 */
import { z } from 'zod';
import { AiPricesText } from './ai-prices.ts';
import { int } from './env-values.ts';

export const AiEnv = {
  /** An OpenAI-compatible provider for the ai.* steps (docs/AI.md): base URL up to /v1, and the model. */
  CROSSDOCK_AI_URL: z.url({ protocol: /^https?$/ }).optional(),
  CROSSDOCK_AI_MODEL: z.string().trim().min(1).max(200).optional(),
  /** The provider's key; sent only in its Authorization header, never logged or shown. */
  CROSSDOCK_AI_API_KEY: z.string().min(1).optional(),
  CROSSDOCK_AI_TIMEOUT_MS: int(100, 300_000).default(20_000),
  CROSSDOCK_AI_MAX_ATTEMPTS: int(1, 10).default(3),
  /** A longer Retry-After is not waited for: the step falls back at once. */
  CROSSDOCK_AI_MAX_RETRY_AFTER_MS: int(0, 300_000).default(10_000),
  /** Crossdock's own limit on calls to the provider, per process; unset: none (docs/AI.md). */
  CROSSDOCK_AI_REQUESTS_PER_MINUTE: int(1, 100_000).optional(),
  /** Dollars per 1M tokens by model, `model=input/output,...` (docs/AI.md, "Cost"); unset, only the built-in models are priced (0). */
  CROSSDOCK_AI_PRICES: AiPricesText.optional(),
};

export interface AiConfig {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
  maxAttempts: number;
  maxRetryAfterMs: number;
  /** CROSSDOCK_AI_REQUESTS_PER_MINUTE; absent: no limit of Crossdock's own. */
  requestsPerMinute?: number;
}

type AiValues = z.infer<z.ZodObject<typeof AiEnv>>;

/** The provider the values name, or null: without a URL and a model there is none. */
export function aiConfigOf(e: AiValues): AiConfig | null {
  return e.CROSSDOCK_AI_URL && e.CROSSDOCK_AI_MODEL
    ? {
        baseUrl: e.CROSSDOCK_AI_URL,
        model: e.CROSSDOCK_AI_MODEL,
        apiKey: e.CROSSDOCK_AI_API_KEY ?? null,
        timeoutMs: e.CROSSDOCK_AI_TIMEOUT_MS,
        maxAttempts: e.CROSSDOCK_AI_MAX_ATTEMPTS,
        maxRetryAfterMs: e.CROSSDOCK_AI_MAX_RETRY_AFTER_MS,
        ...(e.CROSSDOCK_AI_REQUESTS_PER_MINUTE === undefined
          ? {}
          : { requestsPerMinute: e.CROSSDOCK_AI_REQUESTS_PER_MINUTE }),
      }
    : null;
}

/** The provider's URL and model go together; a key without them would be sent nowhere. */
export function aiProblems(
  v: Record<string, string | undefined>,
): { path: string; message: string }[] {
  if (v.CROSSDOCK_AI_URL !== undefined && v.CROSSDOCK_AI_MODEL === undefined)
    return [{ path: 'CROSSDOCK_AI_MODEL', message: 'required with CROSSDOCK_AI_URL' }];
  if (v.CROSSDOCK_AI_URL === undefined)
    return ['CROSSDOCK_AI_MODEL', 'CROSSDOCK_AI_API_KEY']
      .filter((key) => v[key] !== undefined)
      .map((path) => ({
        path,
        message: 'set CROSSDOCK_AI_URL too (without it there is no provider)',
      }));
  return [];
}
