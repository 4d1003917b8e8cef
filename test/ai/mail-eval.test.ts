/**
 * `crossdock ai eval mail_extraction`: the shipped labelled e-mails (supplier delay notices,
 * carrier exception notices) read and scored as the step would extract them, here by the
 * rules (no provider configured), and a bad line refused with its file, line and field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateMail, readMailSet } from '../../src/ai/index.ts';

const set = (name: string) => new URL(`../../ai/eval/${name}`, import.meta.url).pathname;

test('the carrier set: per-field precision and recall, coverage and errors at the threshold', async () => {
  const mails = readMailSet(set('mail-carrier-exceptions.jsonl'));
  assert.equal(mails.length, 15);
  const r = await evaluateMail(null, mails, 0.8);
  assert.equal(r.model, 'crossdock-rules');
  const tracking = r.fields.find((f) => f.field === 'tracking_number')!;
  assert.deepEqual([tracking.labelled, tracking.answered, tracking.correct], [12, 12, 12]);
  const reason = r.fields.find((f) => f.field === 'reason')!;
  assert.equal(reason.recall, 9 / 10);
  assert.equal(r.automatic, 6);
  assert.equal(r.coverage, 6 / 15);
  assert.equal(r.errorRate, 0);
});

test('the supplier set', async () => {
  const r = await evaluateMail(null, readMailSet(set('mail-supplier-delays.jsonl')), 0.8);
  const po = r.fields.find((f) => f.field === 'purchase_order')!;
  assert.deepEqual([po.labelled, po.answered, po.correct], [14, 15, 14]);
  assert.equal(r.coverage, 8 / 15);
  assert.equal(r.automaticWrong, 0);
  // Lower the gate and the ambiguous messages are applied: two orders in one, a date unchanged.
  const low = await evaluateMail(null, readMailSet(set('mail-supplier-delays.jsonl')), 0.3);
  assert.equal(low.coverage, 13 / 15);
  assert.deepEqual(
    low.mistakes.map((m) => [m.line, m.field, m.answered]),
    [
      [8, 'purchase_order', 'P00063'],
      [15, 'new_date', '2026-04-30'],
    ],
  );
});

test('a bad line is refused with the file, the line and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-mail-set-'));
  try {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ subject: 'x', text: 'y', expected: { purchase_order: 'P1' }, require: ['new_date'] })}\n`,
    );
    assert.throws(
      () => readMailSet(file),
      (e: { code?: string; message?: string; details?: { path: string }[] }) =>
        e.code === 'AI_SET_INVALID' &&
        e.message!.startsWith(`The labelled set ${file} has `) &&
        e.details!.some((d) => d.path === `${file}:1 expected.new_date`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
