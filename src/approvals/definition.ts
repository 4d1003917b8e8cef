import { z } from 'zod';
import { ROLES } from '../auth/index.ts';
import { dynamic } from '../workflows/index.ts';

/** Who approves at a level: a business group, named people, or everyone with a Crossdock role. */
export const Approvers = z.union([
  z.strictObject({ group: z.string().min(1).max(100) }),
  z.strictObject({ users: z.array(z.string().min(1).max(254)).min(1).max(50) }),
  z.strictObject({ role: z.enum(ROLES) }),
]);
export type Approvers = z.infer<typeof Approvers>;

/** Where a breached level goes when it escalates: other approvers, or the assignees' managers. */
export const EscalationTarget = z.union([Approvers, z.strictObject({ manager: z.literal(true) })]);
export type EscalationTarget = z.infer<typeof EscalationTarget>;

export const BreachAction = { escalate: 'escalate', approve: 'approve', reject: 'reject' } as const;
export type BreachAction = (typeof BreachAction)[keyof typeof BreachAction];

export const ApprovalLevel = z
  .strictObject({
    name: z.string().min(1).max(100),
    approvers: Approvers,
    /** How many distinct approvals close the level: a number (n-of-m) or "all". */
    required: z.union([z.int().min(1).max(50), z.literal('all')]).default(1),
    sla_hours: z
      .number()
      .positive()
      .max(24 * 365),
    /** A reminder this long before the deadline (once). */
    remind_before_hours: z.number().positive().optional(),
    /** At the deadline: escalate (to `escalate_to`, else the next level, else the managers), or decide. */
    on_breach: z
      .enum(Object.values(BreachAction) as [BreachAction, ...BreachAction[]])
      .default('escalate'),
    escalate_to: EscalationTarget.optional(),
    /**
     * Each decision at this level needs a valid code from the decider's TOTP authenticator
     * (dashboard, e-mailed link and CLI alike); a decision without one is refused and recorded.
     */
    step_up: z.boolean().optional(),
  })
  .refine((l) => l.remind_before_hours === undefined || l.remind_before_hours < l.sla_hours, {
    message: 'remind_before_hours must be less than sla_hours',
    path: ['remind_before_hours'],
  })
  .refine((l) => l.escalate_to === undefined || l.on_breach === 'escalate', {
    message: 'escalate_to only applies when on_breach is escalate',
    path: ['escalate_to'],
  })
  .refine((l) => !(l.step_up === true && l.on_breach === 'approve'), {
    message:
      'a step_up level cannot be approved by its deadline: nobody would confirm it with a second factor (use escalate or reject)',
    path: ['on_breach'],
  });
export type ApprovalLevel = z.infer<typeof ApprovalLevel>;

const Chain = z.array(ApprovalLevel).min(1).max(10);

export const Subject = z.strictObject({
  model: z.string().min(1).max(100),
  id: z.union([z.int(), z.string().min(1).max(100)]),
  name: z.string().max(200).optional(),
});
export type Subject = z.infer<typeof Subject>;

/**
 * The `approval` step's `with:` block. The chain is either `levels`, or one of `chains`
 * picked by `chain` (typically the tier a policy decided).
 */
export const ApprovalConfig = z
  .strictObject({
    subject: dynamic(Subject),
    summary: dynamic(z.string().min(1).max(2000)),
    /** The policy decision that required this approval, kept with the request. */
    policy: z.unknown().optional(),
    /** Who asked (the Odoo user behind the event): an email or login, or `odoo:<uid>`. */
    requester: dynamic(z.string().max(254).nullable()).optional(),
    /** People who must not approve this request (e.g. whoever created the supplier). */
    conflicts: dynamic(z.array(z.string().max(254)).max(50).nullable()).optional(),
    levels: Chain.optional(),
    chains: z.record(z.string(), Chain).optional(),
    chain: dynamic(z.string().min(1)).optional(),
    /**
     * May this request be approved together with identical ones (same workflow, step, chain,
     * policy decision and level)? Typically the policy's answer; absent or false: never.
     */
    bulk: dynamic(z.boolean()).optional(),
    /** Show the request in Odoo on the subject record: a note, an activity per approver, the decision. */
    odoo: z.strictObject({ connection: z.string().min(1).default('odoo') }).optional(),
    /** Step to go to when the request is rejected; without it the run continues at the next step. */
    on_reject: z.string().optional(),
  })
  .refine((c) => (c.levels === undefined) !== (c.chains === undefined), {
    message: 'give levels, or chains with chain',
  })
  .refine((c) => (c.chains === undefined) === (c.chain === undefined), {
    message: 'chains and chain go together',
  });
export type ApprovalConfig = z.infer<typeof ApprovalConfig>;

export function levelsOf(config: ApprovalConfig): ApprovalLevel[] {
  if (config.levels) return config.levels;
  const chosen = config.chains![String(config.chain)];
  if (!chosen) return [];
  return chosen;
}
