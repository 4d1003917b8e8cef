/**
 * Partners of the lab database. Ids, names, emails, phones, payment terms and customer
 * ranks are those the fixtures show (10 Deco Addict, 11 Gemini Furniture, 12 Ready Mat,
 * 14 Azure Interior, ...); contacts not shown by any fixture are plausible fillers that
 * keep the id sequence where the lab's was (the next partner created is 44).
 */
import type { SeedRow } from './types.ts';

const WRITE_DATE = '2026-11-22 04:22:02';

function company(id: number, name: string, extra: Record<string, unknown> = {}): SeedRow {
  return {
    id,
    name,
    is_company: true,
    type: 'contact',
    country_id: 233,
    company_id: false,
    active: true,
    customer_rank: 0,
    supplier_rank: 0,
    credit_limit: 0,
    write_date: WRITE_DATE,
    ...extra,
  };
}

function contact(
  id: number,
  name: string,
  parent: number,
  extra: Record<string, unknown> = {},
): SeedRow {
  return {
    id,
    name,
    parent_id: parent,
    is_company: false,
    type: 'contact',
    country_id: 233,
    active: true,
    customer_rank: 0,
    supplier_rank: 0,
    credit_limit: 0,
    write_date: WRITE_DATE,
    ...extra,
  };
}

export const partnerRows: SeedRow[] = [
  // The address is Odoo 17's demo data for the main company (base: main_partner).
  company(1, 'My Company (San Francisco)', {
    company_id: 1,
    email: 'info@yourcompany.com',
    phone: '+1 555-555-5556',
    street: '250 Executive Park Blvd, Suite 3400',
    zip: '94134',
    city: 'San Francisco',
  }),
  contact(2, 'OdooBot', 1, { complete_name: 'OdooBot', parent_id: false }),
  contact(3, 'Mitchell Admin', 1, {
    complete_name: 'YourCompany, Mitchell Admin',
    email: 'admin@yourcompany.example.com',
  }),
  contact(4, 'Public user', 1, { complete_name: 'Public user', parent_id: false, active: false }),
  contact(5, 'Default User Template', 1, {
    complete_name: 'Default User Template',
    parent_id: false,
    active: false,
  }),
  contact(6, 'Portal User Template', 1, {
    complete_name: 'Portal User Template',
    parent_id: false,
    active: false,
  }),
  contact(7, 'Marc Demo', 1, {
    complete_name: 'YourCompany, Marc Demo',
    email: 'mark.brown23@example.com',
  }),
  contact(8, 'Joel Willis', 1, {
    complete_name: 'YourCompany, Joel Willis',
    email: 'joel.willis63@example.com',
  }),
  company(9, 'Wood Corner', {
    email: 'wood.corner26@example.com',
    phone: '(623)-853-7197',
    supplier_rank: 2,
  }),
  company(10, 'Deco Addict', {
    email: 'deco_addict@yourcompany.example.com',
    phone: '(603)-996-3829',
    property_payment_term_id: 4,
    customer_rank: 8,
  }),
  company(11, 'Gemini Furniture', {
    email: 'gemini_furniture@fake.geminifurniture.com',
    phone: '(941)-284-4875',
  }),
  company(12, 'Ready Mat', {
    email: 'ready.mat28@example.com',
    phone: '(803)-873-6126',
    supplier_rank: 1,
  }),
  company(13, 'The Jackson Group', {
    email: 'jackson.group82@example.com',
    phone: '(334)-502-1024',
  }),
  company(14, 'Azure Interior', {
    email: 'azure.Interior24@example.com',
    phone: '(870)-931-0505',
    property_payment_term_id: 6,
    customer_rank: 3,
    supplier_rank: 1,
  }),
  company(15, 'Lumber Inc', {
    email: 'lumber-inv92@example.com',
    phone: '(828)-316-0593',
    supplier_rank: 1,
  }),
  contact(16, 'Brandon Freeman', 14, { email: 'brandon.freeman55@example.com' }),
  contact(17, 'Colleen Diaz', 14, { email: 'colleen.diaz83@example.com' }),
  contact(18, 'Douglas Fletcher', 10, { email: 'douglas.fletcher51@example.com' }),
  contact(19, 'Floyd Steward', 10, { email: 'floyd.steward34@example.com' }),
  contact(20, 'Edwin Hansen', 11, { email: 'edwin.hansen58@example.com' }),
  contact(21, 'Nicole Ford', 14, { email: 'nicole.ford75@example.com' }),
  contact(22, 'Jesse Brown', 11, { email: 'jesse.brown74@example.com' }),
  contact(23, 'Oscar Moreno', 9, { email: 'oscar.moreno11@example.com' }),
  contact(24, 'Ron Gibson', 9, { email: 'ron.gibson76@example.com' }),
  contact(25, 'Willie Burke', 9, { email: 'willie.burke80@example.com' }),
  contact(26, 'Billy Fox', 12, { email: 'billy.fox45@example.com' }),
  contact(27, 'Edith Sanchez', 12, { email: 'edith.sanchez68@example.com' }),
  contact(28, 'Kim Snyder', 12, { email: 'kim.snyder96@example.com' }),
  contact(29, 'Chester Reed', 13, { email: 'chester.reed79@example.com' }),
  contact(30, 'Dwayne Newman', 13, { email: 'dwayne.newman28@example.com' }),
  contact(31, 'Oscar Morgan', 11, { email: 'oscar.morgan11@example.com', type: 'delivery' }),
  contact(32, 'Tom Ruiz', 15, { email: 'tom.ruiz89@example.com' }),
  contact(33, 'Travis Mendoza', 15, { email: 'travis.mendoza24@example.com' }),
  contact(34, 'Theodore Gardner', 13, { email: 'theodore.gardner36@example.com' }),
  contact(35, 'Addison Olson', 10, { email: 'addison.olson28@example.com' }),
  contact(36, 'Julie Richards', 15, { email: 'julie.richards84@example.com' }),
  contact(37, 'Lorraine Douglas', 9, { email: 'lorraine.douglas35@example.com' }),
  contact(38, 'Roger Scott', 14, { email: 'roger.scott43@example.com' }),
  contact(39, 'Jeffrey Kelly', 12, { email: 'jeffrey.kelly72@example.com' }),
  contact(40, 'Soham Palmer', 13, { email: 'soham.palmer15@example.com' }),
  company(41, 'My Company (Chicago)', { company_id: 2, email: 'chicago@yourcompany.com' }),
  contact(42, 'Jeff Lawson', 41, { email: 'jeff.lawson52@example.com' }),
  contact(43, 'Lab Sales User', 1, {
    complete_name: 'Lab Sales User',
    parent_id: false,
    email: 'salesuser@lab.example',
  }),
];
