export { aiClassifyStep, AiClassifyConfig } from './step.ts';
export { AiTriage, GATE_ACTOR, type AiTriageOptions, type TriageResult } from './triage.ts';
export { AiReviews, ReviewDecision, type RecommendationView } from './reviews.ts';
export { redactCase, personalKey, type CaseForPrompt, type Redacted } from './redact.ts';
export { TRIAGE_USE } from './triage-prompt.ts';
export {
  AiExtraction,
  aiExtractStep,
  AiExtractConfig,
  REVIEW_SIGNAL,
  RULES_MODEL,
  type ExtractResult,
} from './extract.ts';
export { extractByRules, EXTRACT_FIELDS, type Extraction } from './extract-rules.ts';
export { EXTRACT_USE } from './extract-prompt.ts';
export { redactMail } from './redact.ts';
