import { CrossdockError } from '../../../errors/index.ts';
import { createOdooClient, type OdooClient, type OdooClientDependencies } from '../client.ts';
import type { OdooProfileInput } from '../config.ts';
import type { OdooClientPool } from './shared.ts';

/**
 * One client per named profile (each client keeps its own uid cache and concurrency
 * limit). Every profile is validated now, so a bad one fails at start, not mid-run.
 */
export function createClientPool(
  profiles: OdooProfileInput[],
  deps: OdooClientDependencies = {},
): OdooClientPool {
  const clients = new Map<string, OdooClient>();
  for (const profile of profiles) {
    const client = createOdooClient(profile, deps);
    if (clients.has(client.profileName)) {
      throw new CrossdockError(
        'ODOO_CONFIG_INVALID',
        `Two Odoo connections are named "${client.profileName}"`,
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'name', message: 'must be unique' }],
        },
      );
    }
    clients.set(client.profileName, client);
  }
  return {
    get(connection) {
      const client = clients.get(connection);
      if (client !== undefined) return client;
      const known = [...clients.keys()];
      throw new CrossdockError(
        'ODOO_CONNECTION_UNKNOWN',
        `No Odoo connection "${connection}"; known: ${known.length > 0 ? known.map((name) => `"${name}"`).join(', ') : '(none)'}`,
        { category: 'user', retryable: false },
      );
    },
  };
}
