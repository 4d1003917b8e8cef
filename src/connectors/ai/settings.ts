import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';

/**
 * Where the provider is and how patiently to call it. The key comes from the environment
 * (CROSSDOCK_AI_API_KEY, read by src/config) and is only ever put in the Authorization
 * header: never logged, never stored, never in a prompt or an error message.
 */
export const AiProviderSettings = z.strictObject({
  /** The OpenAI-compatible base, up to and including `/v1`: https://api.openai.com/v1, http://127.0.0.1:11434/v1. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().trim().min(1).max(200),
  /** Null for a local server that asks for none. */
  apiKey: z.string().min(1).nullable(),
  timeoutMs: z.int().min(100).max(300_000),
  /**
   * Crossdock's own limit on calls to the provider, per process (each retry counts): calls are
   * spaced evenly, and one whose turn is further away than `retry.maxRetryAfterMs` is not made
   * (AI_RATE_LIMITED), so the step falls back instead of holding a worker. Absent: no limit.
   */
  requestsPerMinute: z.int().min(1).max(100_000).optional(),
  retry: z.strictObject({
    maxAttempts: z.int().min(1).max(10),
    initialDelayMs: z.int().min(0).max(60_000),
    maxDelayMs: z.int().min(0).max(300_000),
    /** A longer Retry-After is not waited for: the call fails and the step falls back. */
    maxRetryAfterMs: z.int().min(0).max(300_000),
  }),
});
export type AiProviderSettings = z.infer<typeof AiProviderSettings>;

export const DEFAULT_AI_RETRY: AiProviderSettings['retry'] = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
};

/** Checks settings; every bad value is listed, the key's value never. */
export function aiProviderSettings(input: unknown): AiProviderSettings {
  const parsed = AiProviderSettings.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new CrossdockError('AI_CONFIG_INVALID', 'The AI provider settings are not valid', {
    details: parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.path[0] === 'apiKey' ? 'must be a non-empty string or null' : i.message,
    })),
  });
}
