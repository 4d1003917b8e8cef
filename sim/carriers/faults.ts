/**
 * Fault injection per carrier. Queued faults are consumed in order, one per matching call,
 * so a test knows exactly which attempt fails; a standing fault hits every matching call
 * until cleared. Random failures (each carrier's failure rate) draw from the injected
 * random source and are off unless the simulator was started with them.
 */

export type SimOperation = 'rates' | 'book' | 'cancel' | 'track';

export type CarrierFault =
  /** No answer in time: the response is held until the client gives up (or holdMs), then the socket is dropped. With commit, the call takes effect first: the answer is lost, not the booking. */
  | { kind: 'timeout'; commit?: boolean; holdMs?: number }
  | { kind: 'server-error'; status?: 500 | 502 | 503 | 504 }
  | { kind: 'rate-limit'; retryAfterS: number }
  /** 422 with this reason (a booking the carrier refuses). */
  | { kind: 'reject'; reason: string }
  /** The connection is reset before any answer. */
  | { kind: 'reset' };

interface Entry {
  fault: CarrierFault;
  operation: SimOperation | null;
}

export class CarrierFaults {
  readonly #queued = new Map<string, Entry[]>();
  readonly #standing = new Map<string, Entry[]>();

  failNext(
    carrier: string,
    count: number,
    fault: CarrierFault,
    operation: SimOperation | null = null,
  ): void {
    const queue = this.#queued.get(carrier) ?? [];
    for (let i = 0; i < count; i += 1) queue.push({ fault, operation });
    this.#queued.set(carrier, queue);
  }

  failAlways(carrier: string, fault: CarrierFault, operation: SimOperation | null = null): void {
    this.#standing.set(carrier, [...(this.#standing.get(carrier) ?? []), { fault, operation }]);
  }

  /** The fault for this call, if any: queued first, then standing. */
  take(carrier: string, operation: SimOperation): CarrierFault | null {
    const queue = this.#queued.get(carrier) ?? [];
    const index = queue.findIndex((e) => e.operation === null || e.operation === operation);
    if (index >= 0) return queue.splice(index, 1)[0]!.fault;
    return (
      this.#standing.get(carrier)?.find((e) => e.operation === null || e.operation === operation)
        ?.fault ?? null
    );
  }

  /** Clears one carrier's faults, or every carrier's. */
  clear(carrier?: string): void {
    if (carrier === undefined) {
      this.#queued.clear();
      this.#standing.clear();
      return;
    }
    this.#queued.delete(carrier);
    this.#standing.delete(carrier);
  }
}
