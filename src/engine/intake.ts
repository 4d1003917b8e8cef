import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import {
  assertStorableJson,
  insertEventsWithRuns,
  MAX_JSON_DEPTH,
  payloadHash,
  type CaseEventSink,
  type IntakeAuditSink,
  type NewRun,
  type Store,
} from '../store/index.ts';
import type { ExpressionLimits } from '../workflows/index.ts';
import type { WorkflowCatalog } from './catalog.ts';
import type { Clock, Random } from './clock.ts';
import type { EngineEvents } from './events.ts';
import { checkEventSchemas, routeEvent, type Route, type RoutableEvent } from './router.ts';
import { SourceOwners, type Door } from './source-owners.ts';
import { retryOnStoreFault } from './store-retry.ts';

export const EventInputSchema = z.strictObject({
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, "_", "-", "." (at most 64)'),
  type: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
      'letters, digits, "_", "-", ".", ":" (at most 128)',
    ),
  /** Idempotency key, unique per source. Defaults to a hash of type and payload. */
  key: z.string().min(1).max(256).optional(),
  payload: z.record(z.string(), z.unknown()),
});
export type EventInput = z.infer<typeof EventInputSchema>;

export interface AcceptedEvent {
  eventId: string;
  /** True when this (source, key) was accepted before with the same payload: nothing new was started. */
  duplicate: boolean;
  /**
   * True when this (source, key) was accepted before with a different payload: the original
   * stands, this payload is recorded as a key conflict (and a case opened, by source policy).
   */
  conflict: boolean;
  /** The recorded conflict, when `conflict`. */
  conflictId?: string;
  runIds: string[];
}

/** Who sent an event (the API's principal and request); events without one are recorded by their door. */
export interface Sender {
  actor: string;
  requestId: string | null;
}

/** Builds the audit sink for one batch, given who sent each of its events. */
export type IntakeAudit = (senderOf: (index: number) => Sender) => IntakeAuditSink;

interface Pending {
  event: RoutableEvent;
  door: Door;
  sender: Sender | undefined;
  hash: string;
  routes: Route[];
  /** A second pass that only records a conflict already answered: tells nobody again. */
  silent?: boolean;
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
  /** Which sources belong to the engine or a connector: only their own door may write them. */
  readonly owners = new SourceOwners();

  constructor(
    private readonly store: Store,
    private readonly catalog: WorkflowCatalog,
    private readonly clock: Clock,
    private readonly events: EngineEvents,
    private readonly limits: {
      maxEventBytes: number;
      maxBatch: number;
      expressionLimits: ExpressionLimits;
    },
    private readonly policy: {
      caseEvents?: CaseEventSink;
      audit?: IntakeAudit;
      keyConflictCase: (source: string, door: Door) => boolean | Promise<boolean>;
    } = { keyConflictCase: () => true },
    private readonly random: Random = Math.random,
  ) {}

  /**
   * Throws a CrossdockError naming what is wrong; stores nothing in that case. `door` is the
   * ingress the event came through: `engine` (the default) is code in this process (steps,
   * schedules, connectors' pollers); the others are outside senders, which may not write a
   * source another door owns and whose redeliveries are checked for key conflicts. `sender`
   * (the API's caller) is who the audit entry of the batch names for this event.
   */
  async accept(input: unknown, door: Door = 'engine', sender?: Sender): Promise<AcceptedEvent> {
    const event = this.validate(input);
    this.owners.assertMayWrite(event.source, door);
    const workflows = this.catalog.current();
    checkEventSchemas(workflows, event);
    const routes = await routeEvent(workflows, event, this.limits.expressionLimits);
    const hash = payloadHash(event.payload);
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, door, sender, hash, routes, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  validate(input: unknown): RoutableEvent {
    return validateEvent(input, this.limits.maxEventBytes, this.clock.now());
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      // One turn of the event loop first, so that the batch holds every request read in the
      // same turn: the embedded database answers without giving the loop back, so without
      // this each of them would commit alone (1,000 events took 1,000 transactions at c=50).
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.limits.maxBatch);
        await this.#commit(batch).catch((error) => batch.forEach((p) => p.reject(error)));
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    // Duplicates inside one batch collapse onto the first; the rest answer as duplicates
    // (or as conflicts when their payload differs from the first one's).
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
    const later = batch.filter(
      (p, i) => unique[slot[i]!] !== p && unique[slot[i]!]!.hash !== p.hash && p.door !== 'engine',
    );
    const now = this.clock.now();
    const newEvents = await Promise.all(
      unique.map(async (p) => ({
        source: p.event.source,
        type: p.event.type,
        dedupeKey: p.event.key,
        payload: p.event.payload,
        payloadHash: p.hash,
        receivedAt: p.event.receivedAt,
        conflict:
          p.door === 'engine'
            ? null
            : { door: p.door, openCase: await this.policy.keyConflictCase(p.event.source, p.door) },
      })),
    );
    // Safe to run again whole after a store fault: events are keyed (source, key) and runs
    // (event, workflow), so a batch whose commit went through but whose answer was lost
    // finds its events on the second try and answers them as duplicates (stored once,
    // one run each, the same payload hash: no conflict); nobody is told "accepted" for an
    // event that is not stored.
    const outcome = await retryOnStoreFault(
      () =>
        insertEventsWithRuns(
          this.store.db,
          newEvents,
          () =>
            unique.flatMap((p, eventIndex) =>
              p.routes.map((r): NewRun => toNewRun(p, r, eventIndex)),
            ),
          now,
          this.policy.caseEvents,
          this.policy.audit?.(
            (index) => unique[index]!.sender ?? { actor: unique[index]!.door, requestId: null },
          ),
        ),
      this.random,
    );
    const results = outcome.events;
    // Released parked runs may carry concurrency keys too: the admitter looks at them.
    const queued =
      outcome.ordering.released.length > 0 ||
      unique.some((p) =>
        p.routes.some((r) => r.concurrencyKey !== null || r.concurrencyLimit !== null),
      );
    batch.forEach((p, i) => {
      const result = results[slot[i]!]!;
      const isFirst = unique[slot[i]!] === p;
      const answer: AcceptedEvent = isFirst
        ? {
            eventId: result.eventId,
            duplicate: result.duplicate && result.conflict === null,
            conflict: result.conflict !== null,
            ...(result.conflict ? { conflictId: result.conflict.conflictId } : {}),
            runIds: result.runIds,
          }
        : {
            eventId: result.eventId,
            duplicate: !later.includes(p),
            conflict: later.includes(p),
            runIds: [],
          };
      const name = answer.conflict
        ? 'event:conflict'
        : answer.duplicate
          ? 'event:duplicate'
          : 'event:accepted';
      if (!p.silent)
        this.events.emit(name, {
          eventId: answer.eventId,
          source: p.event.source,
          type: p.event.type,
          runIds: answer.runIds,
        });
      p.resolve(answer);
    });
    // The wake-up is a hint (workers also poll): the senders have their answers without waiting for it.
    // Runs made ready are named, so that this process's workers may keep them (store.wake).
    const started = results.reduce((n, r) => n + r.runIds.length, 0);
    if (started > 0 || outcome.ordering.released.length > 0)
      void (queued ? this.store.wake('admit') : this.store.wake('work', started)).catch(
        () => undefined,
      );
    for (const r of outcome.ordering.released) this.events.emit('event:released', r);
    for (const h of outcome.ordering.held) this.events.emit('event:held', h);
    // A conflicting delivery that met its original in this batch is recorded by one more pass
    // through the store (the flush loop takes it next), which finds the original committed.
    for (const p of later)
      this.#queue.push({
        ...p,
        routes: [],
        silent: true,
        resolve: () => undefined,
        reject: () => undefined,
      });
  }
}

function toNewRun(p: Pending, route: Route, eventIndex: number): NewRun {
  return {
    eventIndex,
    workflowId: route.workflow.id,
    workflowHash: route.workflow.hash,
    firstStepId: route.workflow.firstStepId,
    concurrencyKey: route.concurrencyKey,
    concurrencyLimit: route.concurrencyLimit,
    dueBy: route.dueBy,
    ...(route.order ? { order: route.order } : {}),
  };
}

/**
 * Checks an incoming event's size and shape; throws a CrossdockError naming each bad field.
 * First (before anything that recurses or stores) that the store can hold it: no U+0000 or
 * unpaired surrogate in any text, at most MAX_JSON_DEPTH levels in the payload.
 */
export function validateEvent(
  input: unknown,
  maxEventBytes: number,
  receivedAt: Date,
): RoutableEvent {
  assertStorableJson(input, 'event', MAX_JSON_DEPTH + 1); // the envelope is one level above the payload
  const size = Buffer.byteLength(JSON.stringify(input ?? null));
  if (size > maxEventBytes) {
    throw new CrossdockError(
      'EVENT_TOO_LARGE',
      `The event is ${size} bytes; the limit is ${maxEventBytes}`,
      {
        category: 'user',
        retryable: false,
      },
    );
  }
  const parsed = EventInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new CrossdockError('EVENT_INVALID', 'The event is not valid', {
      category: 'user',
      retryable: false,
      details: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(event)',
        message: i.message,
      })),
    });
  }
  const { source, type, payload } = parsed.data;
  // Without a key: the type and the payload's canonical hash, so key order makes no new event.
  const key =
    parsed.data.key ??
    createHash('sha256')
      .update(`${type}\n${payloadHash(payload)}`)
      .digest('hex');
  return { source, type, key, payload, receivedAt };
}
