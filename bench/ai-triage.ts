/**
 * What the AI path costs Crossdock itself, apart from the model: redacting one case, and one
 * chat completion through the client (request, schema check) against the local simulator,
 * beside a bare POST of the same body with node's fetch. `node --import tsx bench/ai-triage.ts [n]`.
 */
import { redactCase } from '../src/ai/index.ts';
import { AiClient, aiProviderSettings } from '../src/connectors/ai/index.ts';
import { startAiSimulator } from '../sim/ai/index.ts';
import { z } from 'zod';

const n = Number(process.argv[2] ?? 300);
const KEY = 'sk-bench-0123456789abcdef';
const incident = {
  title: 'Delivery for SO0042 refused by Jane Whitfield',
  code: 'DELIVERY_REFUSED',
  severity: 'high',
  details: {
    order: 'SO0042',
    note: 'Driver Mr. Okafor called from 0161 496 0000: the address is wrong; jane.whitfield@example.com',
    contact_name: 'Jane Whitfield',
    email: 'jane.whitfield@example.com',
    phone: '+44 20 7946 0958',
    delivery_address: '221B Baker Street, London NW1 6XE',
  },
};

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
const time = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

const sim = await startAiSimulator({ apiKey: KEY });
sim.rules.push({ match: /DELIVERY_REFUSED/, answer: { label: 'a', confidence: 0.9 } });
const client = new AiClient(
  aiProviderSettings({
    baseUrl: sim.url,
    model: 'sim-triage-1',
    apiKey: KEY,
    timeoutMs: 5_000,
    retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
  }),
);
const schema = {
  name: 'label',
  jsonSchema: {
    type: 'object',
    properties: { label: { type: 'string', enum: ['a', 'b'] }, confidence: { type: 'number' } },
    required: ['label', 'confidence'],
    additionalProperties: false,
  },
  parse: z.strictObject({ label: z.enum(['a', 'b']), confidence: z.number() }),
};
const text = redactCase(incident).text;
const messages = [{ role: 'user' as const, content: text }];
const body = JSON.stringify({
  model: 'sim-triage-1',
  messages,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'label', strict: true, schema: schema.jsonSchema },
  },
});
const redact: number[] = [];
const viaClient: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 50; i++) await client.complete(messages, schema); // warm-up
for (let i = 0; i < n; i++) {
  redact.push(await time(() => redactCase(incident)));
  viaClient.push(await time(() => client.complete(messages, schema)));
  bare.push(
    await time(async () => {
      const r = await fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body,
      });
      await r.json();
    }),
  );
}
await sim.close();
const row = (name: string, xs: number[]) =>
  console.log(
    `| ${name} | ${percentile(xs, 0.5).toFixed(3)} | ${percentile(xs, 0.9).toFixed(3)} |`,
  );
console.log(`n = ${n}\n| what | p50 (ms) | p90 (ms) |\n| --- | --- | --- |`);
row('redactCase (one case)', redact);
row('AiClient.complete against the simulator', viaClient);
row('bare fetch POST of the same body', bare);
