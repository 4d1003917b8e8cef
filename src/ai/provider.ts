/**
 * Where a triage answer comes from: an OpenAI-compatible provider (CROSSDOCK_AI_URL), or
 * the built-in offline model trained on the site's own history, which is the default. Both
 * are given the same redacted case text; both answer with a category and team from the
 * step's lists and a confidence, or (the offline model only) abstain with confidence 0.
 */
import type { AiClient, ChatMessage } from '../connectors/ai/index.ts';
import type { ExampleRow } from './log.ts';
import {
  NO_EXTRAS,
  triageMessages,
  triageSchema,
  type TriageAnswer,
  type TriageWants,
} from './triage-prompt.ts';

export interface TriageAsk {
  /** The redacted case, as redactCase writes it. */
  text: string;
  categories: string[];
  teams: string[];
  /** People's decisions the chat provider's prompt carries (the offline model is trained on them). */
  examples: ExampleRow[];
  /** Asked beyond the category and team (severity, a drafted summary); none when absent. */
  wants?: TriageWants;
  /**
   * The step's threshold. The offline model answers a severity only when its probability
   * reaches it (absent: only when sure); the category and team are gated by the caller.
   */
  threshold?: number;
}

/** The model declined to answer: it has too few examples, or none of the step's classes. */
export interface Abstention {
  abstained: true;
  category: null;
  team: null;
  action: null;
  confidence: 0;
  reason: string;
}

export interface TriageReply {
  answer: TriageAnswer | Abstention;
  /** What answered, with its version: `crossdock-offline@3`, or the provider's model name. */
  answeredModel: string;
  responseId: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  attempts: number;
}

export interface TriageProvider {
  /** The configured model, as the recommendation log names it. */
  readonly model: string;
  /** What the model is given for a case, as the log keeps it (redacted). */
  messages(ask: TriageAsk): ChatMessage[];
  triage(ask: TriageAsk): Promise<TriageReply>;
}

export function isAbstention(answer: unknown): answer is Abstention {
  return (answer as { abstained?: unknown } | null)?.abstained === true;
}

export function abstain(reason: string): Abstention {
  return { abstained: true, category: null, team: null, action: null, confidence: 0, reason };
}

/** An OpenAI-compatible chat endpoint: the prompt with the step's lists and people's examples. */
export function chatTriageProvider(client: AiClient): TriageProvider {
  return {
    model: client.model,
    messages: (ask) =>
      triageMessages(ask.text, ask.categories, ask.teams, ask.examples, ask.wants ?? NO_EXTRAS),
    async triage(ask) {
      const answer = await client.complete(
        this.messages(ask),
        triageSchema(ask.categories, ask.teams, ask.wants ?? NO_EXTRAS),
      );
      return {
        answer: answer.value,
        answeredModel: answer.model,
        responseId: answer.responseId,
        promptTokens: answer.promptTokens,
        completionTokens: answer.completionTokens,
        latencyMs: answer.latencyMs,
        attempts: answer.attempts,
      };
    },
  };
}
