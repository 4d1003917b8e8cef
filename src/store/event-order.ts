import { sql, type Transaction } from 'kysely';
import { openEventCase, type CaseEvent } from './engine-cases.ts';
import type { Database } from './schema.ts';

export const ORDER_POLICIES = ['skip', 'park', 'case'] as const;
export type OrderPolicy = (typeof ORDER_POLICIES)[number];

/** A run whose workflow orders its events by business key (trigger `order:`). */
export interface RunOrder {
  key: string;
  /** Decimal text: a number as given, a time as microseconds since 1970. */
  sequence: string;
  policy: OrderPolicy;
  /** With `park`: the sequence a key's first event has; a later one waits for it. Null: any. */
  first: string | null;
}

export interface OrderingInput {
  eventIndex: number;
  eventId: string;
  source: string;
  workflowId: string;
  workflowHash: string;
  firstStepId: string;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  order: RunOrder;
}

export interface OrderingResult {
  /** Indexes (into the input) of the runs that start now. */
  go: Set<number>;
  /** Runs started for parked events released by this batch (their events came earlier). */
  released: { runId: string; eventId: string; workflowId: string }[];
  held: { eventId: string; workflowId: string; status: 'skipped' | 'parked' | 'case' }[];
  caseEvents: CaseEvent[];
  /** Keys whose head moved: their parked successors are released after this batch's own runs. */
  advanced: { source: string; key: string }[];
}

type Verdict = 'next' | 'stale' | 'gap';

/**
 * Decides, in the intake's transaction, which ordered runs start. Per (source, business key)
 * one head row holds the newest sequence acted on; it is locked (FOR UPDATE) while an event
 * of that key is judged, so concurrent intakes judge one after the other. An event newer than
 * the head (or as new) starts its runs and becomes the head; an older one is held by its workflow's
 * policy; with `park`, one that skips a sequence number waits for its predecessor and is
 * released, in order, by the transaction that stores that predecessor.
 */
export async function applyOrdering(
  tx: Transaction<Database>,
  runs: OrderingInput[],
  now: Date,
): Promise<OrderingResult> {
  const result: OrderingResult = {
    go: new Set(),
    released: [],
    held: [],
    caseEvents: [],
    advanced: [],
  };
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const id = `${r.eventIndex}\u0000${r.order.key}`;
    groups.set(id, [...(groups.get(id) ?? []), i]);
  });
  const ordered = [...groups.values()].sort(
    (a, b) => runs[a[0]!]!.eventIndex - runs[b[0]!]!.eventIndex,
  );
  for (const indexes of ordered) {
    const lead = runs[indexes[0]!]!;
    const { verdict, head } = await judge(tx, lead, now);
    if (verdict === 'next') {
      indexes.forEach((i) => result.go.add(i));
      if (!result.advanced.some((a) => a.source === lead.source && a.key === lead.order.key))
        result.advanced.push({ source: lead.source, key: lead.order.key });
      continue;
    }
    for (const i of indexes) await hold(tx, runs[i]!, verdict, head, now, result);
  }
  return result;
}

async function judge(
  tx: Transaction<Database>,
  r: OrderingInput,
  now: Date,
): Promise<{ verdict: Verdict; head: string | null }> {
  await sql`INSERT INTO event_order_heads (source, order_key, sequence, event_id, updated_at) VALUES (${r.source}, ${r.order.key}, NULL, NULL, ${now})
            ON CONFLICT (source, order_key) DO NOTHING`.execute(tx);
  const row = (
    await sql<{
      sequence: string | null;
      newer: boolean | null;
      gap: boolean | null;
      before_first: boolean | null;
    }>`
    SELECT sequence::text AS sequence, ${r.order.sequence}::numeric >= sequence AS newer, ${r.order.sequence}::numeric > sequence + 1 AS gap,
           ${r.order.sequence}::numeric > ${r.order.first}::numeric AS before_first
    FROM event_order_heads WHERE source = ${r.source} AND order_key = ${r.order.key} FOR UPDATE`.execute(
      tx,
    )
  ).rows[0]!;
  const park = r.order.policy === 'park';
  let verdict: Verdict;
  if (row.sequence === null) verdict = park && row.before_first === true ? 'gap' : 'next';
  else if (!row.newer) verdict = 'stale';
  else verdict = park && row.gap ? 'gap' : 'next';
  if (verdict === 'next') {
    // Equal is not older: another report of the same moment (the same record version) goes ahead.
    await sql`UPDATE event_order_heads SET sequence = ${r.order.sequence}::numeric, event_id = ${r.eventId}, updated_at = ${now}
              WHERE source = ${r.source} AND order_key = ${r.order.key}`.execute(tx);
  }
  return { verdict, head: row.sequence };
}

async function hold(
  tx: Transaction<Database>,
  r: OrderingInput,
  verdict: Exclude<Verdict, 'next'>,
  head: string | null,
  now: Date,
  result: OrderingResult,
): Promise<void> {
  const status = verdict === 'gap' ? 'parked' : r.order.policy === 'case' ? 'case' : 'skipped';
  const held = (
    await sql<{ id: string }>`
    INSERT INTO event_order_held (event_id, workflow_id, workflow_hash, first_step_id, concurrency_key, concurrency_limit, source, order_key,
                                  sequence, head_sequence, policy, status, held_at)
    VALUES (${r.eventId}, ${r.workflowId}, ${r.workflowHash}, ${r.firstStepId}, ${r.concurrencyKey}, ${r.concurrencyLimit}, ${r.source}, ${r.order.key},
            ${r.order.sequence}::numeric, ${head}::numeric, ${r.order.policy}, ${status}, ${now})
    ON CONFLICT (event_id, workflow_id) DO NOTHING RETURNING id`.execute(tx)
  ).rows[0];
  result.held.push({ eventId: r.eventId, workflowId: r.workflowId, status });
  if (status !== 'case' || !held) return;
  const title = `Event ${r.eventId} for ${r.order.key} came after a newer one; ${r.workflowId} did not start`;
  const details = {
    event: r.eventId,
    workflow: r.workflowId,
    source: r.source,
    orderKey: r.order.key,
    sequence: r.order.sequence,
    newestSequence: head,
  };
  const caseId = await openEventCase(
    tx,
    {
      kind: 'event_order',
      title,
      errorCode: 'EVENT_OUT_OF_ORDER',
      workflowId: r.workflowId,
      details,
      openKey: `event-order:${r.eventId}:${r.workflowId}`,
      opened: { code: 'EVENT_OUT_OF_ORDER' },
    },
    now,
  );
  await sql`UPDATE event_order_held SET case_id = ${caseId} WHERE id = ${held.id}`.execute(tx);
  result.caseEvents.push({
    caseId,
    runId: null,
    action: 'opened',
    details: { code: 'EVENT_OUT_OF_ORDER', event: r.eventId, workflow: r.workflowId },
  });
}

/**
 * Starts the parked successors of each advanced head, one sequence number at a time, moving
 * the head along. Called after the batch's own runs are inserted, so runs are created in
 * sequence order.
 */
export async function releaseParked(
  tx: Transaction<Database>,
  result: OrderingResult,
  now: Date,
): Promise<void> {
  for (const { source, key } of result.advanced) await releaseKey(tx, source, key, now, result);
}

async function releaseKey(
  tx: Transaction<Database>,
  source: string,
  key: string,
  now: Date,
  result: OrderingResult,
): Promise<void> {
  for (;;) {
    const next = await sql<{ id: string; event_id: string; workflow_id: string; sequence: string }>`
      SELECT h.id, h.event_id, h.workflow_id, h.sequence::text AS sequence FROM event_order_held h
      JOIN event_order_heads o ON o.source = h.source AND o.order_key = h.order_key
      WHERE h.source = ${source} AND h.order_key = ${key} AND h.status = 'parked' AND h.sequence = o.sequence + 1
      ORDER BY h.id FOR UPDATE OF h`.execute(tx);
    if (next.rows.length === 0) return;
    for (const held of next.rows) {
      const run = (
        await sql<{ id: string }>`
        INSERT INTO runs (workflow_id, workflow_hash, event_id, status, input, cursor, concurrency_key, concurrency_limit, available_at, created_at, updated_at)
        SELECT h.workflow_id, h.workflow_hash, h.event_id,
               CASE WHEN h.concurrency_key IS NULL AND h.concurrency_limit IS NULL THEN 'ready' ELSE 'queued' END,
               e.payload, h.first_step_id, h.concurrency_key, h.concurrency_limit, ${now}, ${now}, ${now}
        FROM event_order_held h JOIN events e ON e.id = h.event_id WHERE h.id = ${held.id}
        ON CONFLICT (event_id, workflow_id) DO NOTHING RETURNING id`.execute(tx)
      ).rows[0];
      await sql`UPDATE event_order_held SET status = 'released', released_at = ${now}, run_id = ${run?.id ?? null}::bigint WHERE id = ${held.id}`.execute(
        tx,
      );
      if (!run) continue;
      await sql`UPDATE events SET runs_started = runs_started + 1 WHERE id = ${held.event_id}`.execute(
        tx,
      );
      result.released.push({
        runId: String(run.id),
        eventId: String(held.event_id),
        workflowId: held.workflow_id,
      });
    }
    const sequence = next.rows[0]!.sequence;
    await sql`UPDATE event_order_heads SET sequence = ${sequence}::numeric, event_id = ${next.rows[0]!.event_id}, updated_at = ${now}
              WHERE source = ${source} AND order_key = ${key}`.execute(tx);
  }
}
