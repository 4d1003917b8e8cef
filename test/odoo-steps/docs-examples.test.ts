/**
 * The Odoo examples in docs/*.md are fenced as ```yml (the ```yaml blocks are validated by
 * test/unit/docs-examples.test.ts with the built-in steps only, which have no Odoo steps).
 * Here every ```yml block must validate with the Odoo steps registered, and the example
 * in docs/WORKFLOWS.md runs against the simulator, twice for the same order.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createClientPool, odooStepTypes } from '../../src/connectors/odoo/steps/index.ts';
import { builtInSteps } from '../../src/main.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { outputsOf, startHarness, type Harness } from './support.ts';

function blocks(fence: 'yml' | 'yaml'): { file: string; text: string }[] {
  return readdirSync('docs')
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) =>
      [
        ...readFileSync(`docs/${file}`, 'utf8').matchAll(
          new RegExp('```' + fence + '\\n([\\s\\S]*?)```', 'g'),
        ),
      ].map((m) => ({ file: `docs/${file}`, text: m[1] ?? '' })),
    );
}

describe('Odoo workflow examples in the docs', () => {
  test('every ```yml workflow block validates with the built-in and Odoo steps; no ```yaml block uses an Odoo step', () => {
    const pool = createClientPool([
      {
        name: 'odoo',
        url: 'http://127.0.0.1:9',
        database: 'none',
        login: 'none',
        apiKey: 'none',
        protocol: 'jsonrpc',
      },
    ]);
    const steps = builtInSteps(odooStepTypes(pool));
    const yml = blocks('yml');
    // Other ```yml blocks hold configuration files (docs/ODOO.md); workflows have steps.
    const workflows = yml.filter((b) => /^steps:/m.test(b.text));
    assert.ok(workflows.length > 0);
    for (const block of workflows) {
      const result = parseWorkflow(block.text, block.file, steps);
      assert.ok(result.ok, `${block.file}: ${JSON.stringify(!result.ok && result.problems)}`);
    }
    for (const block of blocks('yaml'))
      assert.doesNotMatch(
        block.text,
        /type:\s*odoo\./,
        `${block.file}: fence Odoo examples as yml`,
      );
  });

  describe('the WORKFLOWS.md example against the simulator', () => {
    let h: Harness;
    const example = blocks('yml').find(
      (b) => b.file === 'docs/WORKFLOWS.md' && b.text.includes('id: shop-order-to-odoo'),
    );
    before(async () => (h = await startHarness([example?.text ?? 'example not found'])));
    after(() => h.close());

    test('a paid order becomes a delivered, invoiced sale order; the same order again changes nothing but the chatter', async () => {
      const payload = {
        customer: { id: 'C-1', name: 'Shop Customer One', email: 'one@example.com' },
        order_ref: 'SHOP-1001',
        lines: [{ product_id: 32, qty: 2 }],
      };
      const first = await h.run('shop.order.paid', payload, 'shop');
      assert.equal(first.status, 'completed', JSON.stringify(first.error));
      const order = (outputsOf(first, 'order')[0] as { id: number }).id;
      const [sale] = h.sim.db.searchRead(
        'sale.order',
        [['client_order_ref', '=', 'SHOP-1001']],
        ['state', 'delivery_status', 'invoice_ids', 'partner_id'],
      );
      assert.deepEqual(
        [sale?.id, sale?.state, sale?.delivery_status, (sale?.invoice_ids as number[]).length],
        [order, 'sale', 'full', 1],
      );
      assert.deepEqual(sale?.partner_id, [
        (outputsOf(first, 'customer')[0] as { id: number }).id,
        'Shop Customer One',
      ]);

      const second = await h.run('shop.order.paid', payload, 'shop');
      assert.equal(second.status, 'completed', JSON.stringify(second.error));
      const again = (id: string) => outputsOf(second, id)[0];
      assert.deepEqual(
        [again('customer'), again('order')],
        [
          { id: sale?.partner_id && (sale.partner_id as [number])[0], created: false },
          { id: order, created: false },
        ],
      );
      assert.deepEqual(again('confirm'), { result: null, skipped: true });
      assert.deepEqual(again('ship'), {
        ...(outputsOf(first, 'ship')[0] as object),
        already: true,
      });
      assert.deepEqual(again('invoice'), {
        ...(outputsOf(first, 'invoice')[0] as object),
        created: false,
      });
      assert.equal(
        h.sim.db.searchRead('res.partner', [['ref', '=', 'shop-C-1']], ['id']).length,
        1,
      );
      assert.equal(
        h.sim.db.searchRead('sale.order', [['client_order_ref', '=', 'SHOP-1001']], ['id']).length,
        1,
      );
      assert.equal(
        h.sim.calls.count({ model: 'sale.advance.payment.inv', method: 'create_invoices' }),
        1,
      );
      // Each run is its own position, so each posts its note: two runs, two notes.
      assert.equal(
        h.sim.db.searchRead(
          'mail.message',
          [
            ['model', '=', 'sale.order'],
            ['res_id', '=', order],
            ['body', 'ilike', '[cd:'],
          ],
          ['id'],
        ).length,
        2,
      );
    });
  });
});
