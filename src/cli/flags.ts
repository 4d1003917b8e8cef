import type { ParseArgsConfig } from 'node:util';

/** Every option the command line knows; each command reads the ones it needs. */
export const OPTIONS = {
  json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  workflows: { type: 'string' }, 'data-dir': { type: 'string' }, 'state-dir': { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' },
  feed: { type: 'string' }, event: { type: 'string' }, api: { type: 'string' },
  status: { type: 'string' }, workflow: { type: 'string' }, limit: { type: 'string' },
  input: { type: 'string' }, from: { type: 'string' }, reason: { type: 'string' }, again: { type: 'string' }, 'dry-run': { type: 'boolean' },
  source: { type: 'string' }, type: { type: 'string' }, key: { type: 'string' }, payload: { type: 'string' }, file: { type: 'string' },
  role: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' }, user: { type: 'string' }, scopes: { type: 'string' },
  'event-sources': { type: 'string' }, 'expires-days': { type: 'string' }, out: { type: 'string' }, description: { type: 'string' },
  cases: { type: 'string' },
  orders: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' }, 'worker-processes': { type: 'string' }, 'kill-every': { type: 'string' },
  'carriers-file': { type: 'string' }, 'write-config': { type: 'string' }, 'tracking-to': { type: 'string' }, 'rotate-token': { type: 'boolean' }, 'overlap-s': { type: 'string' },
  as: { type: 'string' }, bulk: { type: 'boolean' }, groups: { type: 'string' }, manager: { type: 'string' }, 'odoo-user': { type: 'string' },
  since: { type: 'string' }, until: { type: 'string' },
} satisfies ParseArgsConfig['options'];

/** The parsed options: a string, or true for a boolean option. */
export type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
