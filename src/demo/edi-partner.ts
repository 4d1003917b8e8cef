/**
 * The demo's EDI customers: a trading partner simulator that orders for one of the demo's
 * customers by X12 850 over HTTPS, with its partner configuration for Crossdock
 * (CROSSDOCK_EDI_CONFIG): a store's ship-to code mapped to a delivery address, and the buyer's
 * part numbers mapped to our internal references; and a second customer that exchanges files
 * through a mailbox folder (inbox and outbox under the demo's directory), as over SFTP or a
 * VAN. Secrets go to the environment, never into the file.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { DemoCatalog } from './catalog.ts';
import {
  ediFolderPartner,
  startEdiPartnerSimulator,
  type EdiFolderPartner,
  type EdiPartnerSimulator,
  type OdooSimulator,
} from './simulators.ts';

export const DEMO_EDI_PARTNER = 'nordhafen';
export const DEMO_EDI_FOLDER_PARTNER = 'westfalen';
export const DEMO_EDI_SHIP_TO = '0042';

export interface DemoEdi {
  partner: EdiPartnerSimulator;
  /** The buyer's part numbers the configuration maps, by demo product name. */
  buyerParts: Record<string, string>;
  /** The Odoo delivery address the ship-to code maps to. */
  shipToId: number;
  customerId: number;
  env: Record<string, string>;
  configFile: string;
  /** The customer that drops its 850s into its inbox folder and collects our documents. */
  folder: {
    partner: EdiFolderPartner;
    customerId: number;
    buyerParts: Record<string, string>;
  };
}

export async function startDemoEdi(
  dir: string,
  odoo: OdooSimulator,
  catalog: DemoCatalog,
  keepReceived?: number,
): Promise<DemoEdi> {
  const customer = catalog.customers.find((c) => c.customerClass === 'A' && !c.blocked)!;
  const uid = catalog.salespersonUid;
  // The store is in the customer's city, so dispatch finds a complete address to ship to.
  const [address] = odoo.db.searchRead(
    'res.partner',
    [['id', '=', customer.id]],
    ['zip', 'city', 'country_id'],
  );
  const shipToId = (await odoo.db.callAsUser(
    'res.partner',
    'create',
    [
      {
        name: `${customer.name}, Store ${DEMO_EDI_SHIP_TO}`,
        parent_id: customer.id,
        type: 'delivery',
        street: 'Grosser Burstah 12',
        zip: address!.zip,
        city: address!.city,
        country_id: Array.isArray(address!.country_id)
          ? address!.country_id[0]
          : address!.country_id,
      },
    ],
    {},
    uid,
  )) as number;
  const buyerParts: Record<string, string> = {};
  const items = catalog.products.slice(0, 4).map((product, i) => {
    const [row] = odoo.db.searchRead(
      'product.product',
      [['id', '=', product.id]],
      ['default_code'],
    );
    buyerParts[product.name] = `NH-${String(1001 + i)}`;
    return { buyer_part: buyerParts[product.name]!, default_code: String(row!.default_code) };
  });
  const secrets = {
    CROSSDOCK_DEMO_EDI_INBOUND_SECRET: randomBytes(24).toString('base64url'),
    CROSSDOCK_DEMO_EDI_OUTBOUND_SECRET: randomBytes(24).toString('base64url'),
  };
  const partner = await startEdiPartnerSimulator({
    partnerId: 'NORDHAFENLOG',
    crossdockId: 'CROSSDOCKDEMO',
    crossdockSecret: secrets.CROSSDOCK_DEMO_EDI_OUTBOUND_SECRET,
    partnerSecret: secrets.CROSSDOCK_DEMO_EDI_INBOUND_SECRET,
    autoAck: true,
    ...(keepReceived === undefined ? {} : { keepReceived }),
  });
  const folderCustomer = catalog.customers.find(
    (c) => c.customerClass === 'A' && !c.blocked && c.id !== customer.id,
  )!;
  const folderParts: Record<string, string> = {};
  const folderItems = items.map((item, i) => {
    const name = Object.keys(buyerParts)[i]!;
    folderParts[name] = `WB-${String(7001 + i)}`;
    return { buyer_part: folderParts[name]!, default_code: item.default_code };
  });
  const mailbox = (name: string) => join(dir, 'edi-mailbox', DEMO_EDI_FOLDER_PARTNER, name);
  const folderPartner = ediFolderPartner({
    inbox: mailbox('inbox'),
    outbox: mailbox('outbox'),
    partnerId: 'WESTFALENBAU',
    crossdockId: 'CROSSDOCKDEMO',
  });
  const configFile = join(dir, 'edi.yaml');
  const config = {
    partners: [
      {
        code: DEMO_EDI_PARTNER,
        name: customer.name,
        version: '004010',
        usage: 'T',
        partner_isa: { qualifier: 'ZZ', id: 'NORDHAFENLOG' },
        our_isa: { qualifier: 'ZZ', id: 'CROSSDOCKDEMO' },
        inbound: { secret_env: 'CROSSDOCK_DEMO_EDI_INBOUND_SECRET' },
        outbound: { url: partner.url, secret_env: 'CROSSDOCK_DEMO_EDI_OUTBOUND_SECRET' },
        odoo: {
          customer_id: customer.id,
          ship_to: { [DEMO_EDI_SHIP_TO]: shipToId },
          // A case of anything is 12 units, but the archive boxes (fourth item) come in cases of 5.
          items: items.map((item, i) => (i === 3 ? { ...item, units: { CA: 5 } } : item)),
          units: { CA: 12 },
          price_tolerance_percent: 1,
        },
      },
      {
        code: DEMO_EDI_FOLDER_PARTNER,
        name: folderCustomer.name,
        version: '004010',
        usage: 'T',
        partner_isa: { qualifier: 'ZZ', id: 'WESTFALENBAU' },
        our_isa: { qualifier: 'ZZ', id: 'CROSSDOCKDEMO' },
        folder: {
          inbox: mailbox('inbox'),
          outbox: mailbox('outbox'),
          archive: mailbox('archive'),
          error: mailbox('error'),
          poll_interval_ms: 250,
          settle_ms: 500,
        },
        odoo: { customer_id: folderCustomer.id, items: folderItems },
      },
    ],
  };
  writeFileSync(
    configFile,
    `# The demo's EDI trading partner (a simulator).\n${stringify(config)}`,
  );
  Object.assign(process.env, secrets);
  return {
    partner,
    buyerParts,
    shipToId,
    customerId: customer.id,
    env: { CROSSDOCK_EDI_CONFIG: configFile },
    configFile,
    folder: { partner: folderPartner, customerId: folderCustomer.id, buyerParts: folderParts },
  };
}
