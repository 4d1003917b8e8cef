import type { ApprovalsService } from '../approvals/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import type { StepType } from '../workflows/index.ts';
import { alertRouteStep, type AlertChannels } from './alert-route.ts';
import { overdueExceptionsStep } from './overdue-exceptions.ts';
import { stalledApprovalsStep } from './stalled-approvals.ts';

export { alertRouteStep, AlertRouteConfig, type AlertChannels } from './alert-route.ts';
export {
  AGE_BUCKETS,
  overdueExceptionsStep,
  OverdueExceptionsConfig,
  type OverdueCase,
} from './overdue-exceptions.ts';
export {
  stalledApprovalsStep,
  StalledApprovalsConfig,
  type StalledRequest,
} from './stalled-approvals.ts';

/**
 * The read-only step types of scheduled operations (packs/operations). Without services
 * (validate, dry runs without a store) they are known by their schema; running one fails.
 */
export function operationsStepTypes(
  services: {
    approvals?: ApprovalsService | null;
    exceptions?: ExceptionsService | null;
    alertChannels?: AlertChannels | null;
  } = {},
): StepType<any>[] {
  return [
    stalledApprovalsStep(services.approvals ?? null),
    overdueExceptionsStep(services.exceptions ?? null),
    alertRouteStep(services.alertChannels ?? null),
  ];
}
