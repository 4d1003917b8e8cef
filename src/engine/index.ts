export { Engine, DEFAULT_WORKER, type EngineOptions } from './engine.ts';
export { ManualClock, systemClock, type Clock, type Random } from './clock.ts';
export { EngineEvents, type EngineEventMap, type EngineEventName } from './events.ts';
export { StepRegistry, engineStepTypes } from './step-registry.ts';
export { EventInputSchema, type AcceptedEvent, type EventInput } from './intake.ts';
export type { RunDetail, RunSummary } from './runs-service.ts';
export type { SimulationResult, SimulatedStep } from './simulate.ts';
export type { WorkerOptions } from './worker.ts';
export { retryDelayMs } from './retry.ts';
