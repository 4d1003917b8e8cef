// Writes the shipped labelled sets of delay risk: deliveries of two warehouses (WH in Germany,
// LYN in France) by four carriers and the site's own vans, labelled late or on time. A seeded
// generator, so the files are the same on every run:
//   node ai/eval/generate-delay-risk.mjs
// Lateness follows the structure a real site shows, plus noise: cargoplus is late more
// often, and most of all on the WH -> Italy lane; promises for a Friday slip (the weekend
// follows); Bavarian zips (8x) from WH wait for a regional hub; bulky furniture and a busy
// warehouse add to the risk. delay-risk-train.jsonl (600 deliveries, promised January to
// September 2026) is a site's history to train on; delay-risk-cases.jsonl (300, October to
// December) is the held-out set that evaluates it.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 20261206;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(rnd() * list.length)];
const weighted = (pairs) => {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [v, w] of pairs) if ((r -= w) < 0) return v;
  return pairs[pairs.length - 1][0];
};

const carriers = [
  ['swiftpost', 4],
  ['euroline', 3],
  ['cargoplus', 2],
  ['parcelnow', 2],
  [null, 1],
];
const carrierRisk = {
  swiftpost: 0.06,
  euroline: 0.1,
  cargoplus: 0.26,
  parcelnow: 0.09,
  null: 0.05,
};
const destinations = {
  WH: [
    [['DE', () => pick(['10', '20', '30', '40', '50', '60', '70', '80', '81', '85'])], 6],
    [['AT', () => pick(['10', '40', '50'])], 1],
    [['NL', () => pick(['10', '30'])], 1],
    [['IT', () => pick(['20', '00', '40'])], 1],
    [['PL', () => pick(['00', '30'])], 1],
  ],
  LYN: [
    [['FR', () => pick(['69', '75', '13', '33', '31'])], 6],
    [['ES', () => pick(['08', '28'])], 1],
    [['IT', () => pick(['10', '20'])], 1],
    [['BE', () => pick(['10'])], 1],
  ],
};
const categories = [
  ['Furniture', 3],
  ['Office Supplies', 4],
  ['Electronics', 2],
  [null, 1],
];
const zips = {
  DE: '%s115',
  AT: '%s10',
  NL: '%s11 AB',
  IT: '%s100',
  PL: '%s-950',
  FR: '%s001',
  ES: '%s001',
  BE: '%s00',
};

function delivery(i, fromMs, toMs) {
  const warehouse = weighted([
    ['WH', 3],
    ['LYN', 2],
  ]);
  const carrier = weighted(carriers);
  const [country, zipPrefix] = weighted(destinations[warehouse]);
  const prefix = zipPrefix();
  const category = weighted(categories);
  let day = new Date(fromMs + Math.floor(rnd() * (toMs - fromMs)));
  // Promises fall on working days, a few on Saturdays.
  while (day.getUTCDay() === 0 || (day.getUTCDay() === 6 && rnd() < 0.8))
    day = new Date(day.getTime() + 86_400_000);
  const weekday = day.getUTCDay();
  const backlog = Math.floor(
    weighted([
      [4, 4],
      [18, 3],
      [40, 2],
    ]) *
      (0.5 + rnd()),
  );
  let p = carrierRisk[carrier];
  if (carrier === 'cargoplus' && warehouse === 'WH' && country === 'IT') p += 0.3;
  if (weekday === 5) p += 0.2;
  if (weekday === 6) p += 0.1;
  if (warehouse === 'WH' && country === 'DE' && prefix.startsWith('8')) p += 0.15;
  if (category === 'Furniture') p += 0.06;
  if (backlog >= 30) p += 0.14;
  else if (backlog >= 10) p += 0.04;
  const late = rnd() < Math.min(p, 0.9);
  return {
    order: `S${String(i).padStart(5, '0')}`,
    carrier,
    warehouse,
    country,
    zip: zips[country].replace('%s', prefix),
    promised: day.toISOString().slice(0, 10),
    category,
    backlog,
    late,
  };
}

const at = (iso) => Date.parse(`${iso}T00:00:00Z`);
const here = dirname(fileURLToPath(import.meta.url));
const write = (name, rows) =>
  writeFileSync(join(here, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

const train = Array.from({ length: 600 }, (_, i) =>
  delivery(1000 + i, at('2026-01-05'), at('2026-09-30')),
);
const held = Array.from({ length: 300 }, (_, i) =>
  delivery(2000 + i, at('2026-10-01'), at('2026-12-20')),
);
write('delay-risk-train.jsonl', train);
write('delay-risk-cases.jsonl', held);
console.log(
  `delay-risk-train.jsonl: ${train.length} (${train.filter((d) => d.late).length} late); ` +
    `delay-risk-cases.jsonl: ${held.length} (${held.filter((d) => d.late).length} late)`,
);
