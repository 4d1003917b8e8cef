/**
 * Regenerates sim/odoo/data/recorded-fields.json from the Odoo 17 fixtures: the
 * fields_get attributes Odoo itself returned, per model and field, so the simulator's
 * schema for those models is Odoo's own rather than a transcription.
 *
 * Usage (from the repository root):
 *   npx tsx sim/odoo/tools/extract-recorded-fields.ts test/fixtures/odoo17
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Fixture files holding a fields_get answer over JSON-RPC, and their model. */
const SOURCES: ReadonlyArray<readonly [file: string, model: string]> = [
  ['execute_kw-fields_get-sale.order.json', 'sale.order'],
  ['execute_kw-fields_get-no-attributes.json', 'sale.order'],
  ['execute_kw-fields_get-stock.picking.json', 'stock.picking'],
  ['execute_kw-fields_get-subset.json', 'stock.move'],
  ['automation-12-fields_get-base.automation-trigger.json', 'base.automation'],
  ['automation-13-fields_get-ir.actions.server-state.json', 'ir.actions.server'],
  ...[
    'purchase.order',
    'purchase.order.line',
    'product.supplierinfo',
    'stock.warehouse.orderpoint',
    'stock.quant',
    'stock.scrap',
    'res.partner.bank',
    'stock.picking',
    'stock.move',
  ].map((model) => [`fg-${model}.json`, model] as const),
];

const fixturesDir = resolve(process.argv[2] ?? 'test/fixtures/odoo17');
const out: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [file, model] of SOURCES) {
  const fixture = JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as {
    response: { body: { result: Record<string, Record<string, unknown>> } };
  };
  const fields = (out[model] ??= {});
  for (const [name, attributes] of Object.entries(fixture.response.body.result)) {
    fields[name] = { ...fields[name], ...attributes };
  }
}
const target = resolve(import.meta.dirname, '../data/recorded-fields.json');
const lines = Object.entries(out).map(([model, fields]) => {
  const entries = Object.entries(fields).map(
    ([name, attributes]) => `    ${JSON.stringify(name)}: ${JSON.stringify(attributes)}`,
  );
  return `  ${JSON.stringify(model)}: {\n${entries.join(',\n')}\n  }`;
});
writeFileSync(target, `{\n${lines.join(',\n')}\n}\n`);
console.log(
  `wrote ${target}: ${Object.entries(out)
    .map(([model, fields]) => `${model} ${Object.keys(fields).length}`)
    .join(', ')}`,
);
