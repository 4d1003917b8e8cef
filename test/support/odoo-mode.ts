/**
 * Which Odoo the end-to-end tests run against: CROSSDOCK_TEST_ODOO=17 (the default: the
 * simulator as Odoo 17, reached over JSON-RPC) or 19 (the simulator as Odoo 19, reached
 * over JSON-2). The same scenarios run in both modes (npm run test:odoo19).
 */
import type { DemoOdoo } from '../../src/demo/system.ts';

function parseMode(value: string | undefined): DemoOdoo {
  if (value === undefined || value === '' || value === '17')
    return { version: 17, protocol: 'jsonrpc' };
  if (value === '19') return { version: 19, protocol: 'json2' };
  throw new Error(`CROSSDOCK_TEST_ODOO must be 17 or 19, not ${JSON.stringify(value)}`);
}

export const TEST_ODOO: DemoOdoo = parseMode(process.env.CROSSDOCK_TEST_ODOO);
