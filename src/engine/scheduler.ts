import { Cron } from 'croner';
import type { Logger } from '../observability/index.ts';
import type { WorkflowCatalog } from './catalog.ts';
import type { Clock } from './clock.ts';

export const SCHEDULE_SOURCE = 'schedule';
export const SCHEDULE_EVENT = 'schedule.fired';

/**
 * Starts scheduled workflows. Every worker process runs one; each fires the latest due
 * slot of each schedule as an event whose key is (workflow, slot), so the intake's dedupe
 * makes a slot fire once however many schedulers see it. A slot missed while nothing ran
 * fires once when a scheduler comes back (the latest one only, not every missed slot).
 */
/** How often a worker process takes the workflow versions other processes saved from the editor. */
export const EDITS_SYNC_MS = 5000;

export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #editsTimer: NodeJS.Timeout | undefined;
  readonly #fired = new Map<string, string>();

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly accept: (event: {
      source: string;
      type: string;
      key: string;
      payload: Record<string, unknown>;
    }) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly tickMs = 1000,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.tickMs);
    this.#timer.unref();
    // Versions saved from the editor in another process become current here within this.
    this.#editsTimer = setInterval(() => void this.#syncEdits(), EDITS_SYNC_MS);
    this.#editsTimer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#editsTimer);
    this.#timer = undefined;
    this.#editsTimer = undefined;
  }

  async #syncEdits(): Promise<void> {
    try {
      await this.catalog.syncEdits();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the workflow versions saved elsewhere');
    }
  }

  /** Fires what is due now; returns the (workflow, slot) pairs it sent. */
  async tick(): Promise<{ workflowId: string; slot: string }[]> {
    const now = this.clock.now();
    const sent: { workflowId: string; slot: string }[] = [];
    for (const workflow of this.catalog.current()) {
      const trigger = workflow.definition.trigger;
      if (!trigger?.schedule) continue;
      const cron = new Cron(trigger.schedule, {
        paused: true,
        ...(trigger.timezone ? { timezone: trigger.timezone } : {}),
      });
      const [slot] = cron.previousRuns(1, new Date(now.getTime() + 1));
      if (!slot) continue;
      const slotIso = slot.toISOString();
      if (this.#fired.get(workflow.id) === slotIso) continue;
      try {
        await this.accept({
          source: SCHEDULE_SOURCE,
          type: SCHEDULE_EVENT,
          key: `${workflow.id}@${slotIso}`,
          payload: { workflow: workflow.id, slot: slotIso },
        });
        this.#fired.set(workflow.id, slotIso);
        sent.push({ workflowId: workflow.id, slot: slotIso });
      } catch (error) {
        this.logger.warn(
          { workflowId: workflow.id, slot: slotIso, err: error },
          'schedule could not fire; will try again',
        );
      }
    }
    return sent;
  }
}
