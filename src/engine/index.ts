export { Engine, DEFAULT_WORKER, type EngineOptions } from './engine.ts';
export { ManualClock, systemClock, type Clock, type Random } from './clock.ts';
export { EngineEvents, type EngineEventMap, type EngineEventName } from './events.ts';
export { StepRegistry, engineStepTypes } from './step-registry.ts';
export {
  EventInputSchema,
  validateEvent,
  type AcceptedEvent,
  type EventInput,
  type IntakeAudit,
  type Sender,
} from './intake.ts';
export type { ReplayOptions, RunDetail, RunSummary, RunsService } from './runs-service.ts';
export { toRunSummary } from './runs-service.ts';
export type { ReplayEffect, ReplayPreview } from './replay-plan.ts';
export type { SimulationResult, SimulatedStep } from './simulate.ts';
export type { WorkerOptions } from './worker.ts';
export { retryDelayMs } from './retry.ts';
export { retryOnStoreFault, STORE_RETRY } from './store-retry.ts';
export { simulateWorkflow } from './simulate.ts';
export { CompiledWorkflow, type SavedEdit, type StoredVersion } from './catalog.ts';
export { routeEvent } from './router.ts';
export { DOORS, ENGINE_SOURCES, SourceOwners, type Door } from './source-owners.ts';
export { sequenceText } from './ordering.ts';
