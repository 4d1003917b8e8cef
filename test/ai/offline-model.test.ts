/**
 * The offline classifier itself (no store): what it reads of a case, that a temperature
 * changes no ranking, and that its calibrated probabilities mean what they say: on a
 * synthetic set whose clues come in correlated triples (which naive Bayes counts three times,
 * as it would "credit limit exceeded"), the cases it gives ~70% are right ~70% of the time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fit,
  fitCalibrated,
  predict,
  tokens,
  type LabelledText,
  type NaiveBayesParams,
} from '../../src/ai/offline/naive-bayes.ts';
import { assessSeverity, fitSeverity } from '../../src/ai/offline/severity.ts';

test('the words of a redacted case: code as a word of its own, digits folded, labels of the lines dropped', () => {
  const text =
    'title: Truck for SO0042 two hours late\ncode: LATE_TRUCK\nseverity: high\ndetails: {"order":"SO0042","contact_name":"[person]"}';
  const words = tokens(text);
  assert.ok(words.includes('code=late_truck'));
  assert.ok(words.includes('so#'));
  assert.ok(words.includes('truck') && words.includes('late'));
  for (const gone of ['title', 'code', 'severity', 'details', 'for', '0042', '[person]', 'person'])
    assert.ok(!words.includes(gone), `${gone} is not a word of the case`);
  assert.equal(new Set(words).size, words.length, 'each word once');
});

function synthetic(n: number, seed: number): LabelledText[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const classes = ['alpha', 'bravo', 'charlie'];
  return Array.from({ length: n }, () => {
    const label = classes[Math.floor(rnd() * 3)]!;
    const words: string[] = [];
    for (let i = 0; i < 4; i++) {
      // A clue of the true class 30% of the time (else of any class), always with two
      // words that go with it.
      const from = rnd() < 0.3 ? label : classes[Math.floor(rnd() * 3)]!;
      const w = `${from}${'abcdef'[Math.floor(rnd() * 6)]}`;
      words.push(w, `${w}x`, `${w}y`);
    }
    return { text: `title: ${words.join(' ')}`, label };
  });
}

/** Top-class probabilities in five bins: mean predicted against the share right. */
function reliability(params: NaiveBayesParams, set: LabelledText[]) {
  const bins = Array.from({ length: 5 }, () => ({ n: 0, p: 0, right: 0 }));
  for (const e of set) {
    const top = predict(params, e.text).ranked[0]!;
    const bin = bins[Math.min(4, Math.floor(top.p * 5))]!;
    bin.n++;
    bin.p += top.p;
    if (top.label === e.label) bin.right++;
  }
  const ece = bins.reduce(
    (sum, b) => sum + (b.n === 0 ? 0 : Math.abs(b.p - b.right) / set.length),
    0,
  );
  return { bins, ece };
}

test('calibrated probabilities track the observed frequencies within each bin', () => {
  const train = synthetic(600, 7);
  const held = synthetic(2000, 11);
  const { params, calibration } = fitCalibrated(train);
  assert.equal(calibration.folds, 5);
  assert.ok(calibration.logLossAfter! <= calibration.logLossBefore!);
  const calibrated = reliability(params, held);
  for (const b of calibrated.bins) {
    if (b.n < 50) continue;
    const gap = Math.abs(b.p / b.n - b.right / b.n);
    assert.ok(gap <= 0.08, `a bin of ${b.n}: predicted ${b.p / b.n}, right ${b.right / b.n}`);
  }
  assert.ok(calibrated.ece <= 0.05, `expected calibration error ${calibrated.ece}`);
  // The same model without its temperature is overconfident: the check above can fail.
  const raw = reliability({ ...params, temperature: 1 }, held);
  assert.ok(raw.ece > 0.1, `uncalibrated error ${raw.ece}`);
  assert.ok(params.temperature > 1, 'correlated clues: the temperature softens');
});

test('a temperature changes how sure the model is, never its ranking', () => {
  const train = synthetic(300, 3);
  const { params } = fitCalibrated(train);
  for (const e of synthetic(50, 5)) {
    const a = predict(params, e.text).ranked.map((r) => r.label);
    const b = predict({ ...params, temperature: 1 }, e.text).ranked.map((r) => r.label);
    assert.deepEqual(a, b);
  }
});

test('what the model learnt is what it was shown: each class with its examples, deterministic', () => {
  const examples = [
    { text: 'title: carton crushed', label: 'damage/customer_service' },
    { text: 'title: carton wet', label: 'damage/customer_service' },
    { text: 'title: credit limit exceeded', label: 'credit/finance' },
  ];
  const m = fit(examples);
  assert.deepEqual(m.classes, ['credit/finance', 'damage/customer_service']);
  assert.deepEqual(m.docs, [1, 2]);
  assert.deepEqual(m.words.carton, [0, 2]);
  assert.deepEqual(fit(examples), m);
  assert.equal(predict(m, 'title: carton torn').ranked[0]!.label, 'damage/customer_service');
  assert.deepEqual(predict(m, 'title: carton torn').evidence, ['carton']);
});

test('the severity head answers from 20 examples in 2 severities, and not from the case severity line', () => {
  // Cases opened with the severity they ended with, as most are.
  const examples = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      i % 2
        ? { text: 'title: credit limit exceeded\nseverity: critical', label: 'critical' }
        : { text: 'title: carton label faded\nseverity: low', label: 'low' },
    );
  // Opened low, with a word only critical cases had: the head reads the word, not the line.
  const case_ = 'title: credit\nseverity: low';
  const few = assessSeverity(fitSeverity(examples(19))!.params, case_, 0.8);
  assert.equal(few.severity, null);
  assert.match(few.why, /from 19 example\(s\) in 2 class\(es\); it answers from 20 in 2/);
  const lows = examples(40).filter((e) => e.label === 'low');
  assert.equal(
    assessSeverity(fitSeverity(lows)!.params, case_, 0.8).severity,
    null,
    'one severity',
  );
  const enough = assessSeverity(fitSeverity(examples(20))!.params, case_, 0.8);
  assert.equal(enough.severity, 'critical', enough.why);
  assert.equal(assessSeverity(undefined, case_, 0.8).severity, null, 'a model without the head');
});
