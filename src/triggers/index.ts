export { WebhookSources, NewSourceSchema, SourceUpdateSchema, type WebhookSource } from './sources.ts';
export { webhookIngress, type IngressDeps } from './ingress.ts';
export { MappingSchema, mapPayload, type Mapping, type MappedEvent } from './mapping.ts';
export { Verification, VERIFICATIONS, signTimestamped, verifyTimestamped, verifyHeaderHmac, verifyPathToken, type Verdict } from './verify.ts';
export { acceptRawJsonBodies } from './raw-body.ts';
