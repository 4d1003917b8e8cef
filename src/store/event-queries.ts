import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseEvent, CaseEventSink } from './engine-cases.ts';
import { recordKeyConflicts, type ConflictCheck, type KeyConflict } from './event-conflicts.ts';
import { applyOrdering, releaseParked, type OrderingResult, type RunOrder } from './event-order.ts';
import type { Database } from './schema.ts';

export interface NewEvent {
  source: string;
  type: string;
  dedupeKey: string;
  payload: unknown;
  /** payloadHash(payload): canonical, so key order does not matter. */
  payloadHash: string;
  receivedAt: Date;
  /** Null: a duplicate with another payload is not checked (the engine's own re-read events). */
  conflict: ConflictCheck | null;
}

/** A run an event starts; its input is the event's payload. */
export interface NewRun {
  /** Index of the event in the batch that starts this run. */
  eventIndex: number;
  workflowId: string;
  workflowHash: string;
  firstStepId: string;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  /** The run's priority: when its work is due by (null: none). */
  dueBy?: Date | null;
  /** The workflow orders its events by business key: the run may be held (event-order.ts). */
  order?: RunOrder;
}

export interface InsertedEvent {
  eventId: string;
  duplicate: boolean;
  runIds: string[];
  /** The key was taken by an event with another payload: recorded, nothing started. */
  conflict: KeyConflict | null;
}

/** One event of an intake batch as stored (or recognised), for the audit log. */
export interface IntakeRecord {
  /** Index of the event in the batch. */
  index: number;
  eventId: string;
  source: string;
  type: string;
  dedupeKey: string;
  payloadHash: string;
  receivedAt: Date;
  outcome: 'stored' | 'duplicate' | 'conflict';
  runIds: string[];
}

/** The audit chain's head, read under its lock (held until the transaction ends). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * Told of the batch's events in the intake transaction (the audit log chains them there: both
 * commit or neither). `head` is the chain's head when the intake's statement already locked
 * and read it (one round trip fewer); without it the sink locks it itself.
 */
export type IntakeAuditSink = (
  tx: Kysely<Database>,
  events: IntakeRecord[],
  head?: AuditHead,
) => Promise<void>;

export interface InsertOutcome {
  events: InsertedEvent[];
  ordering: Pick<OrderingResult, 'released' | 'held'>;
}

/**
 * Inserts a batch of events and the runs they start, in one transaction.
 * Events must have distinct (source, dedupeKey) within the batch. A key that already
 * exists is a duplicate: it returns the original id and starts nothing. Runs with a
 * concurrency key or limit start `queued`; the admitter makes them ready. `runsFor` is
 * asked once, for every event of the batch; only the runs of events stored now start.
 */
export async function insertEventsWithRuns(
  db: Kysely<Database>,
  events: NewEvent[],
  runsFor: () => NewRun[],
  now: Date,
  caseEvents?: CaseEventSink,
  audit?: IntakeAuditSink,
): Promise<InsertOutcome> {
  const candidates = runsFor();
  // Without ordered runs, the events and their runs go in one statement.
  const ordered = candidates.some((r) => r.order !== undefined);
  return db.transaction().execute(async (tx) => {
    // Dense: a duplicate's slot holds undefined (a hole would be skipped by map and forEach).
    const ids: (string | undefined)[] = Array.from({ length: events.length }, () => undefined);
    let runIds: Map<number, string[]>;
    let ordering: OrderingResult = {
      go: new Set(),
      released: [],
      held: [],
      caseEvents: [],
      advanced: [],
    };
    let head: AuditHead | undefined;
    if (!ordered) {
      ({ runIds, head } = await insertEventsAndRuns(tx, events, candidates, ids, now, !!audit));
    } else {
      await insertEventRows(tx, events, ids);
      const wasInserted = ids.map((id) => id !== undefined);
      const started = await orderRuns(
        tx,
        candidates.filter((r) => wasInserted[r.eventIndex]),
        events,
        ids as string[],
        now,
      );
      ordering = started.ordering;
      runIds = await insertRuns(tx, started.runs, ids, now);
      await releaseParked(tx, ordering, now);
    }
    const wasInserted = ids.map((id) => id !== undefined);
    await findDuplicates(tx, events, ids);
    const { conflicts, caseEvents: conflictCases } = await recordKeyConflicts(
      tx,
      events.flatMap((e, index) =>
        wasInserted[index]
          ? []
          : [
              {
                index,
                eventId: ids[index]!,
                source: e.source,
                dedupeKey: e.dedupeKey,
                payload: e.payload,
                payloadHash: e.payloadHash,
                check: e.conflict,
              },
            ],
      ),
      now,
    );
    const opened: CaseEvent[] = [...conflictCases, ...ordering.caseEvents];
    if (caseEvents && opened.length > 0) await caseEvents(tx, opened);
    if (audit) {
      await audit(
        tx,
        events.map((e, i) => ({
          index: i,
          eventId: ids[i]!,
          source: e.source,
          type: e.type,
          dedupeKey: e.dedupeKey,
          payloadHash: e.payloadHash,
          receivedAt: e.receivedAt,
          outcome: wasInserted[i] ? 'stored' : conflicts.has(i) ? 'conflict' : 'duplicate',
          runIds: runIds.get(i) ?? [],
        })),
        head,
      );
    }
    return {
      events: events.map((_, i) => ({
        eventId: ids[i]!,
        duplicate: !wasInserted[i],
        runIds: runIds.get(i) ?? [],
        conflict: conflicts.get(i) ?? null,
      })),
      ordering: { released: ordering.released, held: ordering.held },
    };
  });
}

const eventRows = (events: NewEvent[], runsOf: (index: number) => number) =>
  JSON.stringify(
    events.map((e, idx) => ({
      idx,
      source: e.source,
      type: e.type,
      dedupe_key: e.dedupeKey,
      payload: e.payload,
      payload_hash: e.payloadHash,
      received_at: e.receivedAt.toISOString(),
      runs: runsOf(idx),
    })),
  );

/** Inserts the events that are new (a stored key is left alone); fills `ids` for those. */
async function insertEventRows(
  tx: Transaction<Database>,
  events: NewEvent[],
  ids: (string | undefined)[],
): Promise<void> {
  const inserted = await sql<{ idx: number; id: string }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${eventRows(events, () => 0)}::jsonb)
        AS x(idx int, source text, type text, dedupe_key text, payload jsonb, payload_hash text, received_at timestamptz)
    ), ins AS (
      INSERT INTO events (source, type, dedupe_key, payload, payload_hash, received_at)
      SELECT source, type, dedupe_key, payload, payload_hash, received_at FROM input ORDER BY idx
      ON CONFLICT (source, dedupe_key) DO NOTHING
      RETURNING id, source, dedupe_key
    )
    SELECT input.idx, ins.id FROM input JOIN ins USING (source, dedupe_key)`.execute(tx);
  for (const row of inserted.rows) ids[row.idx] = String(row.id);
}

/**
 * The events and the runs of those that are new, in one statement: each new event is stored
 * with its run count, and its runs take its payload as input (sent once). Fills `ids` for
 * the events stored; returns the run ids per event index. With `lockHead`, the same statement
 * locks and reads the audit chain's head, last (the lock is held for the shortest time).
 */
async function insertEventsAndRuns(
  tx: Transaction<Database>,
  events: NewEvent[],
  runs: NewRun[],
  ids: (string | undefined)[],
  now: Date,
  lockHead: boolean,
): Promise<{ runIds: Map<number, string[]>; head: AuditHead | undefined }> {
  const perEvent = new Array<number>(events.length).fill(0);
  for (const r of runs) perEvent[r.eventIndex]!++;
  const result = await sql<{
    kind: 'event' | 'run' | 'head';
    idx: number | null;
    id: string;
    run_id: string | null;
  }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${eventRows(events, (i) => perEvent[i]!)}::jsonb)
        AS x(idx int, source text, type text, dedupe_key text, payload jsonb, payload_hash text, received_at timestamptz, runs int)
    ), ins AS (
      INSERT INTO events (source, type, dedupe_key, payload, payload_hash, received_at, runs_started)
      SELECT source, type, dedupe_key, payload, payload_hash, received_at, runs FROM input ORDER BY idx
      ON CONFLICT (source, dedupe_key) DO NOTHING
      RETURNING id, source, dedupe_key
    ), stored AS (
      SELECT input.idx, ins.id, input.payload FROM input JOIN ins USING (source, dedupe_key)
    ), started AS (
      INSERT INTO runs (workflow_id, workflow_hash, event_id, status, input, cursor, concurrency_key,
                        concurrency_limit, due_by, available_at, created_at, updated_at)
      SELECT x.workflow_id, x.workflow_hash, s.id,
             CASE WHEN x.concurrency_key IS NULL AND x.concurrency_limit IS NULL THEN 'ready' ELSE 'queued' END,
             s.payload, x.cursor, x.concurrency_key, x.concurrency_limit, x.due_by, ${now}, ${now}, ${now}
      FROM jsonb_to_recordset(${runRows(runs)}::jsonb)
        AS x(event_index int, workflow_id text, workflow_hash text, cursor text, concurrency_key text, concurrency_limit int,
             due_by timestamptz)
      JOIN stored s ON s.idx = x.event_index
      ORDER BY x.event_index
      ON CONFLICT (event_id, workflow_id) DO NOTHING
      RETURNING id, event_id
    )
    SELECT 'event' AS kind, idx, id::text AS id, NULL::text AS run_id FROM stored
    UNION ALL
    SELECT 'run', NULL, event_id::text, id::text FROM started
    ${lockHead ? sql`UNION ALL SELECT 'head', NULL, seq::text, hash FROM (SELECT seq, hash FROM audit_head WHERE id FOR UPDATE) head` : sql``}`.execute(
    tx,
  );
  const indexOf = new Map<string, number>();
  let head: AuditHead | undefined;
  for (const row of result.rows)
    if (row.kind === 'event') {
      ids[row.idx!] = String(row.id);
      indexOf.set(String(row.id), row.idx!);
    } else if (row.kind === 'head') head = { seq: Number(row.id), hash: row.run_id! };
  const byEvent = new Map<number, string[]>();
  for (const row of result.rows) {
    if (row.kind !== 'run') continue;
    const index = indexOf.get(String(row.id))!;
    byEvent.set(index, [...(byEvent.get(index) ?? []), String(row.run_id)]);
  }
  return { runIds: byEvent, head };
}

const runRows = (runs: NewRun[]) =>
  JSON.stringify(
    runs.map((r) => ({
      event_index: r.eventIndex,
      workflow_id: r.workflowId,
      workflow_hash: r.workflowHash,
      cursor: r.firstStepId,
      concurrency_key: r.concurrencyKey,
      concurrency_limit: r.concurrencyLimit,
      due_by: r.dueBy?.toISOString() ?? null,
    })),
  );

/** Runs of workflows that order their events go through applyOrdering; the rest start as they are. */
async function orderRuns(
  tx: Transaction<Database>,
  runs: NewRun[],
  events: NewEvent[],
  ids: string[],
  now: Date,
): Promise<{ runs: NewRun[]; ordering: OrderingResult }> {
  const ordered = runs.filter((r) => r.order !== undefined);
  if (ordered.length === 0)
    return {
      runs,
      ordering: { go: new Set(), released: [], held: [], caseEvents: [], advanced: [] },
    };
  const ordering = await applyOrdering(
    tx,
    ordered.map((r) => ({
      ...r,
      order: r.order!,
      eventId: ids[r.eventIndex]!,
      source: events[r.eventIndex]!.source,
    })),
    now,
  );
  return {
    runs: [
      ...runs.filter((r) => r.order === undefined),
      ...ordered.filter((_, i) => ordering.go.has(i)),
    ],
    ordering,
  };
}

/** Looks up the original id of each duplicate (committed by someone else, so a fresh statement). */
async function findDuplicates(
  tx: Transaction<Database>,
  events: NewEvent[],
  ids: (string | undefined)[],
): Promise<void> {
  const missing = events.map((e, i) => ({ e, i })).filter(({ i }) => ids[i] === undefined);
  if (missing.length === 0) return;
  const found = await sql<{ idx: number; id: string }>`
    SELECT input.idx, e.id FROM jsonb_to_recordset(${JSON.stringify(missing.map(({ e, i }) => ({ idx: i, source: e.source, dedupe_key: e.dedupeKey })))}::jsonb)
      AS input(idx int, source text, dedupe_key text)
    JOIN events e ON e.source = input.source AND e.dedupe_key = input.dedupe_key`.execute(tx);
  for (const row of found.rows) ids[row.idx] = String(row.id);
}

/** Runs of events stored earlier in this transaction (the ordered path), with each event's run count. */
async function insertRuns(
  tx: Transaction<Database>,
  runs: NewRun[],
  eventIds: (string | undefined)[],
  now: Date,
): Promise<Map<number, string[]>> {
  const byEvent = new Map<number, string[]>();
  if (runs.length === 0) return byEvent;
  const rows = runs.map((r) => ({
    event_index: r.eventIndex,
    event_id: eventIds[r.eventIndex],
    workflow_id: r.workflowId,
    workflow_hash: r.workflowHash,
    cursor: r.firstStepId,
    concurrency_key: r.concurrencyKey,
    concurrency_limit: r.concurrencyLimit,
    due_by: r.dueBy?.toISOString() ?? null,
  }));
  const result = await sql<{ id: string; event_id: string }>`
    WITH started AS (
      INSERT INTO runs (workflow_id, workflow_hash, event_id, status, input, cursor, concurrency_key,
                        concurrency_limit, due_by, available_at, created_at, updated_at)
      SELECT x.workflow_id, x.workflow_hash, x.event_id,
             CASE WHEN x.concurrency_key IS NULL AND x.concurrency_limit IS NULL THEN 'ready' ELSE 'queued' END,
             e.payload, x.cursor, x.concurrency_key, x.concurrency_limit, x.due_by, ${now}, ${now}, ${now}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(event_index int, event_id bigint, workflow_id text, workflow_hash text, cursor text,
             concurrency_key text, concurrency_limit int, due_by timestamptz)
      JOIN events e ON e.id = x.event_id
      ORDER BY x.event_index
      ON CONFLICT (event_id, workflow_id) DO NOTHING
      RETURNING id, event_id
    ), counted AS (
      UPDATE events SET runs_started = c.n
      FROM (SELECT event_id, count(*)::int AS n FROM started GROUP BY event_id) c
      WHERE events.id = c.event_id
    )
    SELECT id, event_id FROM started`.execute(tx);
  // Only stored events have an id: a duplicate's slot is undefined.
  const indexOfEvent = new Map<string, number>();
  eventIds.forEach((id, i) => {
    if (id !== undefined) indexOfEvent.set(id, i);
  });
  for (const row of result.rows) {
    const index = indexOfEvent.get(String(row.event_id))!;
    byEvent.set(index, [...(byEvent.get(index) ?? []), String(row.id)]);
  }
  return byEvent;
}
