/**
 * The AI provider's settings from the environment (CROSSDOCK_AI_*, docs/AI.md): what they are,
 * the provider they make, and which of them only make sense together.
 */
import { z } from 'zod';
import { AiPricesText } from './ai-prices.ts';
import { dollars, int } from './env-values.ts';

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
  /** The spending limit on the provider, in dollars per UTC day and per UTC month (docs/AI.md, "Spending limit"). */
  CROSSDOCK_AI_BUDGET_DAILY_USD: dollars.optional(),
  CROSSDOCK_AI_BUDGET_MONTHLY_USD: dollars.optional(),
};

/** A spending limit: at most the provider's cost over a UTC day, a UTC month, or both. */
export interface AiBudget {
  dailyUsd: number | null;
  monthlyUsd: number | null;
}

export interface AiConfig {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
  maxAttempts: number;
  maxRetryAfterMs: number;
  /** CROSSDOCK_AI_REQUESTS_PER_MINUTE; absent: no limit of Crossdock's own. */
  requestsPerMinute?: number;
  /** CROSSDOCK_AI_BUDGET_*; absent: no spending limit. */
  budget?: AiBudget;
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
        ...(e.CROSSDOCK_AI_BUDGET_DAILY_USD === undefined &&
        e.CROSSDOCK_AI_BUDGET_MONTHLY_USD === undefined
          ? {}
          : {
              budget: {
                dailyUsd: e.CROSSDOCK_AI_BUDGET_DAILY_USD ?? null,
                monthlyUsd: e.CROSSDOCK_AI_BUDGET_MONTHLY_USD ?? null,
              },
            }),
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
    return [
      'CROSSDOCK_AI_MODEL',
      'CROSSDOCK_AI_API_KEY',
      'CROSSDOCK_AI_BUDGET_DAILY_USD',
      'CROSSDOCK_AI_BUDGET_MONTHLY_USD',
    ]
      .filter((key) => v[key] !== undefined)
      .map((path) => ({
        path,
        message: 'set CROSSDOCK_AI_URL too (without it there is no provider)',
      }));
  return budgetProblems(v);
}

/**
 * A budget counts dollars, so the configured model must have a price: a call of an unpriced
 * model costs an unknown amount, and a limit that cannot see it would not limit anything.
 */
function budgetProblems(
  v: Record<string, string | undefined>,
): { path: string; message: string }[] {
  const budgeted = ['CROSSDOCK_AI_BUDGET_DAILY_USD', 'CROSSDOCK_AI_BUDGET_MONTHLY_USD'].find(
    (key) => v[key] !== undefined,
  );
  if (!budgeted || v.CROSSDOCK_AI_MODEL === undefined) return [];
  const prices = AiPricesText.safeParse(v.CROSSDOCK_AI_PRICES ?? '');
  if (v.CROSSDOCK_AI_PRICES !== undefined && !prices.success) return []; // named by its own check
  if (prices.success && prices.data[v.CROSSDOCK_AI_MODEL.trim()]) return [];
  return [
    {
      path: 'CROSSDOCK_AI_PRICES',
      message: `must price ${v.CROSSDOCK_AI_MODEL.trim()} when ${budgeted} is set (a limit in dollars cannot count an unpriced model)`,
    },
  ];
}
