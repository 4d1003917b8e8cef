/**
 * The demo's Odoo records as data: the customers (their class, credit limit, blocking and
 * overdue state) and the products (price, cost, weight, hazard) that seed.ts creates in the
 * simulator, and the shapes the demo's traffic reads back.
 */

export interface DemoCustomer {
  id: number;
  name: string;
  country: string;
  /** A = key account, B = standard, C = new; blocked customers have Odoo's blocking sales warning. */
  customerClass: 'A' | 'B' | 'C';
  blocked: boolean;
  creditLimit: number;
  /** Has an unpaid invoice past its due date. */
  overdue: boolean;
}

export interface DemoProduct {
  id: number;
  name: string;
  price: number;
  cost: number;
  weightKg: number;
  hazardous: boolean;
}

export interface DemoCatalog {
  customers: DemoCustomer[];
  products: DemoProduct[];
  /** The Odoo user (uid) of the salesperson behind the demo's orders. */
  salespersonUid: number;
}

export type CustomerSpec = Omit<DemoCustomer, 'id'> & { zip: string; city: string; street: string };

export const COUNTRIES: Record<string, string> = {
  DE: 'Germany',
  FR: 'France',
  NL: 'Netherlands',
  AT: 'Austria',
  PL: 'Poland',
  ES: 'Spain',
  IT: 'Italy',
  BE: 'Belgium',
};

export const CUSTOMERS: CustomerSpec[] = [
  {
    name: 'Nordhafen Logistik GmbH',
    country: 'DE',
    zip: '20457',
    city: 'Hamburg',
    street: 'Am Sandtorkai 1',
    customerClass: 'A',
    blocked: false,
    creditLimit: 250_000,
    overdue: false,
  },
  {
    name: 'Rheinland Büro AG',
    country: 'DE',
    zip: '50667',
    city: 'Köln',
    street: 'Domkloster 4',
    customerClass: 'A',
    blocked: false,
    creditLimit: 150_000,
    overdue: false,
  },
  {
    name: 'Bayern Werkstatt KG',
    country: 'DE',
    zip: '80331',
    city: 'München',
    street: 'Marienplatz 8',
    customerClass: 'B',
    blocked: false,
    creditLimit: 40_000,
    overdue: false,
  },
  {
    name: 'Atelier Lumière SARL',
    country: 'FR',
    zip: '69002',
    city: 'Lyon',
    street: '12 Rue de la République',
    customerClass: 'B',
    blocked: false,
    creditLimit: 30_000,
    overdue: false,
  },
  {
    name: 'Van Dijk Kantoor BV',
    country: 'NL',
    zip: '1012',
    city: 'Amsterdam',
    street: 'Damrak 70',
    customerClass: 'B',
    blocked: false,
    creditLimit: 25_000,
    overdue: false,
  },
  {
    name: 'Wiener Einrichtung GmbH',
    country: 'AT',
    zip: '1010',
    city: 'Wien',
    street: 'Graben 21',
    customerClass: 'B',
    blocked: false,
    creditLimit: 20_000,
    overdue: true,
  },
  {
    name: 'Kraków Meble Sp. z o.o.',
    country: 'PL',
    zip: '31-042',
    city: 'Kraków',
    street: 'Rynek Główny 1',
    customerClass: 'C',
    blocked: false,
    creditLimit: 8_000,
    overdue: false,
  },
  {
    name: 'Oficinas Sol SL',
    country: 'ES',
    zip: '28013',
    city: 'Madrid',
    street: 'Gran Vía 32',
    customerClass: 'C',
    blocked: false,
    creditLimit: 5_000,
    overdue: false,
  },
  {
    name: 'Milano Arredo Srl',
    country: 'IT',
    zip: '20121',
    city: 'Milano',
    street: 'Via Manzoni 5',
    customerClass: 'B',
    blocked: false,
    creditLimit: 35_000,
    overdue: false,
  },
  {
    name: 'Brussels Desk Office SA',
    country: 'BE',
    zip: '1000',
    city: 'Bruxelles',
    street: 'Rue Neuve 10',
    customerClass: 'C',
    blocked: true,
    creditLimit: 10_000,
    overdue: false,
  },
];

export const PRODUCTS: (Omit<DemoProduct, 'id'> & { category: string })[] = [
  {
    name: 'Ergonomic Office Chair',
    price: 240,
    cost: 150,
    weightKg: 14,
    hazardous: false,
    category: 'Furniture',
  },
  {
    name: 'Standing Desk Frame',
    price: 560,
    cost: 380,
    weightKg: 28,
    hazardous: false,
    category: 'Furniture',
  },
  {
    name: 'Steel Shelving Unit',
    price: 190,
    cost: 120,
    weightKg: 22,
    hazardous: false,
    category: 'Storage',
  },
  {
    name: 'Archive Box (10 pack)',
    price: 24,
    cost: 9,
    weightKg: 4,
    hazardous: false,
    category: 'Storage',
  },
  {
    name: 'LED Desk Lamp',
    price: 65,
    cost: 31,
    weightKg: 1.5,
    hazardous: false,
    category: 'Lighting',
  },
  {
    name: 'Laptop Docking Station',
    price: 1450,
    cost: 980,
    weightKg: 1.2,
    hazardous: false,
    category: 'Electronics',
  },
  {
    name: 'Conference Table',
    price: 1850,
    cost: 1590,
    weightKg: 65,
    hazardous: false,
    category: 'Furniture',
  },
  {
    name: 'Lithium Battery Pack (UN3480)',
    price: 310,
    cost: 190,
    weightKg: 6,
    hazardous: true,
    category: 'Hazardous goods',
  },
  {
    name: 'Wood Finish Lacquer 5 L',
    price: 85,
    cost: 44,
    weightKg: 5.5,
    hazardous: true,
    category: 'Hazardous goods',
  },
];
