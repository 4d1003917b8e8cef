import type { SimInterchange } from '../../sim/edi/index.ts';
import { eventually, type PackHarness } from './support.ts';

/** The segments of the first set of a received interchange, as arrays (id first). */
export const segmentsOf = (x: SimInterchange) =>
  x.groups[0]!.sets[0]!.segments.map((s) => [s.id, ...s.el]);

/** The sale order with the partner's PO number, once Odoo shows it confirmed. */
export const confirmedOrder = (h: PackHarness, ref: string) =>
  eventually(`the sale order ${ref} is confirmed`, async () => {
    const found = await h.rpc<{ id: number; name: string; state: string }[]>(
      'sale.order',
      'search_read',
      [[['client_order_ref', '=', ref]]],
      { fields: ['name', 'state'] },
    );
    return found[0]?.state === 'sale' && found[0];
  });
