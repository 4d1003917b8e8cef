import { z } from 'zod';
import { CASE_TYPES, SEVERITIES, Subject } from './model.ts';

/** Who acts, as the audit log names them ("user:3 ana@example.com", "cli:ana", "workflow:x run:5"). */
export interface Actor {
  actor: string;
  requestId?: string | null;
}

/** A case opened by a `raise_exception` step or by a scheduled check (`openCase`). */
export const OpenCaseInput = z.strictObject({
  type: z.enum(CASE_TYPES).default('check'),
  severity: z.enum(SEVERITIES).default('medium'),
  title: z.string().trim().min(1).max(500),
  subject: Subject.optional(),
  owner: z
    .strictObject({
      team: z.string().trim().min(1).max(100).optional(),
      userId: z
        .string()
        .regex(/^\d{1,18}$/)
        .optional(),
    })
    .optional(),
  slaHours: z
    .number()
    .positive()
    .max(24 * 365)
    .optional(),
  /** Groups the case with others of the same cause (like an error code): CREDIT_HOLD, PO_LATE ... */
  code: z.string().trim().min(1).max(100).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** Idempotency: opening again with the same key finds the case opened first. */
  key: z.string().min(1).max(500).optional(),
  runId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  workflowId: z.string().max(200).optional(),
  stepId: z.string().max(200).optional(),
});
export type OpenCaseInput = z.input<typeof OpenCaseInput>;
