/**
 * The Odoo release the simulator behaves as. 17 is the default and what the 17 fixtures
 * recorded; 19 is what test/fixtures/odoo19 recorded. Only what the recordings show to
 * differ changes with the version:
 * - the version strings (common.version, /web/version, /json/version);
 * - JSON-RPC's error code: 200 in 17, 0 in 19 (84-jsonrpc-error-unknown-model);
 * - a few ORM messages Odoo 19 words differently (`messages` below);
 * - automation webhooks: sent inside the transaction, before commit, in 17; after the
 *   commit, and not at all on rollback, in 19 (webhook-out-01, 93-create-res.partner-rolled-back);
 * - every legacy /jsonrpc and /xmlrpc call logs a deprecation WARNING in 19.
 */
export const SIM_ODOO_VERSIONS = [17, 19] as const;
export type SimOdooVersion = (typeof SIM_ODOO_VERSIONS)[number];

export interface ServerVersionInfo {
  server_version: string;
  server_version_info: readonly (number | string)[];
  server_serie: string;
  protocol_version: number;
}

/** common.version as each recorded server answered it. */
export function serverVersionOf(version: SimOdooVersion): ServerVersionInfo {
  if (version === 19) {
    // The recorded 19 build carried "+e" (built with Enterprise, running Community code only).
    return {
      server_version: '19.0+e-20251227',
      server_version_info: [19, 0, 0, 'final', 0, ''],
      server_serie: '19.0',
      protocol_version: 1,
    };
  }
  return {
    server_version: '17.0-20240709',
    server_version_info: [17, 0, 0, 'final', 0, ''],
    server_serie: '17.0',
    protocol_version: 1,
  };
}

/** When outgoing automation webhooks leave: inside the transaction (17) or after its commit (19). */
export type WebhookTiming = 'before-commit' | 'after-commit';

export function webhookTimingOf(version: SimOdooVersion): WebhookTiming {
  return version >= 19 ? 'after-commit' : 'before-commit';
}

/** JSON-RPC `error.code` of a server error (not of a session error, which stays 100). */
export function jsonRpcServerErrorCode(version: SimOdooVersion): number {
  return version >= 19 ? 0 : 200;
}

export const LEGACY_RPC_WARNING =
  'The /xmlrpc, /xmlrpc/2 and /jsonrpc endpoints are deprecated in Odoo 19 and scheduled for removal in Odoo 20.';

/** ORM error messages whose wording changed between the recorded versions. */
export function messagesOf(version: SimOdooVersion) {
  const v19 = version >= 19;
  return {
    invalidField: (model: string, name: string) =>
      v19 ? `Invalid field '${name}' on '${model}'` : `Invalid field '${name}' on model '${model}'`,
    invalidLeafField: (model: string, name: string, leaf: string) =>
      `Invalid field ${model}.${name} in ${v19 ? 'condition' : 'leaf'} ${leaf}`,
    /** sale.order.action_confirm on an order that is not a quotation (68-error-user-error-confirm-twice). */
    notToConfirm: (names: string) =>
      v19
        ? 'Some orders are not in a state requiring confirmation.'
        : `The following orders are not in a state requiring confirmation: ${names}`,
    /** A required field left empty (71-error-missing-required-field). */
    missingRequired: (
      modelDescription: string,
      model: string,
      fieldString: string,
      name: string,
    ) =>
      v19
        ? `The operation cannot be completed: Missing required value for the field '${fieldString}' (${name}).\nModel: '${modelDescription}' (${model})\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n`
        : `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${modelDescription} (${model})\nField: ${fieldString} (${name})\n`,
    privateMethod: (model: string, method: string) =>
      v19
        ? `Private methods (such as '${model}.${method}') cannot be called remotely.`
        : `Private methods (such as ${method}) cannot be called remotely.`,
  };
}
