import type { OdooClient } from '../connectors/odoo/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { ActionCheck } from '../exceptions/index.ts';

/**
 * Book by hand's check against Odoo: a tracking reference another delivery already carries
 * is refused (shipment tracking and invoicing find a delivery by its reference, so two
 * deliveries with one reference would take each other's carrier reports). A read on the
 * Odoo connection the packs use; the case's own delivery (its subject) may carry it.
 */
export function trackingRefCheck(odoo: () => OdooClient | null): ActionCheck {
  return async (action, row, inputs) => {
    if (action !== 'book_by_hand') return;
    const client = odoo();
    const ref = inputs.tracking_ref;
    if (!client || ref === undefined) return;
    const own = row.subject?.model === 'stock.picking' ? Number(row.subject.id) : 0;
    const holders = await client.call<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['carrier_tracking_ref', '=', ref],
          ['id', '!=', own],
        ],
      ],
      { fields: ['name'], limit: 1 },
    );
    const holder = holders[0];
    if (holder)
      throw new CrossdockError(
        'TRACKING_REF_IN_USE',
        `Tracking reference ${ref} is already on delivery ${holder.name} in Odoo; check it with the carrier`,
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'inputs.tracking_ref', message: `already on delivery ${holder.name}` }],
        },
      );
  };
}
