/**
 * The built-in offline classifier: a multinomial naive Bayes over the words of a case's
 * redacted text (each word counted once per case), with Laplace smoothing, and its
 * probabilities calibrated by one temperature fitted on out-of-fold predictions
 * (docs/decisions/0049-offline-triage-model.md). Pure: no store, no clock, no randomness;
 * the same examples in the same order give the same model. What a word is belongs to the use:
 * triage reads words of a case (`tokens`), delay risk its features (`featureTokens`); the same
 * tokenizer must train and predict.
 */

/** The words of an example; each counted once. */
export type Tokenizer = (text: string) => string[];

/** Features written one a line (`carrier=dhl`): each line is a word of its own. */
export const featureTokens: Tokenizer = (text) => [
  ...new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  ),
];

export interface LabelledText {
  text: string;
  label: string;
}

export interface NaiveBayesParams {
  classes: string[];
  /** Examples per class (the priors). */
  docs: number[];
  /** Word occurrences per class (each word once per example). */
  totals: number[];
  /** word -> occurrences per class, in the order of `classes`. */
  words: Record<string, number[]>;
  alpha: number;
  /** Divides the log-probabilities before they are normalised; 1 = uncalibrated. */
  temperature: number;
}

export interface Prediction {
  /** Calibrated probability per class, summing to 1, highest first. */
  ranked: { label: string; p: number }[];
  /** The known words of the input that pull most towards the top class. */
  evidence: string[];
}

const STOP = new Set(
  'the a an of for to in on at by and or is are was be been it its this that with from as not no has have had but our we (none) none'.split(
    ' ',
  ),
);

/**
 * Words of a redacted case: lower case, letters and digits; digit runs become `#` (order
 * numbers and dates say nothing of the class, their shape may); the `code:` line's value is
 * a word of its own. Placeholders of removed personal data ([person], [email]) are dropped:
 * that a person was named says nothing of what went wrong.
 */
export function tokens(text: string): string[] {
  const out = new Set<string>();
  const code = /^code: (.+)$/m.exec(text)?.[1]?.trim();
  if (code && code !== '(none)') out.add(`code=${code.toLowerCase()}`);
  for (const raw of text
    .toLowerCase()
    .replace(/\[[a-z]+\]/g, ' ')
    .match(/[a-z0-9_]+/g) ?? []) {
    const word = raw.replace(/\d+/g, '#');
    if (word.length < 2 || STOP.has(word) || /^[#_]+$/.test(word)) continue;
    if (word === 'title' || word === 'code' || word === 'severity' || word === 'details') continue;
    out.add(word);
  }
  return [...out];
}

export function fit(
  examples: LabelledText[],
  alpha = 1,
  tokenize: Tokenizer = tokens,
): NaiveBayesParams {
  const classes = [...new Set(examples.map((e) => e.label))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const docs = classes.map(() => 0);
  const totals = classes.map(() => 0);
  const words: Record<string, number[]> = {};
  for (const e of examples) {
    const c = index.get(e.label)!;
    docs[c]!++;
    for (const w of tokenize(e.text)) {
      (words[w] ??= classes.map(() => 0))[c]!++;
      totals[c]!++;
    }
  }
  return { classes, docs, totals, words, alpha, temperature: 1 };
}

/** Log-score per class (unnormalised) and each known word's pull towards each class. */
function scores(
  m: NaiveBayesParams,
  text: string,
  tokenize: Tokenizer,
): { logits: number[]; known: string[] } {
  const vocabulary = Object.keys(m.words).length;
  const n = m.docs.reduce((a, b) => a + b, 0);
  const logits = m.classes.map((_, c) =>
    Math.log((m.docs[c]! + m.alpha) / (n + m.alpha * m.classes.length)),
  );
  const known: string[] = [];
  for (const w of tokenize(text)) {
    const counts = m.words[w];
    if (!counts) continue;
    known.push(w);
    for (let c = 0; c < m.classes.length; c++)
      logits[c]! += Math.log((counts[c]! + m.alpha) / (m.totals[c]! + m.alpha * vocabulary));
  }
  return { logits, known };
}

function softmax(logits: number[], temperature: number): number[] {
  const scaled = logits.map((l) => l / temperature);
  const max = Math.max(...scaled);
  const exp = scaled.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/**
 * The calibrated probabilities and the evidence: the known words pulling most towards
 * `towards` (default the top class), e.g. a delay-risk order's reasons for `late` whichever
 * class wins.
 */
export function predict(
  m: NaiveBayesParams,
  text: string,
  options: { tokenize?: Tokenizer; towards?: string } = {},
): Prediction {
  const { logits, known } = scores(m, text, options.tokenize ?? tokens);
  const p = softmax(logits, m.temperature);
  const ranked = m.classes
    .map((label, i) => ({ label, p: p[i]! }))
    .sort((a, b) => b.p - a.p || a.label.localeCompare(b.label));
  const top = m.classes.indexOf(options.towards ?? ranked[0]!.label);
  const pull = (w: string) => {
    const counts = m.words[w]!;
    const share = (c: number) => (counts[c]! + m.alpha) / (m.totals[c]! + m.alpha);
    const others = m.classes.map((_, c) => (c === top ? 0 : share(c)));
    return Math.log(share(top)) - Math.log(Math.max(...others, 1e-12));
  };
  const evidence = known
    .map((w) => ({ w, pull: pull(w) }))
    .filter((x) => x.pull > 0)
    .sort((a, b) => b.pull - a.pull || a.w.localeCompare(b.w))
    .slice(0, 5)
    .map((x) => x.w);
  return { ranked, evidence };
}

export interface Calibrated {
  params: NaiveBayesParams;
  calibration: {
    method: 'temperature';
    temperature: number;
    folds: number;
    /** Mean negative log-likelihood of the true class on the out-of-fold predictions. */
    logLossBefore: number | null;
    logLossAfter: number | null;
  };
}

/**
 * Fits the model on all examples and its temperature on out-of-fold predictions: each
 * example is predicted by a model that did not see it (k folds, example i in fold i mod k),
 * and the temperature minimising the log loss of those predictions is kept. A temperature
 * changes no ranking, only how sure the model says it is.
 */
export function fitCalibrated(
  examples: LabelledText[],
  folds = 5,
  alpha = 1,
  tokenize: Tokenizer = tokens,
): Calibrated {
  const params = fit(examples, alpha, tokenize);
  const k = Math.min(folds, examples.length);
  const held: { logits: number[]; truth: number }[] = [];
  if (params.classes.length >= 2 && k >= 2) {
    for (let f = 0; f < k; f++) {
      const train = examples.filter((_, i) => i % k !== f);
      const model = fit(train, alpha, tokenize);
      examples.forEach((e, i) => {
        if (i % k !== f) return;
        const { logits } = scores(model, e.text, tokenize);
        // A class the fold never saw: its log-score is the floor (the model cannot name it).
        const full = params.classes.map((c) => {
          const j = model.classes.indexOf(c);
          return j < 0 ? Math.min(...logits) - 50 : logits[j]!;
        });
        held.push({ logits: full, truth: params.classes.indexOf(e.label) });
      });
    }
  }
  if (held.length === 0)
    return {
      params,
      calibration: {
        method: 'temperature',
        temperature: 1,
        folds: 0,
        logLossBefore: null,
        logLossAfter: null,
      },
    };
  const loss = (t: number) =>
    held.reduce((sum, h) => sum - Math.log(Math.max(softmax(h.logits, t)[h.truth]!, 1e-12)), 0) /
    held.length;
  const temperature = goldenMinimum((logT) => loss(Math.exp(logT)), Math.log(0.05), Math.log(50));
  const t = Math.exp(temperature);
  return {
    params: { ...params, temperature: t },
    calibration: {
      method: 'temperature',
      temperature: t,
      folds: k,
      logLossBefore: loss(1),
      logLossAfter: loss(t),
    },
  };
}

/** The minimum of a unimodal function on [a, b] by golden-section search. */
function goldenMinimum(f: (x: number) => number, a: number, b: number, steps = 60): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < steps; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
