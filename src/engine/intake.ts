import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { insertEventsWithRuns, type NewRun, type Store } from '../store/index.ts';
import type { WorkflowCatalog } from './catalog.ts';
import type { Clock, Random } from './clock.ts';
import type { EngineEvents } from './events.ts';
import { checkEventSchemas, routeEvent, type Route, type RoutableEvent } from './router.ts';
import { retryOnStoreFault } from './store-retry.ts';

export const EventInputSchema = z.strictObject({
  source: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, "_", "-", "." (at most 64)'),
  type: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'letters, digits, "_", "-", ".", ":" (at most 128)'),
  /** Idempotency key, unique per source. Defaults to a hash of type and payload. */
  key: z.string().min(1).max(256).optional(),
  payload: z.record(z.string(), z.unknown()),
});
export type EventInput = z.infer<typeof EventInputSchema>;

export interface AcceptedEvent {
  eventId: string;
  /** True when this (source, key) was accepted before: nothing new was started. */
  duplicate: boolean;
  runIds: string[];
}

interface Pending {
  event: RoutableEvent;
  routes: Route[];
  resolve: (value: AcceptedEvent) => void;
  reject: (error: unknown) => void;
}

/**
 * Event intake: validate, then a durable insert, then acknowledge. Concurrent calls are
 * grouped into one transaction (group commit): the caller's promise resolves only after
 * the transaction holding its event has committed.
 */
export class EventIntake {
  #queue: Pending[] = [];
  #flushing = false;

  constructor(
    private readonly store: Store,
    private readonly catalog: WorkflowCatalog,
    private readonly clock: Clock,
    private readonly events: EngineEvents,
    private readonly limits: { maxEventBytes: number; maxBatch: number },
    private readonly random: Random = Math.random,
  ) {}

  /** Throws a CrossdockError naming what is wrong; stores nothing in that case. */
  async accept(input: unknown): Promise<AcceptedEvent> {
    const event = this.validate(input);
    const workflows = this.catalog.current();
    checkEventSchemas(workflows, event);
    const routes = await routeEvent(workflows, event);
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, routes, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  validate(input: unknown): RoutableEvent {
    return validateEvent(input, this.limits.maxEventBytes, this.clock.now());
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.limits.maxBatch);
        await this.#commit(batch).catch((error) => batch.forEach((p) => p.reject(error)));
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    // Duplicates inside one batch collapse onto the first; the rest answer as duplicates.
    const firstOf = new Map<string, number>();
    const unique: Pending[] = [];
    const slot = batch.map((p) => {
      const id = `${p.event.source}\u0000${p.event.key}`;
      let index = firstOf.get(id);
      if (index === undefined) {
        index = unique.push(p) - 1;
        firstOf.set(id, index);
      }
      return index;
    });
    const now = this.clock.now();
    // Safe to run again whole after a store fault: events are keyed (source, key) and runs
    // (event, workflow), so a batch whose commit went through but whose answer was lost
    // finds its events on the second try and answers them as duplicates (stored once,
    // one run each); nobody is told "accepted" for an event that is not stored.
    const results = await retryOnStoreFault(() => insertEventsWithRuns(
      this.store.db,
      unique.map((p) => ({ source: p.event.source, type: p.event.type, dedupeKey: p.event.key, payload: p.event.payload, receivedAt: p.event.receivedAt })),
      () => unique.flatMap((p, eventIndex) => p.routes.map((r): NewRun => toNewRun(p, r, eventIndex))),
      now,
    ), this.random);
    const queued = unique.some((p) => p.routes.some((r) => r.concurrencyKey !== null || r.concurrencyLimit !== null));
    if (results.some((r) => r.runIds.length > 0)) await this.store.wake(queued ? 'admit' : 'work');
    batch.forEach((p, i) => {
      const result = results[slot[i]!]!;
      const isFirst = unique[slot[i]!] === p;
      const answer = isFirst ? result : { eventId: result.eventId, duplicate: true, runIds: [] };
      this.events.emit(answer.duplicate ? 'event:duplicate' : 'event:accepted', {
        eventId: answer.eventId, source: p.event.source, type: p.event.type, runIds: answer.runIds,
      });
      p.resolve(answer);
    });
  }
}

function toNewRun(p: Pending, route: Route, eventIndex: number): NewRun {
  return {
    eventIndex,
    workflowId: route.workflow.id,
    workflowHash: route.workflow.hash,
    firstStepId: route.workflow.firstStepId,
    input: p.event.payload,
    concurrencyKey: route.concurrencyKey,
    concurrencyLimit: route.concurrencyLimit,
  };
}

/** Checks an incoming event's size and shape; throws a CrossdockError naming each bad field. */
export function validateEvent(input: unknown, maxEventBytes: number, receivedAt: Date): RoutableEvent {
  const size = Buffer.byteLength(JSON.stringify(input ?? null));
  if (size > maxEventBytes) {
    throw new CrossdockError('EVENT_TOO_LARGE', `The event is ${size} bytes; the limit is ${maxEventBytes}`, {
      category: 'user',
      retryable: false,
    });
  }
  const parsed = EventInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new CrossdockError('EVENT_INVALID', 'The event is not valid', {
      category: 'user',
      retryable: false,
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(event)', message: i.message })),
    });
  }
  const { source, type, payload } = parsed.data;
  const key = parsed.data.key ?? createHash('sha256').update(`${type}\n${JSON.stringify(payload)}`).digest('hex');
  return { source, type, key, payload, receivedAt };
}
