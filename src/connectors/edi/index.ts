/**
 * EDI with trading partners over X12 (the codec is src/edi): partner configuration, control
 * numbers, the inbound doors (/hooks/edi/<partner>, and the partner's watched inbox folder),
 * the outbox and its dispatcher, and the step types the packs use. Transports are a port of
 * two parts: inbound, anything that hands receiveInterchange the bytes (HTTP, the folder;
 * AS2 later), and outbound, `OutboundTransport` (transport.ts: HTTP, the folder's outbox).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../../engine/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Database } from '../../store/index.ts';
import type { Backoff, StepType } from '../../workflows/index.ts';
import type { EdiPartner } from './config.ts';
import { sweepOverdueAcks, sweepUndeliverable } from './ack-watch.ts';
import { EdiDispatcher } from './dispatcher.ts';
import { EdiFolderInbox } from './folder-inbox.ts';
import type { InboundDeps } from './inbound.ts';
import { ediRoutes } from './routes.ts';
import { resendDocumentStep } from './resend-step.ts';
import { sendDocumentStep } from './send-step.ts';
import { planOrderStep } from './steps.ts';
import { planChangeStep } from './change-step.ts';

export { loadEdiPartners, parseEdiPartners, type EdiPartner } from './config.ts';
export { sweepOverdueAcks, sweepUndeliverable } from './ack-watch.ts';
export { EdiDispatcher, signEdiBody } from './dispatcher.ts';
export { EdiFolderInbox, type FileTaken } from './folder-inbox.ts';
export { outboxFileName, transportFor, type OutboundTransport } from './transport.ts';
export { receiveInterchange, type ReceiveOutcome } from './inbound.ts';
export { queueDocument, type DocumentToSend, type QueuedDocument } from './outbound.ts';
export { receiveEdiDelivery } from './routes.ts';
export { lastControlNumbers, listDocuments, takeControlNumber } from './store.ts';
export { planOrderStep } from './steps.ts';
export { planChangeStep } from './change-step.ts';
export { sendDocumentStep } from './send-step.ts';
export { resendDocumentStep } from './resend-step.ts';

export interface EdiIntegration {
  partners: readonly EdiPartner[];
  steps: StepType<any>[];
  routes: FastifyPluginAsync;
  dispatcher: EdiDispatcher;
  /** The watched inbox folders of the partners that have one. */
  folders: EdiFolderInbox;
}

export interface EdiDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  accept: InboundDeps['accept'];
  /** How often the dispatcher looks for due documents when nothing woke it. */
  pollIntervalMs: number;
  retry?: Backoff;
}

/**
 * The EDI step types without partners (validate, dry runs, an instance with no EDI
 * configured): the packs load; `edi.send` fails naming the missing partner.
 */
export function ediStepTypes(db: Kysely<Database> | null = null): StepType<any>[] {
  return [
    planOrderStep(),
    planChangeStep({ db: () => db, partner: () => undefined }),
    sendDocumentStep({
      db: () => db,
      partner: () => undefined,
      codes: () => [],
      queued: () => undefined,
    }),
    resendDocumentStep({ db: () => db, queued: () => undefined }),
  ];
}

export function createEdiIntegration(
  partners: readonly EdiPartner[],
  deps: EdiDeps,
): EdiIntegration {
  const byCode = new Map(partners.map((p) => [p.code, p]));
  const partner = (code: string) => byCode.get(code);
  const dispatcher = new EdiDispatcher({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    partner,
    pollIntervalMs: deps.pollIntervalMs,
    ...(deps.retry ? { retry: deps.retry } : {}),
    sweep: async (now) => {
      await sweepUndeliverable({ db: deps.db, partners, accept: deps.accept });
      await sweepOverdueAcks({ db: deps.db, partners, now, accept: deps.accept });
    },
  });
  const queued = () => dispatcher.wake();
  const folders = new EdiFolderInbox(partners, {
    db: deps.db,
    now: () => deps.clock.now(),
    clock: deps.clock,
    logger: deps.logger,
    accept: deps.accept,
    queued,
  });
  return {
    partners,
    dispatcher,
    folders,
    steps: [
      planOrderStep(),
      planChangeStep({ db: () => deps.db, partner }),
      sendDocumentStep({ db: () => deps.db, partner, codes: () => [...byCode.keys()], queued }),
      resendDocumentStep({ db: () => deps.db, queued }),
    ],
    routes: ediRoutes({
      db: deps.db,
      now: () => deps.clock.now(),
      accept: deps.accept,
      queued,
      partner,
      logger: deps.logger,
    }),
  };
}
