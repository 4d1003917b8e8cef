import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { dynamic, type StepType } from '../workflows/index.ts';
import {
  CASE_ACTIONS,
  CASE_TYPES,
  REASON_CODES,
  SEVERITIES,
  type ReasonCode,
  type Severity,
} from './model.ts';
import type { ExceptionsService } from './service.ts';

const text = (max: number) => dynamic(z.string().trim().min(1).max(max));

export const RaiseExceptionConfig = z.strictObject({
  /** Case type; `raised` unless the workflow says it is a check or a refusal it detected itself. */
  type: dynamic(z.enum(CASE_TYPES)).optional(),
  severity: dynamic(z.enum(SEVERITIES)).optional(),
  title: text(500),
  subject: dynamic(
    z.strictObject({
      model: text(200),
      id: dynamic(z.union([z.string().max(200), z.number()])),
      name: text(500).optional(),
    }),
  ).optional(),
  owner: dynamic(
    z.strictObject({
      team: text(100).optional(),
      user_id: dynamic(z.union([z.string().regex(/^\d{1,18}$/), z.int().positive()])).optional(),
    }),
  ).optional(),
  sla_hours: dynamic(
    z
      .number()
      .positive()
      .max(24 * 365),
  ).optional(),
  /** Groups cases of one cause, like an error code (CREDIT_HOLD). */
  code: text(100).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /**
   * What a person may ask of the run from the case (docs/EXCEPTIONS.md, "Business actions"):
   * each is sent to the run as the signal `case.action`, which the workflow waits for.
   */
  actions: z.array(z.enum(CASE_ACTIONS)).min(1).max(CASE_ACTIONS.length).optional(),
});
export type RaiseExceptionConfig = z.infer<typeof RaiseExceptionConfig>;

/**
 * The `raise_exception` step: opens a case and lets the run go on (the run does not fail).
 * Idempotent per step position: the case is keyed by ctx.idempotencyKey, so a retried or
 * recovered step finds the case it opened instead of opening a second. Output: { caseId, created }.
 */
export function raiseExceptionStep(
  service: ExceptionsService | null,
): StepType<RaiseExceptionConfig> {
  return {
    type: 'raise_exception',
    description:
      'Opens an exception case (type, severity, owner, SLA) for people to work, without failing the run',
    config: RaiseExceptionConfig as never,
    sideEffect: true,
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'EXCEPTIONS_UNAVAILABLE',
          'raise_exception steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const c = config as Record<string, any>;
      const owner = c.owner
        ? {
            ...(c.owner.team ? { team: c.owner.team } : {}),
            ...(c.owner.user_id !== undefined ? { userId: String(c.owner.user_id) } : {}),
          }
        : undefined;
      const opened = await service.openCase(
        {
          type: c.type ?? 'raised',
          title: c.title,
          key: ctx.idempotencyKey,
          runId: ctx.runId,
          workflowId: ctx.workflowId,
          stepId: ctx.stepId,
          ...(c.severity ? { severity: c.severity } : {}),
          ...(c.subject ? { subject: c.subject } : {}),
          ...(owner ? { owner } : {}),
          ...(c.sla_hours !== undefined ? { slaHours: c.sla_hours } : {}),
          ...(c.code ? { code: c.code } : {}),
          ...(c.details || c.actions
            ? { details: { ...(c.details ?? {}), ...(c.actions ? { actions: c.actions } : {}) } }
            : {}),
        },
        { actor: `workflow:${ctx.workflowId} run:${ctx.runId}` },
        'raised',
      );
      if (opened.created)
        ctx.log('info', `exception case ${opened.case.id} opened`, {
          severity: opened.case.severity,
          title: opened.case.title,
        });
      return { kind: 'done', output: { caseId: opened.case.id, created: opened.created } };
    },
    describe: (c) =>
      `would open a ${String(c.severity ?? 'medium')} exception case: ${String(c.title)}`,
  };
}

export const ResolveCaseConfig = z.strictObject({
  case_id: dynamic(z.union([z.string().regex(/^\d{1,18}$/), z.int().positive()])),
  reason_code: dynamic(z.enum(REASON_CODES)),
  note: text(5000).optional(),
});
export type ResolveCaseConfig = z.infer<typeof ResolveCaseConfig>;

/**
 * The `exceptions.resolve` step: the run closes a case it raised once the cause is gone (an
 * order held for stock that is now released). A case already closed is left as it is, so a
 * repeat (a retry, a recovered step) changes nothing. Output: { caseId, resolved }.
 */
export function resolveCaseStep(service: ExceptionsService | null): StepType<ResolveCaseConfig> {
  return {
    type: 'exceptions.resolve',
    description: 'Closes an exception case with a reason code (left alone if already closed)',
    config: ResolveCaseConfig as z.ZodType<ResolveCaseConfig>,
    sideEffect: true,
    ownIdempotency: 'a closed case is left as it is',
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'EXCEPTIONS_UNAVAILABLE',
          'exceptions.resolve steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const id = String(config.case_id);
      try {
        await service.resolve(id, config.reason_code as ReasonCode, config.note ?? null, {
          actor: `workflow:${ctx.workflowId} run:${ctx.runId}`,
        });
        return { kind: 'done', output: { caseId: id, resolved: true } };
      } catch (error) {
        if (error instanceof CrossdockError && error.code === 'EXCEPTION_ILLEGAL_TRANSITION')
          return { kind: 'done', output: { caseId: id, resolved: false } };
        throw error;
      }
    },
    describe: (c) => `would resolve exception case ${String(c.case_id)} (${String(c.reason_code)})`,
  };
}

export const UpdateCaseConfig = z.strictObject({
  case_id: dynamic(z.union([z.string().regex(/^\d{1,18}$/), z.int().positive()])),
  severity: dynamic(z.enum(SEVERITIES)).optional(),
  title: text(500).optional(),
  details: dynamic(z.record(z.string(), z.unknown())).optional(),
});
export type UpdateCaseConfig = z.infer<typeof UpdateCaseConfig>;

/**
 * The `exceptions.update` step: the run tells the case it raised what changed (a further
 * delay: new severity, title, details). Writing the same values again changes nothing, so
 * a repeat is harmless. A case a person closed meanwhile is not changed: the output says
 * so (`updated: false`, its status) for the workflow to stop. Output: { caseId, updated, status }.
 */
export function updateCaseStep(service: ExceptionsService | null): StepType<UpdateCaseConfig> {
  return {
    type: 'exceptions.update',
    description: 'Updates the severity, title and details of an open case the run raised',
    config: UpdateCaseConfig as z.ZodType<UpdateCaseConfig>,
    sideEffect: true,
    ownIdempotency: 'writes the same values again',
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'EXCEPTIONS_UNAVAILABLE',
          'exceptions.update steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const id = String(config.case_id);
      try {
        const view = await service.update(
          id,
          {
            ...(config.severity ? { severity: config.severity as Severity } : {}),
            ...(config.title ? { title: config.title as string } : {}),
            ...(config.details ? { details: config.details as Record<string, unknown> } : {}),
          },
          { actor: `workflow:${ctx.workflowId} run:${ctx.runId}` },
        );
        return { kind: 'done', output: { caseId: id, updated: true, status: view.status } };
      } catch (error) {
        if (error instanceof CrossdockError && error.code === 'EXCEPTION_ILLEGAL_TRANSITION') {
          const current = await service.show(id);
          return { kind: 'done', output: { caseId: id, updated: false, status: current.status } };
        }
        throw error;
      }
    },
    describe: (c) => `would update exception case ${String(c.case_id)}`,
  };
}
