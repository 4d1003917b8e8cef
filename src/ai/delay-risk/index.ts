export {
  DELAY_RISK_USE,
  featureText,
  backlogBand,
  isLate,
  type DeliveryFeatures,
} from './features.ts';
export { readDeliveries, type Delivery, type OdooReads } from './odoo-deliveries.ts';
export {
  DelayRiskModel,
  keepHistory,
  MIN_DELIVERIES,
  trainDelayRiskModel,
  type DelayTrainingSummary,
  type RiskScore,
} from './model.ts';
export { readDelaySet, type LabelledDelivery } from './labelled-set.ts';
export { evaluateDelayRisk, type DelayEvalReport } from './eval.ts';
export { priorityList, type PriorityList, type ScoredDelivery } from './scoring.ts';
export { aiDelayRiskStep, AiDelayRiskConfig } from './step.ts';
