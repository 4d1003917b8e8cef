import type { Kysely } from 'kysely';
import type { ApprovalsService } from '../approvals/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import type { Database } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';
import { alertRouteStep, type AlertChannels } from './alert-route.ts';
import { overdueExceptionsStep } from './overdue-exceptions.ts';
import { reconcileSweepStep } from './reconcile-sweep.ts';
import { stalledApprovalsStep } from './stalled-approvals.ts';

export { alertRouteStep, AlertRouteConfig, type AlertChannels } from './alert-route.ts';
export {
  AGE_BUCKETS,
  overdueExceptionsStep,
  OverdueExceptionsConfig,
  type OverdueCase,
} from './overdue-exceptions.ts';
export {
  FINDING_EVENT,
  reconcileSweepStep,
  ReconcileSweepConfig,
  type SweepFinding,
} from './reconcile-sweep.ts';
export { FINDING_TYPES, FindingType } from './reconcile-findings.ts';
export {
  stalledApprovalsStep,
  StalledApprovalsConfig,
  type StalledRequest,
} from './stalled-approvals.ts';

/**
 * The step types of scheduled operations (packs/operations, packs/reconciliation): read-only
 * reports, and the reconciliation sweep (which acts once per finding). Without services
 * (validate, dry runs without a store) they are known by their schema; running one fails.
 */
export function operationsStepTypes(
  services: {
    approvals?: ApprovalsService | null;
    exceptions?: ExceptionsService | null;
    alertChannels?: AlertChannels | null;
    db?: Kysely<Database> | null;
  } = {},
): StepType<any>[] {
  return [
    stalledApprovalsStep(services.approvals ?? null),
    overdueExceptionsStep(services.exceptions ?? null),
    alertRouteStep(services.alertChannels ?? null),
    reconcileSweepStep(
      services.db && services.exceptions
        ? { db: services.db, exceptions: services.exceptions }
        : null,
    ),
  ];
}
