/**
 * Reference extraction from inbound e-mail behind a confidence gate (the `ai.extract` step).
 * The message is redacted (redactMail: no sender, no recipients, personal data blanked) and
 * the provider asked for the purchase order, tracking number, order name, delay reason and
 * new date, each with a confidence. Without a usable answer (no provider configured, provider
 * down, 429 beyond the retries, timeout, an invalid answer) the deterministic extractor
 * (extract-rules.ts) answers instead, and the row says why (its error code). Either answer
 * is recorded in the recommendation log before it is acted on. The gate: every value the
 * workflow requires is present with a confidence at or above the threshold (`applied`), else
 * a person reviews it (`review`, pending in the log); a decision signals the run (reviews.ts).
 */
import { costOf, type AiPrices } from './cost.ts';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AiClient, sha256 } from '../connectors/ai/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import { dynamic, type StepType } from '../workflows/index.ts';
import { EXTRACT_USE, extractMessages, extractSchema } from './extract-prompt.ts';
import {
  EXTRACT_FIELDS,
  extractByRules,
  type ExtractField,
  type Extraction,
} from './extract-rules.ts';
import { recordRecommendation, recommendationByKey, type RecommendationRow } from './log.ts';
import { redactMail } from './redact.ts';
import { GATE_ACTOR } from './triage.ts';

/** The model named on rows the deterministic extractor answered. */
export const RULES_MODEL = 'crossdock-rules';
/** The signal a person's decision on a review sends to the run (payload: { recommendationId, status, values }). */
export const REVIEW_SIGNAL = 'ai.review';

const Message = z.object({
  subject: z.string().max(10_000).default(''),
  text: z.string().max(1_000_000).default(''),
  from: z.object({ name: z.string().default(''), address: z.string().default('') }).optional(),
});

export const AiExtractConfig = z.strictObject({
  use: z.literal(EXTRACT_USE),
  /** The `mail.received` payload (subject, text, from), usually `= input`. */
  message: dynamic(Message),
  threshold: z.number().min(0).max(1),
  /** The values the gate needs, each at or above the threshold. */
  require: z.array(z.enum(EXTRACT_FIELDS)).min(1).max(EXTRACT_FIELDS.length),
});
export type AiExtractConfig = z.infer<typeof AiExtractConfig>;

export interface ExtractResult {
  recommendationId: string;
  outcome: 'applied' | 'review';
  /** Who answered: the provider, or the rules (with the provider's error code, if one was asked). */
  by: 'provider' | 'rules';
  values: Record<(typeof EXTRACT_FIELDS)[number], string>;
  confidence: Record<(typeof EXTRACT_FIELDS)[number], number>;
  /** The lowest confidence among the required values (0 when one is missing): what the gate compared. */
  gateConfidence: number;
  errorCode: string | null;
}

export class AiExtraction {
  constructor(
    private readonly o: {
      db: Kysely<Database>;
      client: AiClient | null;
      now: () => Date;
      /** Dollars per 1M tokens by model (CROSSDOCK_AI_PRICES); absent: none configured. */
      prices?: AiPrices;
    },
  ) {}

  /** Once per step position: a repeat finds its row by key and the provider is not asked again. */
  async extract(
    request: Omit<AiExtractConfig, 'message'> & {
      message: z.infer<typeof Message>;
      openKey: string;
      runId: string | null;
      workflowId: string | null;
    },
  ): Promise<ExtractResult> {
    const found = await recommendationByKey(this.o.db, request.openKey);
    return resultOf(found ?? (await this.#ask(request)));
  }

  async #ask(request: Parameters<AiExtraction['extract']>[0]): Promise<RecommendationRow> {
    const { db, client, now } = this.o;
    const started = Date.now();
    const { redacted, messages, answer, provider, error } = await extractMail(
      client,
      request.message,
    );
    const gate = gateConfidence(answer, request.require);
    const applied = gate >= request.threshold;
    const values = valuesOf(answer);
    const { row } = await recordRecommendation(db, {
      openKey: request.openKey,
      use: EXTRACT_USE,
      caseId: null,
      runId: request.runId,
      workflowId: request.workflowId,
      inputHash: sha256(redacted.text),
      prompt: { messages, require: request.require, redacted: redacted.counts },
      model: client?.model ?? '(none)',
      answeredModel: provider?.model ?? RULES_MODEL,
      responseId: provider?.responseId ?? null,
      answer,
      confidence: gate,
      threshold: request.threshold,
      outcome: applied ? 'applied' : 'review',
      errorCode: error?.code ?? null,
      errorMessage: error ? error.message.slice(0, 1000) : null,
      latencyMs: provider?.latencyMs ?? Date.now() - started,
      attempts: provider?.attempts ?? 0,
      promptTokens: provider?.promptTokens ?? null,
      completionTokens: provider?.completionTokens ?? null,
      costUsd: costOf(this.o.prices ?? {}, {
        model: client?.model ?? '(none)',
        answeredModel: provider?.model ?? RULES_MODEL,
        promptTokens: provider?.promptTokens ?? null,
        completionTokens: provider?.completionTokens ?? null,
      }),
      reviewStatus: applied ? null : 'pending',
      final: applied ? values : null,
      decidedBy: applied ? GATE_ACTOR : null,
      at: now(),
    });
    return row;
  }
}

export type MailMessage = z.infer<typeof Message>;

/**
 * One message asked as the step asks it: redacted, to the provider, else (no provider, or no
 * usable answer from it) to the rules. Records nothing: `crossdock ai eval` uses it too.
 */
export async function extractMail(client: AiClient | null, m: MailMessage) {
  const redacted = redactMail({
    subject: m.subject,
    text: m.text,
    people: m.from?.name ? [m.from.name] : [],
    addresses: m.from?.address ? [m.from.address] : [],
  });
  const messages = extractMessages(redacted.text);
  let answer: Extraction;
  let provider: Awaited<ReturnType<AiClient['complete']>> | null = null;
  let error: CrossdockError | null = null;
  try {
    if (!client)
      throw new CrossdockError(
        'AI_NOT_CONFIGURED',
        'No AI provider is configured (CROSSDOCK_AI_URL, CROSSDOCK_AI_MODEL)',
      );
    provider = await client.complete(messages, extractSchema());
    answer = provider.value as Extraction;
  } catch (e) {
    if (!(e instanceof CrossdockError) || !e.code.startsWith('AI_')) throw e;
    error = e;
    // The rules read the message here, in this process: nothing of it leaves.
    answer = extractByRules({ subject: m.subject, text: m.text });
  }
  return { redacted, messages, answer, provider, error };
}

/** What the gate compares: the lowest confidence of the required values, 0 for a missing one. */
export function gateConfidence(answer: Extraction, require: readonly ExtractField[]): number {
  return Math.min(...require.map((f) => (answer[f].value === '' ? 0 : answer[f].confidence)));
}

function valuesOf(answer: Extraction): ExtractResult['values'] {
  return Object.fromEntries(
    EXTRACT_FIELDS.map((f) => [f, answer[f].value]),
  ) as ExtractResult['values'];
}

function resultOf(row: RecommendationRow): ExtractResult {
  const answer = row.answer as Extraction;
  return {
    recommendationId: row.id,
    outcome: row.outcome === 'applied' ? 'applied' : 'review',
    by: row.answered_model === RULES_MODEL ? 'rules' : 'provider',
    values: valuesOf(answer),
    confidence: Object.fromEntries(
      EXTRACT_FIELDS.map((f) => [f, answer[f].confidence]),
    ) as ExtractResult['confidence'],
    gateConfidence: Number(row.confidence),
    errorCode: row.error_code,
  };
}

/**
 * The `ai.extract` step. It never fails the run because of the provider: the rules answer
 * instead. Output: ExtractResult. Idempotent per step position (the row's key).
 */
export function aiExtractStep(extraction: AiExtraction | null): StepType<AiExtractConfig> {
  return {
    type: 'ai.extract',
    description:
      'Extracts references (PO, tracking number, order, reason, new date) from an e-mail; applied at or above the threshold, else a person reviews them',
    config: AiExtractConfig as z.ZodType<AiExtractConfig>,
    sideEffect: true,
    ownIdempotency: 'the recommendation is recorded once per step position',
    async execute(ctx, config) {
      if (!extraction)
        throw new CrossdockError(
          'AI_EXTRACT_UNAVAILABLE',
          'ai.extract steps run only in a Crossdock with a store',
        );
      const message = Message.safeParse(config.message);
      if (!message.success)
        throw new CrossdockError('STEP_CONFIG_INVALID', 'ai.extract: `message` is not an e-mail', {
          details: message.error.issues.map((i) => ({
            path: ['message', ...i.path].join('.'),
            message: i.message,
          })),
        });
      const result = await extraction.extract({
        ...config,
        message: message.data,
        openKey: ctx.idempotencyKey,
        runId: ctx.runId,
        workflowId: ctx.workflowId,
      });
      ctx.log('info', `ai.extract: ${result.outcome} (${result.by})`, {
        recommendation: result.recommendationId,
        confidence: result.gateConfidence,
        error: result.errorCode,
      });
      return { kind: 'done', output: result };
    },
    describe: (c) =>
      `would extract ${c.require.join(', ')} from the e-mail (applied at confidence >= ${c.threshold})`,
  };
}
