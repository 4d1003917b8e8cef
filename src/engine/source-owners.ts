import { CrossdockError } from '../errors/index.ts';

/**
 * The ingress an event came through. `engine` is code inside this process: workflow steps
 * (`event.emit`), schedules, a connector's poller and re-read. The rest are outside senders:
 * `api` (POST /api/v1/events), `webhook` (/hooks/:source), `odoo` (Odoo's webhook hints),
 * `carrier` (carrier tracking hooks), `edi` (trading partners' X12 interchanges), `mail`
 * (messages received on the SMTP endpoint), `cli` (`crossdock start --feed`).
 */
export const DOORS = [
  'engine',
  'api',
  'webhook',
  'odoo',
  'carrier',
  'edi',
  'shop',
  'mail',
  'cli',
] as const;
export type Door = (typeof DOORS)[number];

/** Sources the engine itself emits under: the packs' `crossdock` events, schedule slots. */
export const ENGINE_SOURCES = ['crossdock', 'schedule'] as const;

/**
 * Which door owns which source. An event under an owned source is accepted only from its
 * owner or from the engine, so nobody outside can pre-empt an event (by its key) that the
 * engine or a connector will emit later, or make one up. A name ending in `*` owns a prefix.
 */
export class SourceOwners {
  readonly #exact = new Map<string, Door>(ENGINE_SOURCES.map((s) => [s, 'engine']));
  /** Carriers' tracking events are `carrier.<code>`, trading partners' EDI documents `edi.<partner>`, shops' orders `shop.<code>`, inbound e-mail `mail.<mailbox>`, whether or not one is configured yet. */
  readonly #prefixes: [string, Door][] = [
    ['carrier.', 'carrier'],
    ['edi.', 'edi'],
    ['shop.', 'shop'],
    ['mail.', 'mail'],
  ];

  reserve(door: Door, names: readonly string[]): void {
    for (const name of names) {
      if (name.endsWith('*')) this.#prefixes.push([name.slice(0, -1), door]);
      else this.#exact.set(name, door);
    }
  }

  ownerOf(source: string): Door | null {
    return (
      this.#exact.get(source) ??
      this.#prefixes.find(([prefix]) => source.startsWith(prefix))?.[1] ??
      null
    );
  }

  isReserved(source: string): boolean {
    return this.ownerOf(source) !== null;
  }

  assertMayWrite(source: string, door: Door): void {
    const owner = this.ownerOf(source);
    if (owner === null || door === 'engine' || owner === door) return;
    throw new CrossdockError(
      'EVENT_SOURCE_RESERVED',
      `Source "${source}" is reserved: only ${owner === 'engine' ? 'Crossdock itself' : `its ${owner} ingress`} may send events as it`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: 'source', message: 'reserved' }],
      },
    );
  }
}
