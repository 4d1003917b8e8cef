/**
 * Locations of the lab database: 4 "Partners/Vendors", 5 "Partners/Customers",
 * 8 "WH/Stock", 28 "CHIC1/Stock" and the views and virtual locations above them.
 */
import type { SeedRow } from './types.ts';

export const STOCK = 8;
export const CUSTOMERS = 5;
export const VENDORS = 4;

function location(
  id: number,
  name: string,
  usage: string,
  parent: number | false,
  complete: string,
  company: number | false = 1,
): SeedRow {
  return {
    id,
    name,
    usage,
    location_id: parent,
    complete_name: complete,
    company_id: company,
    active: true,
  };
}

export const locationRows: SeedRow[] = [
  location(1, 'Physical Locations', 'view', false, 'Physical Locations', false),
  location(2, 'Partners', 'view', false, 'Partners', false),
  location(VENDORS, 'Vendors', 'supplier', 2, 'Partners/Vendors', false),
  location(CUSTOMERS, 'Customers', 'customer', 2, 'Partners/Customers', false),
  location(3, 'Virtual Locations', 'view', false, 'Virtual Locations', false),
  location(
    14,
    'Inventory adjustment',
    'inventory',
    3,
    'Virtual Locations/Inventory adjustment',
    false,
  ),
  location(16, 'Scrap', 'inventory', 3, 'Virtual Locations/Scrap', false),
  location(7, 'WH', 'view', 1, 'WH'),
  location(STOCK, 'Stock', 'internal', 7, 'WH/Stock'),
  location(27, 'CHIC1', 'view', 1, 'CHIC1', 2),
  location(28, 'Stock', 'internal', 27, 'CHIC1/Stock', 2),
];
