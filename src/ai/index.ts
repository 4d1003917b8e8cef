export { aiClassifyStep, AiClassifyConfig } from './step.ts';
export { AiTriage, GATE_ACTOR, type AiTriageOptions, type TriageResult } from './triage.ts';
export { AiReviews, ReviewDecision, type RecommendationView } from './reviews.ts';
export { redactCase, personalKey, type CaseForPrompt, type Redacted } from './redact.ts';
export { TRIAGE_USE } from './triage-prompt.ts';
export {
  chatTriageProvider,
  isAbstention,
  type TriageAsk,
  type TriageProvider,
  type TriageReply,
} from './provider.ts';
export { OfflineTriageModel, OFFLINE_MODEL, MIN_EXAMPLES } from './offline/offline-provider.ts';
export { aiTrainStep, AiTrainConfig } from './train-step.ts';
export {
  aiTriageQueueStep,
  AiTriageQueueConfig,
  CASE_OPENED_EVENT,
  TRIAGE_WORKFLOW,
} from './triage-queue.ts';
export { extractiveSummary } from './summary.ts';
export { evaluateMail, readMailSet, type MailEvalReport } from './mail-eval.ts';
export { trainTriageModel, type TrainingSummary } from './training.ts';
export { evaluate, type EvalReport, type ClassFigures } from './eval.ts';
export { readLabelledSet, type LabelledCase } from './labelled-set.ts';
export { listModels, type ModelRow } from './models.ts';
export { currentTriageModelVersion } from './training.ts';
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
export {
  aiDelayRiskStep,
  AiDelayRiskConfig,
  DelayRiskModel,
  DELAY_RISK_USE,
  evaluateDelayRisk,
  priorityList,
  readDelaySet,
  trainDelayRiskModel,
  type DelayEvalReport,
  type DelayTrainingSummary,
  type PriorityList,
  type ScoredDelivery,
} from './delay-risk/index.ts';
export { AiSpendingLimit, BUDGET_ACTOR, type AiBudget, type BudgetStatus } from './budget.ts';
