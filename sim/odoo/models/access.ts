/**
 * Access rights of the simulated users. Administrators may do everything. The lab's
 * restricted user "salesuser" (uid 8, "Sales / User: Own Documents Only") is refused
 * exactly what the access-* fixtures show, with Odoo's messages, and its record rule
 * limits sale orders to its own (silently in search, with "Uh-oh!" on read by id).
 * Models not listed here are open to every user: a simplification of Odoo's ACLs.
 */
import { py } from '../errors.ts';
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import type { AccessOperation, AccessPolicy } from '../runtime.ts';

const SALESMAN_LOGINS = new Set(['salesuser']);

const PRODUCT_ADMINS = [
  'Administration/Settings',
  'Inventory/Administrator',
  'Invoicing/Billing Administrator',
  'Purchase/Administrator',
  'Sales/Administrator',
];
const SETTINGS = ['Administration/Settings'];

/** Operations a salesman may not perform, with the groups Odoo names as allowed. */
const SALESMAN_DENIED: Readonly<
  Record<string, Partial<Record<AccessOperation, readonly string[]>>>
> = {
  'ir.config_parameter': { read: SETTINGS, write: SETTINGS, create: SETTINGS, unlink: SETTINGS },
  'stock.location': {
    write: ['Inventory/Administrator'],
    create: ['Inventory/Administrator'],
    unlink: ['Inventory/Administrator'],
  },
  'product.product': { write: PRODUCT_ADMINS, create: PRODUCT_ADMINS, unlink: PRODUCT_ADMINS },
  'product.template': { write: PRODUCT_ADMINS, create: PRODUCT_ADMINS, unlink: PRODUCT_ADMINS },
  'res.partner': { unlink: ['Extra Rights/Contact Creation'] },
  'base.automation': { read: SETTINGS, write: SETTINGS, create: SETTINGS, unlink: SETTINGS },
  'ir.actions.server': { write: SETTINGS, create: SETTINGS, unlink: SETTINGS },
};

/** Models whose records a salesman sees only when they are his (user_id) or unassigned. */
const OWN_DOCUMENTS = new Set(['sale.order']);

const VERBS: Record<AccessOperation, string> = {
  read: 'access',
  write: 'modify',
  create: 'create',
  unlink: 'delete',
};

function isSalesman(env: Env): boolean {
  const login = env.row('res.users', env.uid)?.login;
  return typeof login === 'string' && SALESMAN_LOGINS.has(login);
}

function deniedGroups(
  env: Env,
  model: string,
  operation: AccessOperation,
): readonly string[] | undefined {
  return isSalesman(env) ? SALESMAN_DENIED[model]?.[operation] : undefined;
}

export function createAccessPolicy(): AccessPolicy {
  return {
    checkModel(env, model, operation) {
      if (env.su) return;
      const groups = deniedGroups(env, model, operation);
      if (groups === undefined) return;
      const description = env.model(model).description;
      throw py.accessError(
        `You are not allowed to ${VERBS[operation]} '${description}' (${model}) records.\n\nThis operation is allowed for the following groups:\n${groups.map((group) => `\t- ${group}`).join('\n')}\n\nContact your administrator to request access if necessary.`,
      );
    },
    hasModelAccess(env, model, operation) {
      return env.su || deniedGroups(env, model, operation) === undefined;
    },
    recordAllowed(env, model, row: Row) {
      if (env.su || !OWN_DOCUMENTS.has(model) || !isSalesman(env)) return true;
      return row.user_id === env.uid || row.user_id === false || row.user_id === undefined;
    },
    userLabel(env) {
      return `${env.displayName('res.users', env.uid)} (id=${env.uid})`;
    },
  };
}
