/** `crossdock sim carriers`: the carrier simulator on its own, and the carriers file that lets Crossdock use it. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  carrierWebhookEvent,
  createCarrierRegistry,
  loadCarrierSettings,
  verifyCarrierWebhook,
} from '../../src/connectors/carriers/index.ts';
import { completeJson, runCrossdock, startCrossdock } from '../support/cli.ts';
import { shipment } from './support.ts';

describe('crossdock sim carriers', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crossdock-sim-carriers-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs the carriers of the docs example where it says, writes the carriers file Crossdock books through, and stops on SIGTERM', async () => {
    // The --carriers-file example of docs/CARRIERS.md (fenced `yaml sim-carriers`).
    const example = [
      ...readFileSync('docs/CARRIERS.md', 'utf8').matchAll(/```yaml sim-carriers\n([\s\S]*?)```/g),
    ]
      .map((m) => m[1]!)
      .find((b) => b.includes('code: swiftpost, countries'));
    assert.ok(example, 'docs/CARRIERS.md has the example');
    writeFileSync(join(dir, 'sim.yaml'), example);
    const configFile = join(dir, 'carriers.yaml');
    const sim = startCrossdock([
      'sim',
      'carriers',
      '--port',
      '0',
      '--carriers-file',
      join(dir, 'sim.yaml'),
      '--write-config',
      configFile,
      '--json',
    ]);
    try {
      const answer = JSON.parse(await sim.output(completeJson)) as {
        url: string;
        carriers: { code: string }[];
        configFile: string;
        env: Record<string, string>;
      };
      assert.deepEqual(
        answer.carriers.map((c) => c.code),
        ['swiftpost', 'euroline', 'cargoplus'],
      );
      assert.equal(answer.configFile, configFile);
      assert.doesNotMatch(
        readFileSync(configFile, 'utf8'),
        /sim-swiftpost-key|webhook-secret/,
        'the file names variables, it holds no key',
      );

      // Crossdock reads the written file with the printed variables, and quotes and books over HTTP.
      const registry = createCarrierRegistry(loadCarrierSettings(configFile, answer.env));
      const inTheUs = shipment({
        reference: 'WH/OUT/00777',
        from: { country: 'US', postcode: '94134', city: 'San Francisco' },
        to: { country: 'US', postcode: '94107', city: 'San Francisco' },
        declared_value: { amount: 218.5, currency: 'USD' },
      });
      const rates = await registry.get('swiftpost').rates(inTheUs);
      assert.ok(
        rates.length > 0 && rates.every((r) => r.currency === 'USD'),
        JSON.stringify(rates),
      );
      assert.deepEqual(
        await registry.get('swiftpost').rates(shipment()),
        [],
        'SwiftPost serves only the US now',
      );
      const toCanada = {
        ...inTheUs,
        to: { ...inTheUs.to, country: 'CA', postcode: 'M5V 2T6', city: 'Toronto' },
      };
      assert.ok(
        (await registry.get('euroline').rates(toCanada)).length > 0,
        'EuroLine crosses into Canada',
      );
      const booking = await registry
        .get('swiftpost')
        .book(inTheUs, { idempotencyKey: 'sim-cli-1', service: 'standard' });
      assert.match(booking.tracking_ref, /^SP/);
    } finally {
      const ended = await sim.stop('SIGTERM');
      assert.equal(ended.status, 0, ended.stderr);
    }
    const after = await fetch(
      `http://127.0.0.1:${new URL(JSON.parse(await sim.output(completeJson)).url).port}/swiftpost/rates`,
      { method: 'POST' },
    ).then(
      () => 'answered',
      () => 'closed',
    );
    assert.equal(after, 'closed', 'the port is closed once it stopped');
  });

  test('prints the carriers file and the variables it names; SIGINT stops it', async () => {
    const sim = startCrossdock(['sim', 'carriers']);
    const text = await sim.output((s) => s.includes('running until Ctrl-C'));
    assert.match(
      text,
      /^carrier simulator at http:\/\/127\.0\.0\.1:\d+: swiftpost \(DE; EUR\), euroline/,
    );
    assert.match(text, /api_key_env: CROSSDOCK_SIM_SWIFTPOST_API_KEY/);
    assert.match(text, /^export CROSSDOCK_SIM_CARGOPLUS_WEBHOOK_SECRET=\S+$/m);
    assert.equal((await sim.stop('SIGINT')).status, 0);
  });

  test('a carriers file naming an unknown carrier or a bad country is refused, naming each path', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'carriers:\n  - { code: fedex }\n  - { code: euroline, countries: [usa] }\n',
    );
    const result = await runCrossdock([
      'sim',
      'carriers',
      '--carriers-file',
      join(dir, 'bad.yaml'),
    ]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /SIM_CARRIERS_FILE_INVALID/);
    assert.match(
      result.stderr,
      /carriers\.0\.code: the simulator has no carrier "fedex"; it has swiftpost, euroline, cargoplus, parcelnow/,
    );
    assert.match(result.stderr, /carriers\.1\.countries\.0: an ISO 3166-1 alpha-2 code/);
  });

  test(
    'with --tracking-to, each booking is reported in transit then delivered, signed so that Crossdock accepts it',
    { timeout: 120_000 },
    async () => {
      const received: {
        path: string;
        headers: Record<string, string | string[] | undefined>;
        body: string;
      }[] = [];
      const crossdock = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          received.push({ path: req.url!, headers: req.headers, body });
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) => crossdock.listen(0, '127.0.0.1', resolve));
      const configFile = join(dir, 'tracking-carriers.yaml');
      const sim = startCrossdock([
        'sim',
        'carriers',
        '--write-config',
        configFile,
        '--tracking-to',
        `http://127.0.0.1:${(crossdock.address() as AddressInfo).port}/`,
        '--json',
      ]);
      try {
        const answer = JSON.parse(await sim.output(completeJson)) as {
          env: Record<string, string>;
        };
        const configs = loadCarrierSettings(configFile, answer.env);
        const booking = await createCarrierRegistry(configs)
          .get('euroline')
          .book(
            shipment({
              reference: 'WH/OUT/00888',
              to: { country: 'FR', postcode: '69002', city: 'Lyon' },
            }),
            { idempotencyKey: 'sim-cli-track' },
          );
        const deadline = Date.now() + 60_000;
        while (received.length < 2 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        const euroline = configs.find((c) => c.code === 'euroline')!;
        const events = received.map((r) => {
          assert.equal(r.path, '/hooks/carriers/euroline');
          assert.deepEqual(verifyCarrierWebhook(euroline, r.body, r.headers, new Date()), {
            ok: true,
            replayKey: null,
          });
          return carrierWebhookEvent(euroline, JSON.parse(r.body));
        });
        assert.deepEqual(
          events.map((e) => [e.payload.tracking_ref, e.payload.status]),
          [
            [booking.tracking_ref, 'in_transit'],
            [booking.tracking_ref, 'delivered'],
          ],
        );
      } finally {
        assert.equal((await sim.stop('SIGINT')).status, 0);
        await new Promise((resolve) => crossdock.close(resolve));
      }
    },
  );
});
