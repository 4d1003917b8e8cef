/**
 * The configuration files Crossdock needs to talk to the simulators (CROSSDOCK_ODOO_CONFIG,
 * CROSSDOCK_CARRIERS_CONFIG), as the demo writes them and `crossdock sim` prints them. The
 * files name environment variables; the values of those variables are returned apart, so
 * that no secret is ever written into a file. Nothing here loads the simulators.
 */
import { stringify } from 'yaml';

/**
 * How many of their newest calls, webhooks and log lines the simulators keep when they run
 * for hours (the demo, `crossdock sim`). They keep them for tests to count; kept whole, they
 * were most of what the demo's process grew by (about 2 MB a minute at 2 orders/s).
 */
export const SIM_RECORDS_KEEP = 1_000;

export interface SimOdooConnection {
  url: string;
  database: string;
  login: string;
  apiKey: string;
}

/** The demo's Odoo configuration: the connection "odoo" and the watches the packs need (orders confirmed and cancelled, transfers done, vendors' bank accounts). */
export function simOdooConfig(o: {
  odoo: SimOdooConnection;
  publicUrl: string;
  apiKeyEnv: string;
  tokenEnv: string;
  token: string;
  pollIntervalMs: number;
  maxConcurrency?: number;
  protocol?: 'jsonrpc' | 'xmlrpc' | 'json2';
  version?: number;
}): { yaml: string; env: Record<string, string> } {
  const concurrency = o.maxConcurrency === undefined ? '' : `, maxConcurrency: ${o.maxConcurrency}`;
  const protocol = o.protocol ?? 'jsonrpc';
  const yaml = `# The Odoo simulator (Odoo ${o.version ?? 17}), reached over ${protocol} like a real server.
public_url: ${o.publicUrl}
connections:
  - { name: odoo, url: "${o.odoo.url}", database: ${o.odoo.database}, login: ${o.odoo.login}, api_key_env: ${o.apiKeyEnv}, protocol: ${protocol}${concurrency} }
sources:
  - name: odoo
    connection: odoo
    token_env: ${o.tokenEnv}
    watch:
      - { model: sale.order, event: sale.order.confirmed, rule: { state: sale }, domain: [[state, "=", sale]], fields: [name, state, partner_id, amount_total, date_order, commitment_date], poll_interval_ms: ${o.pollIntervalMs} }
      - { model: sale.order, event: sale.order.cancelled, rule: { state: cancel }, domain: [[state, "=", cancel]], fields: [name, state], poll_interval_ms: ${o.pollIntervalMs} }
      - { model: stock.picking, event: stock.picking.done, rule: { state: done }, domain: [[state, "=", done]], fields: [name, state, picking_type_code, carrier_tracking_ref, date_done, origin], poll_interval_ms: ${o.pollIntervalMs} }
      - { model: res.partner.bank, event: res.partner.bank.untrusted, domain: [[allow_out_payment, "=", false]], fields: [acc_number, partner_id, allow_out_payment], poll_interval_ms: ${o.pollIntervalMs} }
`;
  return { yaml, env: { [o.apiKeyEnv]: o.odoo.apiKey, [o.tokenEnv]: o.token } };
}

/**
 * The carriers file for simulated carriers. `configs` are the simulator's own carrier
 * configurations (secrets inline); each secret moves to a variable `<prefix>_<CODE>_API_KEY`
 * or `<prefix>_<CODE>_WEBHOOK_SECRET`.
 */
export function simCarriersConfig(
  configs: Record<string, unknown>[],
  prefix: string,
): { yaml: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const carriers = configs.map((config) => {
    const { auth, webhook, ...rest } = config as {
      code: string;
      auth: Record<string, unknown>;
      webhook: Record<string, unknown>;
    };
    const name = `${prefix}_${rest.code.toUpperCase()}`;
    env[`${name}_API_KEY`] = String(auth.api_key);
    env[`${name}_WEBHOOK_SECRET`] = String(webhook.secret);
    const { api_key: _key, ...authRest } = auth;
    const { secret: _secret, ...webhookRest } = webhook;
    return {
      ...rest,
      auth: { ...authRest, api_key_env: `${name}_API_KEY` },
      webhook: { ...webhookRest, secret_env: `${name}_WEBHOOK_SECRET` },
    };
  });
  return { yaml: stringify({ carriers }, { aliasDuplicateObjects: false }), env };
}
