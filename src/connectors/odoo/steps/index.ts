/**
 * Workflow step types for Odoo: reads, idempotent writes, method calls, picking
 * validation, chatter, invoicing, returns, credit notes, vendor refunds and scrap. Every step's `with:` takes an optional `connection`
 * (default "odoo"), resolved through the pool the steps are built with.
 */
import type { StepType } from '../../../workflows/index.ts';
import { activityScheduleStep, messagePostStep } from './chatter-steps.ts';
import { creditNoteStep } from './credit-note-step.ts';
import { invoiceFromOrderStep } from './invoice-step.ts';
import { readStep, searchReadStep } from './read-steps.ts';
import { returnPickingStep } from './return-step.ts';
import { scrapStep } from './scrap-step.ts';
import type { OdooClientPool } from './shared.ts';
import { validatePickingStep } from './validate-picking-step.ts';
import { vendorRefundStep } from './vendor-refund-step.ts';
import { callStep, createStep, writeStep } from './write-steps.ts';

export { createClientPool } from './pool.ts';
export { odooApprovalMirror } from './approval-mirror.ts';
export { chatterRef, DEFAULT_CONNECTION, type OdooClientPool } from './shared.ts';

export function odooStepTypes(clients: OdooClientPool): StepType<any>[] {
  return [
    readStep(clients),
    searchReadStep(clients),
    createStep(clients),
    writeStep(clients),
    callStep(clients),
    validatePickingStep(clients),
    messagePostStep(clients),
    activityScheduleStep(clients),
    invoiceFromOrderStep(clients),
    returnPickingStep(clients),
    creditNoteStep(clients),
    scrapStep(clients),
    vendorRefundStep(clients),
  ];
}
