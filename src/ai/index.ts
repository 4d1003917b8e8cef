export { aiClassifyStep, AiClassifyConfig } from './step.ts';
export { AiTriage, GATE_ACTOR, type AiTriageOptions, type TriageResult } from './triage.ts';
export { AiReviews, ReviewDecision, type RecommendationView } from './reviews.ts';
export { redactCase, personalKey, type CaseForPrompt, type Redacted } from './redact.ts';
export { TRIAGE_USE } from './triage-prompt.ts';
