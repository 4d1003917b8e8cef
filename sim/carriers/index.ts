/**
 * A carrier simulator for tests and demos: several named carriers behind one HTTP server
 * on 127.0.0.1, each at its own base URL (`url(code)`), speaking the carrier REST profile,
 * with per-carrier fault injection, a log of every call, a ledger of bookings (so a test
 * can assert that a key booked exactly once) and signed tracking webhooks. Several
 * simulators can run in one process; nothing is shared between them.
 */
import { RecordLog } from '../record-log.ts';
import { failure, handleCarrierRequest, operationOf, type SimAnswer } from './api.ts';
import { CarrierFaults, type CarrierFault, type SimOperation } from './faults.ts';
import { CarrierLedger, type SimBooking, type SimTrackingRecord } from './ledger.ts';
import {
  DEFAULT_CARRIER_PROFILES,
  SIM_TRACKING_STATUSES,
  WEBHOOK_FIELDS,
  type CarrierProfile,
  type SimTrackingStatus,
} from './profiles.ts';
import { CarrierSimServer, type Handler, type Outcome } from './server.ts';
import {
  deliver,
  signedHeaders,
  webhookBody,
  type SendTrackingOptions,
  type WebhookDelivery,
} from './tracking.ts';

export {
  CARGOPLUS,
  DEFAULT_CARRIER_PROFILES,
  EUROLINE,
  PARCELNOW,
  SWIFTPOST,
  type CarrierProfile,
  type ServiceProfile,
  type SimTrackingStatus,
  type WebhookFormat,
} from './profiles.ts';
export type {
  CarrierFault,
  SimOperation,
  SimBooking,
  SimTrackingRecord,
  SendTrackingOptions,
  WebhookDelivery,
};

export interface CarrierSimulatorOptions {
  carriers?: readonly CarrierProfile[];
  /** Booking times, tracking times and webhook timestamps; defaults to the real time. */
  clock?: () => Date;
  /** For random failures. */
  random?: () => number;
  /** Fail each carrier's `failureRate` share of calls with 503 (drawn from `random`). Off by default: runs are reproducible. */
  randomFailures?: boolean;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where each carrier posts its tracking webhooks. */
  webhookUrl?: (code: string) => string;
  /** How many of the newest calls and webhook deliveries to keep (default: all, for tests); see RecordLog. */
  keepRecords?: number;
}

export interface CallRecord {
  seq: number;
  carrier: string;
  operation: SimOperation | 'label' | null;
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** The status answered; null when no answer was sent (timeout, reset). */
  status: number | null;
  fault: CarrierFault['kind'] | 'random' | null;
  at: string;
}

export interface CallFilter {
  carrier?: string;
  operation?: SimOperation;
  idempotencyKey?: string;
}

export interface TrackingUpdate {
  tracking_ref: string;
  status: SimTrackingStatus;
  reason?: string;
  location?: string;
  /** ISO time; default the simulator's clock. */
  at?: string;
  /** Default a new id per event. The id of an event already sent sends that event again, unchanged (a webhook retry). */
  event_id?: string;
  /** Proof of delivery: who signed, and the photo or document reference. */
  signed_by?: string;
  proof_ref?: string;
}

export interface CarrierSimulator {
  /** The server; each carrier is at `${baseUrl}/${code}`. */
  readonly baseUrl: string;
  readonly profiles: readonly CarrierProfile[];
  url(code: string): string;
  /** Every booking this carrier made (cancelled ones included), in order, less those forgotten. */
  bookings(code: string): readonly SimBooking[];
  /** Every carrier forgets its bookings made before `before` but for those `keep` names (CarrierLedger.forget); answers how many went. */
  forget(before: Date, keep: ReadonlySet<string>): number;
  tracking(code: string, trackingRef: string): readonly SimTrackingRecord[];
  readonly calls: {
    readonly entries: readonly CallRecord[];
    filter(filter?: CallFilter): CallRecord[];
    count(filter?: CallFilter): number;
  };
  readonly faults: {
    /** The next `count` matching calls to this carrier fail this way (any operation unless one is named). */
    failNext(code: string, count: number, fault: CarrierFault, operation?: SimOperation): void;
    /** Every matching call fails this way until cleared. */
    failAlways(code: string, fault: CarrierFault, operation?: SimOperation): void;
    clear(code?: string): void;
  };
  readonly webhooks: readonly WebhookDelivery[];
  setWebhookUrl(url: (code: string) => string): void;
  /** Records a tracking event and posts it, signed, to the webhook URL (`deliveries` times). */
  sendTracking(
    code: string,
    update: TrackingUpdate,
    options?: SendTrackingOptions,
  ): Promise<WebhookDelivery[]>;
  /** This carrier as Crossdock configures it (CarrierConfigSchema input, secrets inline). */
  carrierConfig(code: string): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startCarrierSimulator(
  options: CarrierSimulatorOptions = {},
): Promise<CarrierSimulator> {
  const profiles = options.carriers ?? DEFAULT_CARRIER_PROFILES;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const ledgers = new Map(profiles.map((p) => [p.code, new CarrierLedger(p, clock)]));
  if (ledgers.size !== profiles.length) throw new Error('carrier codes must be unique');
  const faults = new CarrierFaults();
  const callLog = new RecordLog<CallRecord>(options.keepRecords);
  const webhookLog = new RecordLog<WebhookDelivery>(options.keepRecords);
  const calls = callLog.entries;
  let webhookUrl = options.webhookUrl ?? null;
  let baseUrl = '';

  const ledgerOf = (code: string) => {
    const ledger = ledgers.get(code);
    if (!ledger)
      throw new Error(
        `the simulator has no carrier "${code}"; it has ${[...ledgers.keys()].join(', ')}`,
      );
    return ledger;
  };

  const handler: Handler = async (request) => {
    const match = /^\/([a-z][a-z0-9_-]*)(\/.*)$/.exec(request.url.pathname);
    const ledger = match ? ledgers.get(match[1]!) : undefined;
    if (!match || !ledger)
      return {
        kind: 'answer',
        answer: failure(404, 'not_found', `no carrier at ${request.url.pathname}`),
      };
    const path = match[2]!;
    const operation = operationOf(request.method, path);
    const key = request.headers['idempotency-key'];
    const entry: CallRecord = {
      seq: callLog.total + 1,
      carrier: ledger.profile.code,
      operation,
      method: request.method,
      path,
      idempotencyKey: typeof key === 'string' ? key : null,
      status: null,
      fault: null,
      at: clock().toISOString(),
    };
    callLog.add(entry);
    const fault =
      operation === null || operation === 'label'
        ? null
        : faults.take(ledger.profile.code, operation);
    entry.fault = fault?.kind ?? null;
    const run = () =>
      handleCarrierRequest(ledger, {
        method: request.method,
        path,
        headers: request.headers,
        body: request.body,
        baseUrl: `${baseUrl}/${ledger.profile.code}`,
      });
    const outcome = faultOutcome(fault, run);
    if (outcome) return outcome.kind === 'answer' ? answered(entry, outcome.answer) : outcome;
    if (options.randomFailures && operation !== 'label' && random() < ledger.profile.failureRate) {
      entry.fault = 'random';
      return answered(
        entry,
        failure(503, 'unavailable', `${ledger.profile.code} is having a bad day`),
      );
    }
    return answered(entry, run());
  };

  const server = new CarrierSimServer(handler);
  baseUrl = `http://127.0.0.1:${await server.listen(options.port ?? 0)}`;

  return {
    baseUrl,
    profiles,
    url: (code) => `${baseUrl}/${ledgerOf(code).profile.code}`,
    bookings: (code) => ledgerOf(code).bookings,
    forget: (before, keep) =>
      profiles.reduce((gone, p) => gone + ledgerOf(p.code).forget(before, keep), 0),
    tracking: (code, ref) => ledgerOf(code).history(ref) ?? [],
    calls: {
      get entries() {
        return calls;
      },
      filter: (filter = {}) => calls.filter((c) => matches(c, filter)),
      count: (filter = {}) => calls.filter((c) => matches(c, filter)).length,
    },
    faults: {
      failNext: (code, count, fault, operation) =>
        faults.failNext(ledgerOf(code).profile.code, count, fault, operation ?? null),
      failAlways: (code, fault, operation) =>
        faults.failAlways(ledgerOf(code).profile.code, fault, operation ?? null),
      clear: (code) => faults.clear(code),
    },
    webhooks: webhookLog.entries,
    setWebhookUrl: (url) => void (webhookUrl = url),
    async sendTracking(code, update, sendOptions = {}) {
      const ledger = ledgerOf(code);
      if (!SIM_TRACKING_STATUSES.includes(update.status))
        throw new Error(`unknown tracking status ${update.status}`);
      const url = sendOptions.url ?? webhookUrl?.(code);
      if (url === undefined)
        throw new Error(
          'no webhook URL: pass webhookUrl to startCarrierSimulator, setWebhookUrl, or options.url',
        );
      const event = ledger.recordEvent(update.tracking_ref, {
        status: update.status,
        ...pick(update, ['reason', 'location', 'at', 'signed_by', 'proof_ref']),
        ...(update.event_id ? { id: update.event_id } : {}),
      });
      const reference = ledger.bookingByTrackingRef(update.tracking_ref)?.reference ?? null;
      const signedBody = JSON.stringify(
        webhookBody(ledger.profile, update.tracking_ref, reference, event),
      );
      const sent: WebhookDelivery[] = [];
      for (let i = 0; i < (sendOptions.deliveries ?? 1); i += 1) {
        const headers = signedHeaders(ledger.profile, signedBody, clock(), sendOptions);
        const body = sendOptions.tamper ? signedBody.replace(/"(\w+)":/, '"$1" :') : signedBody;
        const answer = await deliver(url, headers, body);
        const delivery: WebhookDelivery = {
          seq: webhookLog.total + 1,
          carrier: ledger.profile.code,
          url,
          eventId: event.id,
          headers,
          body,
          ...answer,
        };
        webhookLog.add(delivery);
        sent.push(delivery);
      }
      return sent;
    },
    carrierConfig: (code) => carrierConfigOf(ledgerOf(code).profile, `${baseUrl}/${code}`),
    close: () => server.close(),
  };
}

function faultOutcome(fault: CarrierFault | null, run: () => SimAnswer): Outcome | null {
  if (fault === null) return null;
  switch (fault.kind) {
    case 'timeout':
      if (fault.commit) run(); // the call takes effect; only its answer is lost
      return { kind: 'hold', holdMs: fault.holdMs ?? 30_000 };
    case 'reset':
      return { kind: 'reset' };
    case 'server-error':
      return {
        kind: 'answer',
        answer: failure(fault.status ?? 503, 'server_error', 'simulated outage'),
      };
    case 'rate-limit':
      return {
        kind: 'answer',
        answer: failure(429, 'rate_limited', 'too many requests', {
          'retry-after': String(fault.retryAfterS),
        }),
      };
    case 'reject':
      return { kind: 'answer', answer: failure(422, 'rejected', fault.reason) };
  }
}

function answered(entry: CallRecord, answer: SimAnswer): Outcome {
  entry.status = answer.status;
  return { kind: 'answer', answer };
}

function matches(call: CallRecord, filter: CallFilter): boolean {
  return (
    (filter.carrier === undefined || call.carrier === filter.carrier) &&
    (filter.operation === undefined || call.operation === filter.operation) &&
    (filter.idempotencyKey === undefined || call.idempotencyKey === filter.idempotencyKey)
  );
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]),
  ) as Partial<Pick<T, K>>;
}

/** The Crossdock configuration of a simulated carrier: the shape docs/CARRIERS.md describes. */
function carrierConfigOf(profile: CarrierProfile, url: string): Record<string, unknown> {
  const w = profile.webhook;
  const statuses = Object.fromEntries(
    Object.entries(profile.statusNames)
      .filter(([ours, theirs]) => ours !== theirs)
      .map(([ours, theirs]) => [theirs, ours]),
  );
  return {
    code: profile.code,
    name: profile.name,
    base_url: url,
    auth: {
      header: profile.auth.header,
      prefix: profile.auth.prefix,
      api_key: profile.auth.apiKey,
    },
    timeout_ms: 5_000,
    statuses,
    webhook: {
      secret: w.secret,
      signature_header: w.signatureHeader,
      signature_encoding: w.encoding === 'base64' ? 'base64' : 'hex',
      ...(w.timestampHeader === null ? {} : { timestamp_header: w.timestampHeader }),
      tolerance_seconds: 300,
      fields: WEBHOOK_FIELDS[w.format],
    },
  };
}
