/**
 * The people and partners the demo plays: approvers who answer their inbox after a short
 * think, and carriers who report tracking for what they booked. Both work only through
 * Crossdock's own services and the simulators' public faces (the approvals service, the
 * carriers' signed webhooks), never around them.
 */
import { createHash } from 'node:crypto';
import type { ApprovalsService, Decider } from '../approvals/index.ts';
import type { CarrierSimulator } from './simulators.ts';
import type { DemoAuthenticators } from './authenticators.ts';
import type { Logger } from '../observability/index.ts';

/** A stable share in [0, 1) for a string: the same request always gets the same answer. */
export function shareOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 4_294_967_296;
}

export interface ApproverBotOptions {
  approvals: ApprovalsService;
  /** Crossdock user id -> who decides as them. */
  people: Map<string, Decider>;
  /** Share of requests rejected. */
  rejectShare: number;
  thinkMs: [min: number, max: number];
  pollMs: number;
  logger: Logger;
  /** The approvers' authenticator apps, for step-up levels; without them such decisions are refused. */
  authenticators?: DemoAuthenticators;
}

/** Decides pending requests as their first assignee (as many of them as the level needs); counts what it did. */
export class ApproverBot {
  readonly decided = { approved: 0, rejected: 0, refused: 0 };
  readonly #scheduled = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #poller: NodeJS.Timeout | null = null;

  constructor(private readonly o: ApproverBotOptions) {}

  start(): void {
    this.#poller = setInterval(
      () =>
        void this.#scan().catch((error) =>
          this.o.logger.warn({ error: String(error) }, 'demo approver: scan failed'),
        ),
      this.o.pollMs,
    );
  }

  stop(): void {
    if (this.#poller) clearInterval(this.#poller);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #scan(): Promise<void> {
    const { approvals } = await this.o.approvals.list({ status: 'pending', limit: 200 });
    for (const request of approvals) {
      const { level } = request;
      // A level of n distinct approvals (an inventory write-off's two) gets n votes, one per assignee.
      const votes = level.required === 'all' ? level.assignees.length : level.required;
      for (let vote = 0; vote < votes; vote++) {
        const seat = `${request.id}:${level.index}${vote > 0 ? `:${vote}` : ''}`;
        if (this.#scheduled.has(seat)) continue;
        this.#scheduled.add(seat);
        const [min, max] = this.o.thinkMs;
        const timer = setTimeout(
          () => {
            this.#timers.delete(timer);
            void this.#decide(
              request.id,
              `${request.subject.model}:${request.subject.name ?? request.subject.id}:${level.index}`,
              level.assignees.map((a) => a.userId),
              level.stepUp,
              vote,
            );
          },
          min + shareOf(seat) * (max - min) + vote * min,
        );
        this.#timers.add(timer);
      }
    }
  }

  /** The answer depends on what is decided (the subject and level), so a rerun of the demo decides alike. */
  async #decide(
    requestId: string,
    what: string,
    assignees: string[],
    stepUp: boolean,
    seat = 0,
  ): Promise<void> {
    const who = assignees.map((id) => this.o.people.get(id)).filter((p) => p !== undefined)[seat];
    if (!who) return;
    const reject = shareOf(`reject:${what}`) < this.o.rejectShare;
    // A step-up level: the next unused code of the approver's app, maybe at the next step.
    const slot = stepUp ? (this.o.authenticators?.next(who.userId) ?? null) : null;
    if (slot && slot.waitMs > 0) await this.#pause(slot.waitMs);
    try {
      await this.o.approvals.decide(
        requestId,
        who,
        reject ? 'reject' : 'approve',
        reject ? 'not justified by the customer history' : 'checked, fine',
        'api',
        slot ? { code: slot.code } : {},
      );
      reject ? this.decided.rejected++ : this.decided.approved++;
    } catch (error) {
      // A refusal (escalated, already decided) is on the request's history; the demo goes on.
      this.decided.refused++;
      this.o.logger.debug(
        { requestId, code: (error as { code?: string }).code },
        'demo approver: decision refused',
      );
    }
  }

  /** Waits, unless the bot stops first (its timers are cleared on stop). */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

export interface TrackingPlayerOptions {
  carriers: CarrierSimulator;
  delayedShare: number;
  damagedShare: number;
  /** Share of tracking events a carrier sends twice (its webhook retries). */
  duplicateShare: number;
  stepMs: number;
  /** True once the shipment is known where it came from (the picking carries the tracking ref). */
  ready: (trackingRef: string) => boolean;
  logger: Logger;
}

/** For each booking a carrier made: in transit, then delivered (or delayed, or damaged). */
export class TrackingPlayer {
  readonly sent = {
    events: 0,
    duplicates: 0,
    retries: 0,
    failed: 0,
    delivered: 0,
    delayed: 0,
    damaged: 0,
  };
  readonly #seen = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  #poller: NodeJS.Timeout | null = null;

  constructor(private readonly o: TrackingPlayerOptions) {}

  start(): void {
    this.#poller = setInterval(() => this.#scan(), this.o.stepMs);
  }

  /** Stops looking for bookings and waits for the updates already under way. */
  async stop(): Promise<void> {
    if (this.#poller) clearInterval(this.#poller);
    await Promise.allSettled([...this.#pending]);
  }

  /** Sends what is still due for every booking now (the bounded demo's last round). */
  async flush(): Promise<void> {
    this.#scan();
    await Promise.allSettled([...this.#pending]);
  }

  #scan(): void {
    const booked = new Set<string>();
    for (const profile of this.o.carriers.profiles) {
      for (const booking of this.o.carriers.bookings(profile.code)) {
        booked.add(booking.tracking_ref);
        if (
          booking.status !== 'booked' ||
          this.#seen.has(booking.tracking_ref) ||
          !this.o.ready(booking.tracking_ref)
        )
          continue;
        this.#seen.add(booking.tracking_ref);
        const work = this.#play(profile.code, booking.tracking_ref, booking.reference).catch(
          (error) => {
            this.sent.failed++;
            this.o.logger.warn(
              { carrier: profile.code, error: String(error) },
              'demo carrier: tracking update failed',
            );
          },
        );
        this.#pending.add(work);
        void work.finally(() => this.#pending.delete(work));
      }
    }
    // A booking the carrier simulator has forgotten (a running demo's old ones) is not seen again.
    for (const ref of this.#seen) if (!booked.has(ref)) this.#seen.delete(ref);
  }

  /** The outcome depends on the delivery (its picking name), so a rerun of the demo has the same ones. */
  async #play(code: string, trackingRef: string, reference: string): Promise<void> {
    await this.#send(
      code,
      { tracking_ref: trackingRef, status: 'in_transit', location: 'Hamburg hub' },
      reference,
    );
    const x = shareOf(`outcome:${reference}`);
    if (x < this.o.damagedShare) {
      await this.#send(
        code,
        { tracking_ref: trackingRef, status: 'damaged', reason: 'carton crushed in transit' },
        reference,
      );
      this.sent.damaged++;
    } else if (x < this.o.damagedShare + this.o.delayedShare) {
      await this.#send(
        code,
        { tracking_ref: trackingRef, status: 'delayed', reason: 'missed the line haul' },
        reference,
      );
      this.sent.delayed++;
    } else {
      // Delivered with its proof: who signed, and the photo the driver took (delivery-to-cash invoices on it).
      await this.#send(
        code,
        {
          tracking_ref: trackingRef,
          status: 'delivered',
          signed_by: 'Receiving desk',
          proof_ref: `https://pod.${code}.demo/${trackingRef}.jpg`,
        },
        reference,
      );
      this.sent.delivered++;
    }
  }

  async #send(
    code: string,
    update: {
      tracking_ref: string;
      status: 'in_transit' | 'delivered' | 'delayed' | 'damaged';
      reason?: string;
      location?: string;
      signed_by?: string;
      proof_ref?: string;
    },
    reference: string,
  ): Promise<void> {
    const twice = shareOf(`dup:${reference}:${update.status}`) < this.o.duplicateShare;
    // A carrier sends its webhook again until it is taken (2xx), as real carriers do: the same
    // event, under the same id, however often it is retried.
    let eventId: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const deliveries = await this.o.carriers.sendTracking(
        code,
        eventId === undefined ? update : { ...update, event_id: eventId },
        twice && attempt === 1 ? { deliveries: 2 } : {},
      );
      eventId ??= deliveries[0]?.eventId;
      if (deliveries.some((d) => d.status !== null && d.status >= 200 && d.status < 300)) break;
      if (attempt === 8)
        throw new Error(
          `tracking ${update.status} for ${reference} refused ${attempt} times (last ${deliveries.at(-1)?.status ?? 'no answer'})`,
        );
      this.sent.retries++;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
    this.sent.events++;
    if (twice) this.sent.duplicates++;
  }
}
