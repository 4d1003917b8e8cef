/**
 * docs/CARRIERS.md: the configuration example parses, every ```yaml carriers workflow block
 * validates with the carrier steps, and the dispatch example runs against the simulator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  carrierStepTypes,
  CarrierRegistry,
  parseCarrierFile,
  type BookOutput,
} from '../../src/connectors/carriers/index.ts';
import { engineStepTypes, StepRegistry } from '../../src/engine/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { startEngineHarness, type EngineHarness } from './support.ts';

const DOC = readFileSync('docs/CARRIERS.md', 'utf8');
const blocks = (fence: string) =>
  [...DOC.matchAll(new RegExp('```' + fence + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const workflows = blocks('yaml carriers');
const DISPATCH = workflows.find((w) => w.includes('id: dispatch-book')) ?? 'missing';

test('the configuration example parses, with its defaults, secrets from the named variables', () => {
  const [config] = blocks('yml');
  const env = {
    SWIFTPOST_API_KEY: 'sp-key',
    SWIFTPOST_WEBHOOK_SECRET: 'sp-webhook-secret-123',
    CARGOPLUS_API_KEY: 'cp-key',
    CARGOPLUS_WEBHOOK_SECRET: 'cp-webhook-secret-123',
  };
  const [swiftpost, cargoplus] = parseCarrierFile(config ?? '', env);
  assert.deepEqual(
    [
      swiftpost?.auth,
      swiftpost?.book_timeout_ms,
      swiftpost?.paths.cancel,
      swiftpost?.webhook?.secret,
      swiftpost?.webhook?.fields.event_id,
    ],
    [
      { header: 'authorization', prefix: 'Bearer ', api_key: 'sp-key' },
      20000,
      '/shipments/{booking_id}',
      'sp-webhook-secret-123',
      'id',
    ],
  );
  assert.deepEqual(
    [
      cargoplus?.timeout_ms,
      cargoplus?.paths.track,
      cargoplus?.paths.rates,
      cargoplus?.statuses.DAMAGED,
      cargoplus?.webhook?.signature_encoding,
    ],
    [10000, '/v1/track/{tracking_ref}', '/rates', 'damaged', 'hex'],
  );
  assert.throws(
    () => parseCarrierFile(config ?? '', {}),
    (error: Error & { code?: string; details?: { path: string }[] }) => {
      assert.equal(error.code, 'CARRIER_CONFIG_INVALID');
      assert.deepEqual(
        error.details?.map((d) => d.path),
        [
          'carriers.0.webhook.secret_env',
          'carriers.0.auth.api_key_env',
          'carriers.1.webhook.secret_env',
          'carriers.1.auth.api_key_env',
        ],
      );
      return true;
    },
  );
});

test('every carrier workflow example validates with the carrier steps', () => {
  const steps = new StepRegistry([
    ...engineStepTypes(),
    ...carrierStepTypes(new CarrierRegistry()),
  ]);
  assert.ok(workflows.length > 0);
  for (const text of workflows) {
    const result = parseWorkflow(text, 'docs/CARRIERS.md', steps);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  }
});

describe('the dispatch example against the simulator', () => {
  let h: EngineHarness;
  before(async () => (h = await startEngineHarness([DISPATCH])));
  after(() => h.close());

  const picking = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    destination: { country: 'DE', postcode: '80331', region: 'DE-BY' },
    parcels: [{ weight_kg: 12.5 }],
    value: 240,
    ...extra,
  });
  const booked = (run: { steps: { stepId: string; status: string; output: unknown }[] }) =>
    run.steps.find((s) => s.stepId === 'book' && s.status === 'completed')?.output as BookOutput;

  test('the cheapest carrier books', async () => {
    const { run } = await h.drive(await h.start('picking.ready', picking('WH/OUT/00601')));
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(
      [booked(run).carrier, booked(run).price, booked(run).fallbacks_used],
      ['parcelnow', 6.03, 0],
    );
  });

  test('the cheapest carrier is down: three tries (2 s, 6 s apart, less their jitter), then the next cheapest books', async () => {
    h.sim.faults.failAlways('parcelnow', { kind: 'server-error' }, 'book');
    try {
      const { run, waitsMs } = await h.drive(
        await h.start('picking.ready', picking('WH/OUT/00602')),
      );
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      assert.deepEqual(waitsMs, [1800, 5400]);
      assert.deepEqual([booked(run).carrier, booked(run).fallbacks_used], ['swiftpost', 1]);
      assert.equal(
        h.sim.bookings('swiftpost').filter((b) => b.reference === 'WH/OUT/00602').length,
        1,
      );
    } finally {
      h.sim.faults.clear();
    }
  });

  test('dangerous goods go with the only carrier that takes them; where nobody goes, the workflow fails its own way', async () => {
    const { run } = await h.drive(
      await h.start('picking.ready', picking('WH/OUT/00603', { hazardous: true })),
    );
    assert.deepEqual([run.status, booked(run)?.carrier], ['completed', 'cargoplus']);
    const nowhere = await h.drive(
      await h.start(
        'picking.ready',
        picking('WH/OUT/00604', {
          hazardous: true,
          destination: { country: 'ES', postcode: '35001', region: 'ES-CN' },
          parcels: [{ weight_kg: 150 }],
        }),
      ),
    );
    assert.deepEqual(
      [nowhere.run.status, (nowhere.run.error as { code: string }).code],
      ['failed', 'DISPATCH_NO_CARRIER'],
    );
  });
});
