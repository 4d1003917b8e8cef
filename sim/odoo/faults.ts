/**
 * Fault injection. Transport faults hit whole HTTP requests (the server refuses
 * connections, resets sockets, or answers 502/503/504 like a proxy in front of Odoo);
 * call faults hit model calls inside Odoo (a PostgreSQL serialization failure, a
 * session-expired answer). Queued faults are consumed in order, one per request/call,
 * so tests know exactly which attempt fails; the random error rate uses the injected
 * random source.
 */

export type DownMode = false | 'refuse' | 'reset' | 502 | 503 | 504;
export type RequestFault = 'reset' | 502 | 503 | 504;
export type CallFault = 'serialization' | 'session-expired';

/** A call held on its way in (a slow Odoo): `reached` resolves when it arrives, `release` lets it run. */
export interface CallHold {
  readonly reached: Promise<void>;
  release(): void;
}

export class FaultInjector {
  down: DownMode = false;
  latencyMs = 0;
  errorRate = 0;
  errorStatus: 502 | 503 | 504 = 502;
  /** Remaining calls that fail with a serialization failure AFTER their webhooks went out. */
  rollbackAfterWebhooks = 0;
  readonly #requestFaults: RequestFault[] = [];
  readonly #callFaults: CallFault[] = [];
  readonly #holds = new Map<string, { arrived: () => void; gate: Promise<void> }>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  failNextRequests(count: number, fault: RequestFault): void {
    for (let index = 0; index < count; index += 1) this.#requestFaults.push(fault);
  }

  failNextCalls(count: number, fault: CallFault): void {
    for (let index = 0; index < count; index += 1) this.#callFaults.push(fault);
  }

  /** The fault for the HTTP request being served, if any. */
  takeRequestFault(): RequestFault | null {
    if (this.down === 'reset' || this.down === 502 || this.down === 503 || this.down === 504)
      return this.down;
    const queued = this.#requestFaults.shift();
    if (queued !== undefined) return queued;
    if (this.errorRate > 0 && this.#random() < this.errorRate) return this.errorStatus;
    return null;
  }

  /** The next remote call of model.method waits, before it runs, until released. */
  holdNextCall(model: string, method: string): CallHold {
    let arrived = () => {};
    let release = () => {};
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.#holds.set(`${model}.${method}`, { arrived, gate });
    return { reached, release };
  }

  /** Waits if a hold is set for this call (taking it: the call after runs at once). */
  async waitIfHeld(model: string, method: string): Promise<void> {
    const hold = this.#holds.get(`${model}.${method}`);
    if (hold === undefined) return;
    this.#holds.delete(`${model}.${method}`);
    hold.arrived();
    await hold.gate;
  }

  takeCallFault(): CallFault | null {
    return this.#callFaults.shift() ?? null;
  }

  reset(): void {
    this.down = false;
    this.latencyMs = 0;
    this.errorRate = 0;
    this.rollbackAfterWebhooks = 0;
    this.#requestFaults.length = 0;
    this.#callFaults.length = 0;
    this.#holds.clear();
  }
}
