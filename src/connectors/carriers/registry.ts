import { CrossdockError } from '../../errors/index.ts';
import type { CarrierConfig } from './config.ts';
import type { CarrierPort } from './model.ts';
import { createRestCarrier, type RestCarrierDeps } from './rest-adapter.ts';

/** The carriers one Crossdock instance can use, by code. Each instance has its own; nothing global. */
export class CarrierRegistry {
  readonly #ports = new Map<string, CarrierPort>();

  constructor(ports: readonly CarrierPort[] = []) {
    for (const port of ports) {
      if (this.#ports.has(port.code))
        throw new CrossdockError(
          'CARRIER_CONFIG_INVALID',
          `Carrier "${port.code}" is registered twice`,
          { category: 'user', retryable: false },
        );
      this.#ports.set(port.code, port);
    }
  }

  /** Throws CARRIER_UNKNOWN naming the configured carriers. */
  get(code: string): CarrierPort {
    const port = this.#ports.get(code);
    if (!port) throw unknownCarriers([code], this.codes());
    return port;
  }

  /** All of them, or CARRIER_UNKNOWN listing every code that is not configured. */
  require(codes: readonly string[]): CarrierPort[] {
    const missing = codes.filter((code) => !this.#ports.has(code));
    if (missing.length > 0) throw unknownCarriers(missing, this.codes());
    return codes.map((code) => this.#ports.get(code)!);
  }

  codes(): string[] {
    return [...this.#ports.keys()].sort();
  }
}

function unknownCarriers(missing: string[], known: string[]): CrossdockError {
  return new CrossdockError(
    'CARRIER_UNKNOWN',
    `No carrier ${missing.map((c) => `"${c}"`).join(', ')} is configured; known: ${known.join(', ') || '(none)'}`,
    {
      category: 'user',
      retryable: false,
      details: missing.map((code) => ({ path: code, message: 'not configured' })),
    },
  );
}

/** One REST adapter per configured carrier. */
export function createCarrierRegistry(
  configs: readonly CarrierConfig[],
  deps: RestCarrierDeps = {},
): CarrierRegistry {
  return new CarrierRegistry(configs.map((config) => createRestCarrier(config, deps)));
}
