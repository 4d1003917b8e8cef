import { z } from 'zod';
import type { ApprovalsService } from '../approvals/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { dynamic, type StepType } from '../workflows/index.ts';

const HOUR_MS = 3_600_000;
const hours = dynamic(
  z
    .number()
    .min(0)
    .max(24 * 365),
);

export const StalledApprovalsConfig = z.strictObject({
  /** Also report requests opened this long ago or more, whatever their deadline. */
  older_than_hours: hours.optional(),
  /** Also report requests whose level is due within this many hours (close to the SLA). */
  due_within_hours: hours.optional(),
  /** Only requests past their deadline (or marked breached): ignores the two above. */
  breached_only: dynamic(z.boolean()).optional(),
  /** Requests listed (most urgent first); `count` counts them all. */
  limit: dynamic(z.int().min(1).max(500)).optional(),
});
export type StalledApprovalsConfig = z.infer<typeof StalledApprovalsConfig>;

/** One stalled request as a digest shows it. */
export interface StalledRequest {
  id: string;
  workflowId: string;
  runId: string;
  subject: unknown;
  summary: string;
  level: string;
  assignees: string[];
  dueAt: string | null;
  /** Past its deadline now, or breached before (an escalation that happened). */
  breached: boolean;
  /** Hours since the request opened, one decimal. */
  ageHours: number;
}

const oneDecimal = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

/**
 * `approvals.stalled`: pending approval requests past their SLA or close to it. Read-only
 * (sideEffect false: a dry run runs it, and a repeat reads again). Output `{ count, requests }`.
 */
export function stalledApprovalsStep(
  service: ApprovalsService | null,
): StepType<StalledApprovalsConfig> {
  return {
    type: 'approvals.stalled',
    description:
      'Lists pending approval requests past their SLA, close to it, or older than a given age (read-only)',
    config: StalledApprovalsConfig as never,
    sideEffect: false,
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'APPROVALS_UNAVAILABLE',
          'approvals.stalled runs only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const c = config as {
        older_than_hours?: number;
        due_within_hours?: number;
        breached_only?: boolean;
        limit?: number;
      };
      const now = ctx.now();
      const found = await service.listStalled({
        dueBefore:
          c.due_within_hours === undefined
            ? null
            : new Date(now.getTime() + c.due_within_hours * HOUR_MS),
        openedBefore:
          c.older_than_hours === undefined
            ? null
            : new Date(now.getTime() - c.older_than_hours * HOUR_MS),
        breachedOnly: c.breached_only ?? false,
        limit: c.limit ?? 50,
      });
      const requests: StalledRequest[] = found.approvals.map((a) => ({
        id: a.id,
        workflowId: a.workflowId,
        runId: a.runId,
        subject: a.subject,
        summary: a.summary,
        level: a.level.name,
        assignees: a.level.assignees.map((p) => p.email),
        dueAt: a.level.dueAt,
        breached: a.breached || (a.level.dueAt !== null && new Date(a.level.dueAt) <= now),
        ageHours: oneDecimal(now.getTime() - new Date(a.createdAt).getTime()),
      }));
      return {
        kind: 'done',
        output: {
          count: found.total,
          breached: requests.filter((r) => r.breached).length,
          requests,
        },
      };
    },
  };
}
