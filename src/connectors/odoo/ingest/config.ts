import { z } from 'zod';

/** What Crossdock watches in one Odoo database, and how Odoo reaches it. */
export const OdooWatchSchema = z.strictObject({
  /** The Odoo model, e.g. sale.order. */
  model: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/),
  /** The Crossdock event type this becomes, e.g. sale.order.confirmed. */
  event: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/),
  /** Odoo domain the record must match when re-read (and that the poller searches). */
  domain: z.array(z.unknown()).default([]),
  /** Fields read back and put in the event; write_date is always added. */
  fields: z.array(z.string().min(1)).min(1),
  /** How often the poller looks for changes the webhooks missed; 0 turns it off. */
  poll_interval_ms: z.int().min(0).max(86_400_000).default(60_000),
  /** Look back this far behind the cursor, for rows committed late with an older write_date. */
  poll_overlap_ms: z.int().min(0).max(3_600_000).default(120_000),
  /** The Odoo automation rule `crossdock odoo setup-rules` creates: fire when `state` becomes this value, else on any write of the fields. */
  rule: z.strictObject({ state: z.string().min(1).optional() }).default({}),
  /** How long a hint may wait for its change to become visible before it is dropped as rolled back. */
  settle_ms: z.int().min(0).max(600_000).default(15_000),
});
export type OdooWatch = z.infer<typeof OdooWatchSchema>;

export const OdooSourceSchema = z.strictObject({
  /** Event source name (events from it carry this source). */
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/),
  /** Name of the Odoo connection profile to re-read and poll through. */
  connection: z.string().min(1),
  /** Secret path token: Odoo's webhooks cannot sign or add headers, so the URL carries it. */
  token: z.string().min(24, 'use at least 24 random characters'),
  watch: z.array(OdooWatchSchema).min(1),
});
export type OdooSource = z.infer<typeof OdooSourceSchema>;
