import { contentHash, WorkflowSchema, type LoadedWorkflow } from '../../../workflows/index.ts';
import type { OdooSource } from './config.ts';
import { HINT_EVENT_TYPE } from './hint.ts';
import { settleMsFor, type HintTiming } from './hint-timing.ts';

/**
 * The built-in workflow that turns a source's hints into record events. Being a workflow,
 * it gets the engine's guarantees for free: the hint is durable before Odoo is answered,
 * re-reads are retried with backoff while Odoo is down, a failure is a replayable dead
 * letter, and every decision (emitted, dropped and why) is in the run's history.
 * `hints` says whether the source's Odoo sends its hints before or after the commit.
 */
export function ingestWorkflow(
  source: OdooSource,
  hints: HintTiming = 'before-commit',
): LoadedWorkflow {
  const steps = [
    {
      id: 'route',
      type: 'switch',
      with: {
        cases: source.watch.map((w, i) => ({
          when: `input.event = ${JSON.stringify(w.event)}`,
          next: `reread_${i}`,
        })),
        default: 'dropped',
      },
    },
    ...source.watch.map((w, i) => ({
      id: `reread_${i}`,
      type: 'odoo.reread',
      with: {
        connection: source.connection,
        model: '= input.model',
        id: '= input.id',
        fields: w.fields,
        domain: w.domain,
        hint_write_date: '= input.write_date ? input.write_date : null',
        received_at: '= event.receivedAt',
        settle_ms: settleMsFor(hints, w),
      },
      retry: {
        max_attempts: 40,
        initial_delay_ms: 250,
        max_delay_ms: 30_000,
        multiplier: 2,
        jitter: 0.2,
      },
      next: `decide_${i}`,
    })),
    ...source.watch.map((w, i) => ({
      id: `decide_${i}`,
      type: 'branch',
      with: {
        if: `steps.reread_${i}.output.visible and steps.reread_${i}.output.matches`,
        then: `emit_${i}`,
        else: 'dropped',
      },
    })),
    ...source.watch.map((w, i) => ({
      id: `emit_${i}`,
      type: 'event.emit',
      with: {
        source: source.name,
        type: w.event,
        key: `= '${w.event}:' & input.model & ':' & $string(input.id) & ':' & steps.reread_${i}.output.version`,
        payload: {
          model: '= input.model',
          id: '= input.id',
          write_date: `= steps.reread_${i}.output.write_date`,
          record: `= steps.reread_${i}.output.record`,
          via: 'webhook',
        },
      },
      end: true as const,
    })),
    {
      id: 'dropped',
      type: 'log',
      // The reason (missing, older than the hint, no longer matching) is in the re-read step's output.
      with: {
        level: 'info',
        message: "= 'odoo hint dropped: ' & input.model & ' ' & $string(input.id)",
      },
    },
  ];
  const definition = WorkflowSchema.parse({
    id: `odoo-ingest-${source.name}`,
    description: `Re-reads Odoo webhook hints from source ${source.name} and emits record events`,
    trigger: { event: HINT_EVENT_TYPE, source: source.name },
    steps,
  });
  return { definition, hash: contentHash(definition), file: null };
}
