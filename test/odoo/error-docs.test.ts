/** docs/error-codes-odoo.md documents every code with the category and retryable flag the code has. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ODOO_ERROR_CODES } from '../../src/connectors/odoo/index.ts';

const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/error-codes-odoo.md'), 'utf8');

/** Codes the connector raises without an Odoo failure behind them. */
const CONNECTOR_CODES = {
  ODOO_CONFIG_INVALID: { category: 'user', retryable: false },
  ODOO_VALUE_INVALID: { category: 'bug', retryable: false },
};

function documentedRows(): Map<string, { category: string; retryable: boolean }> {
  const rows = new Map<string, { category: string; retryable: boolean }>();
  for (const match of DOC.matchAll(/^\| `(ODOO_[A-Z_]+)` \| (\w+) \| (yes|no) \|/gm)) {
    rows.set(match[1] ?? '', { category: match[2] ?? '', retryable: match[3] === 'yes' });
  }
  return rows;
}

test('every Odoo error code is documented with its category and retryable flag', () => {
  const rows = documentedRows();
  for (const [code, info] of Object.entries({ ...ODOO_ERROR_CODES, ...CONNECTOR_CODES })) {
    assert.deepEqual(rows.get(code), { category: info.category, retryable: info.retryable }, code);
  }
  assert.equal(
    rows.size,
    Object.keys(ODOO_ERROR_CODES).length + Object.keys(CONNECTOR_CODES).length,
    'the doc lists codes that do not exist',
  );
});

test('every code used in the connector source is documented', () => {
  const sources = [
    'client.ts',
    'config.ts',
    'domain.ts',
    'values.ts',
    'version.ts',
    'wire-values.ts',
  ].map((file) =>
    readFileSync(resolve(import.meta.dirname, '../../src/connectors/odoo', file), 'utf8'),
  );
  const used = new Set(
    sources.flatMap((source) =>
      [...source.matchAll(/'(ODOO_[A-Z_]+)'/g)].map((match) => match[1] ?? ''),
    ),
  );
  const rows = documentedRows();
  for (const code of used) assert.ok(rows.has(code), `${code} is raised but not documented`);
});
