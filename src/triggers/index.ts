export { WebhookSources, NewSourceSchema, SourceUpdateSchema, keyConflictOpensCase, KEY_CONFLICT_POLICIES, type WebhookSource } from './sources.ts';
export { webhookIngress, parseJsonBody, type IngressDeps } from './ingress.ts';
export { MappingSchema, mapPayload, type Mapping, type MappedEvent } from './mapping.ts';
export { Verification, VERIFICATIONS, signTimestamped, verifyTimestamped, verifyBodyHmac, verifyHeaderHmac, verifyPathToken, webhookRefused, type BodySignature, type HookRefusal, type HookRefusalCode, type Verdict } from './verify.ts';
export { acceptRawJsonBodies } from './raw-body.ts';
