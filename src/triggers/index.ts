/**
 * Webhook ingress: sources configured at run time (POST /hooks/:source), their mapping to
 * events, and the one webhook verifier every door uses (verify.ts).
 *
 * Every way an event arrives, and where it lives:
 *  - webhook sources: here;
 *  - Odoo hints and the Odoo poller: src/connectors/odoo/ingest (they read Odoo through its
 *    client; the hint route verifies its path token here);
 *  - carrier tracking hooks: src/connectors/carriers/webhooks.ts (verified here);
 *  - schedules: src/engine/scheduler.ts (the engine fires them into its own intake);
 *  - events sent to the API or the CLI: src/api/routes/events.ts, src/cli/operations.ts.
 * All of them end in the engine's one durable intake (src/engine/intake.ts).
 */
export {
  WebhookSources,
  NewSourceSchema,
  SourceUpdateSchema,
  KEY_CONFLICT_POLICIES,
  type WebhookSource,
} from './sources.ts';
export { webhookIngress, parseJsonBody, type IngressDeps } from './ingress.ts';
export { MappingSchema, mapPayload, type Mapping, type MappedEvent } from './mapping.ts';
export {
  Verification,
  VERIFICATIONS,
  signTimestamped,
  verifyTimestamped,
  verifyBodyHmac,
  verifyHeaderHmac,
  verifyPathToken,
  webhookRefused,
  type BodySignature,
  type HookRefusal,
  type HookRefusalCode,
  type Verdict,
} from './verify.ts';
export { acceptRawJsonBodies } from './raw-body.ts';
