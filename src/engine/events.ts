import { EventEmitter } from 'node:events';
import type { SerializedError } from '../errors/index.ts';

/**
 * What the engine tells the rest of Crossdock (metrics, audit, dashboard). Emitted after
 * the change is committed, never before.
 */
export interface EngineEventMap {
  'event:accepted': { eventId: string; source: string; type: string; runIds: string[] };
  'event:duplicate': { eventId: string; source: string; type: string };
  /** A delivery reused an event's key with another payload (recorded; nothing started). */
  'event:conflict': { eventId: string; source: string; type: string };
  /** A workflow did not start on an event that came out of order (skipped, parked, or a case). */
  'event:held': { eventId: string; workflowId: string; status: 'skipped' | 'parked' | 'case' };
  /** A parked event's predecessor arrived: its run started. */
  'event:released': { eventId: string; workflowId: string; runId: string };
  'run:started': { runId: string; workflowId: string };
  'step:completed': {
    runId: string;
    workflowId: string;
    stepId: string;
    seq: number;
    attempt: number;
    durationMs: number;
  };
  'step:failed': {
    runId: string;
    workflowId: string;
    stepId: string;
    seq: number;
    attempt: number;
    error: SerializedError;
    willRetry: boolean;
  };
  'run:waiting': { runId: string; workflowId: string; stepId: string; until: Date | null };
  'run:completed': { runId: string; workflowId: string; output: unknown };
  'run:failed': { runId: string; workflowId: string; stepId: string; error: SerializedError };
  'run:cancelled': { runId: string; workflowId: string };
  'run:replayed': { runId: string; workflowId: string; fromStep: string | null };
  'lease:lost': { runId: string; workerId: string };
}

export type EngineEventName = keyof EngineEventMap;

export class EngineEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(100);

  on<K extends EngineEventName>(
    name: K,
    listener: (payload: EngineEventMap[K]) => void,
  ): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  emit<K extends EngineEventName>(name: K, payload: EngineEventMap[K]): void {
    if (this.#emitter.listenerCount(name) > 0) this.#emitter.emit(name, payload);
  }
}
