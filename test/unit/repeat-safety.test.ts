import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';

const UNGUARDED = `id: post-order
trigger: { event: order.paid }
steps:
  - id: confirm
    type: odoo.call
    with: { model: sale.order, method: action_confirm, args: ["= [input.order]"] }
  - id: tell-erp
    type: http.request
    with: { method: POST, url: "https://erp.example.com/orders", body: { order: "= input.order" }, idempotency_header: false }
`;

type Problem = { file: string; line: number; path: string; message: string };

describe('validate refuses side-effect steps that a repeat would make act twice', () => {
  const made: string[] = [];
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-repeat-'));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('an odoo.call without done_when and an http.request with its key turned off: refused, naming file, line, step and the fix', async () => {
    const refused = await runCrossdock([
      'validate',
      folder({ 'post-order.yaml': UNGUARDED }),
      '--json',
    ]);
    assert.equal(refused.status, 1);
    const problems = JSON.parse(refused.stdout).problems as Problem[];
    assert.deepEqual(
      problems.map((p) => [p.file.replace(/^.*\//, ''), p.line, p.path]),
      [
        ['post-order.yaml', 4, 'steps[0]'],
        ['post-order.yaml', 7, 'steps[1]'],
      ],
    );
    assert.match(
      problems[0]!.message,
      /step "confirm" is not safe to repeat: odoo\.call of sale\.order\.action_confirm has no done_when \(nor idempotent: true\)/,
    );
    assert.match(
      problems[1]!.message,
      /step "tell-erp" is not safe to repeat: idempotency_header is false/,
    );
    for (const p of problems)
      assert.match(p.message, /mark the step `safe_to_repeat: true` if acting twice is harmless/);
    const text = await runCrossdock(['validate', folder({ 'post-order.yaml': UNGUARDED })]);
    assert.match(
      text.stdout + text.stderr,
      /post-order\.yaml:4\s+steps\[0\]\s+step "confirm" is not safe to repeat/,
    );
  });

  test('done_when, the key, or a declared safe_to_repeat make the same steps acceptable', async () => {
    const guarded = UNGUARDED.replace(
      'args: ["= [input.order]"] }',
      'args: ["= [input.order]"], done_when: [[state, "=", sale]] }',
    ).replace(
      'idempotency_header: false }',
      'idempotency_header: false }\n    safe_to_repeat: true',
    );
    const ok = await runCrossdock(['validate', folder({ 'post-order.yaml': guarded })]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  });

  test('every shipped workflow validates', async () => {
    for (const dir of [
      'packs/dispatch/workflows',
      'packs/order-release/workflows',
      'packs/operations/workflows',
      'packs/supplier-delays/workflows',
      'packs/inventory-control/workflows',
      'examples/workflows',
    ]) {
      const result = await runCrossdock(['validate', dir]);
      assert.equal(result.status, 0, `${dir}: ${result.stdout}${result.stderr}`);
    }
  });
});
