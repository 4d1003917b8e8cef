/**
 * Every error code Crossdock raises from src/ is a row of docs/error-codes.md or
 * docs/error-codes-odoo.md, and every code the API maps to an HTTP status (STATUS_BY_CODE in
 * src/api/errors.ts) is documented with that status.
 *
 * A code is an UPPER_SNAKE string literal in a place that names an error code:
 *  - the first argument of `new CrossdockError(...)` (every literal in it: ternaries name two);
 *  - an object property `code: 'X'` or `code: x ?? 'X'` (webhook verdicts, the Odoo rule table, JSON problems,
 *    the code of an exception case or warning, a code given to a helper);
 *  - `const code = ...'X'...` (a code chosen before it is raised);
 *  - a registry entry `X: { category: ... }` (carrier and Odoo codes);
 *  - the codes of the few helpers that take the code as a variable, listed in FORWARDERS.
 * A `new CrossdockError(<variable>, ...)` outside FORWARDERS fails this test: a new helper
 * must say where its codes come from, so none escapes the check.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const LITERAL = /'([A-Z][A-Z0-9_]*)'/g;

/** Files that pass a variable to `new CrossdockError`, and the literals that variable can hold. */
const FORWARDERS: Record<string, RegExp | 'not-ours'> = {
  // const user = (code, ...) => new CrossdockError(code, ...); called as user('X', ...)
  'src/exceptions/model.ts': /\buser\(\s*'([A-Z][A-Z0-9_]*)'/g,
  // sodError: a table of [code, message] tuples
  'src/approvals/model.ts': /\[\s*'([A-Z][A-Z0-9_]*)',/g,
  // fault(code): StoreFaultCode's values
  'src/store/faults.ts': /^\s+\w+: '([A-Z][A-Z0-9_]*)',$/gm,
  // carrierError(code): keys of CARRIER_ERROR_CODES (a registry entry, read by the rule below)
  'src/connectors/carriers/errors.ts': /\bcarrierError\(\s*'([A-Z][A-Z0-9_]*)'/g,
  // mapOdooFailure: the codes odooErrorCodeOf returns (rule table and transport failures)
  'src/connectors/odoo/error-map.ts': /return (?:[^;\n]*\?\? )?'([A-Z][A-Z0-9_]*)'/g,
  // the code chosen by `const code = ...`, read by the rule below
  'src/connectors/http/errors.ts': /$^/g,
  // a verdict's or a problem's `code: 'X'`, read by the rule below
  'src/store/storable-json.ts': /$^/g,
  'src/connectors/carriers/webhooks.ts': /$^/g,
  'src/triggers/ingress.ts': /$^/g,
  // the `fail` step: the workflow author's code, or the default Crossdock gives it
  'src/engine/steps/control.ts': /\.default\('([A-Z][A-Z0-9_]*)'\)/g,
  // the CLI re-raises the code an API answer carried (raised, and checked, where the server raised it)
  'src/cli/operations.ts': 'not-ours',
};

interface Site {
  code: string;
  where: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') || entry.name.endsWith('.tsx') ? [path] : [];
  });
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The text of the first argument of the call whose `(` is at `open`: up to its first top-level comma. */
function firstArgument(text: string, open: number): string {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(open + 1, i);
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function collect(pattern: RegExp, text: string, file: string, out: Site[], group = 1): void {
  for (const m of text.matchAll(pattern)) {
    const code = m[group]!;
    if (CODE.test(code)) out.push({ code, where: `${file}:${lineOf(text, m.index)}` });
  }
}

function raisedCodes(): { sites: Site[]; unlistedForwarders: string[] } {
  const sites: Site[] = [];
  const forwarding = new Set<string>();
  const unlistedForwarders: string[] = [];
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, path);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/new CrossdockError\(/g)) {
      const open = m.index + m[0].length - 1;
      const arg = firstArgument(text, open);
      const literals = [...arg.matchAll(LITERAL)].map((l) => l[1]!).filter((c) => CODE.test(c));
      for (const code of literals) sites.push({ code, where: `${file}:${lineOf(text, m.index)}` });
      if (literals.length === 0) {
        forwarding.add(file);
        if (!(file in FORWARDERS)) unlistedForwarders.push(`${file}:${lineOf(text, m.index)}: new CrossdockError(${arg.trim()}, ...)`);
      }
    }
    collect(/\bcode: (?:[\w.]+ \?\? )?'([A-Z][A-Z0-9_]*)'/g, text, file, sites);
    for (const m of text.matchAll(/\bconst code = ([^;]*);/g)) {
      for (const l of m[1]!.matchAll(LITERAL)) if (CODE.test(l[1]!)) sites.push({ code: l[1]!, where: `${file}:${lineOf(text, m.index)}` });
    }
    collect(/^\s+([A-Z][A-Z0-9_]*): \{ category: /gm, text, file, sites);
    const forwarded = FORWARDERS[file];
    if (forwarded instanceof RegExp) collect(forwarded, text, file, sites);
  }
  for (const file of Object.keys(FORWARDERS)) {
    if (!forwarding.has(file)) unlistedForwarders.push(`${file}: listed in FORWARDERS but passes no variable code any more; remove it`);
  }
  return { sites, unlistedForwarders };
}

interface DocRow {
  status: string | undefined;
  category: string | undefined;
}

/** Table rows whose first cell holds codes in backticks; several codes may share a row. */
function documentedCodes(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const name of ['docs/error-codes.md', 'docs/error-codes-odoo.md']) {
    let columns: string[] = [];
    for (const line of readFileSync(join(ROOT, name), 'utf8').split('\n')) {
      if (!line.startsWith('|')) continue;
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      if (cells[0] === 'code') {
        columns = cells;
        continue;
      }
      const statusAt = columns.indexOf('HTTP');
      const categoryAt = columns.indexOf('category');
      for (const m of (cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
        rows.set(m[1]!, { status: statusAt < 0 ? undefined : cells[statusAt], category: categoryAt < 0 ? undefined : cells[categoryAt] });
      }
    }
  }
  return rows;
}

/** STATUS_BY_CODE as written in src/api/errors.ts (the module keeps it private). */
function statusByCode(): Map<string, number> {
  const text = readFileSync(join(ROOT, 'src/api/errors.ts'), 'utf8');
  const body = /const STATUS_BY_CODE[^=]*= \{([^}]*)\}/.exec(text)?.[1];
  assert.ok(body, 'STATUS_BY_CODE not found in src/api/errors.ts');
  return new Map([...body.matchAll(/^\s*([A-Z][A-Z0-9_]*): (\d{3}),/gm)].map((m) => [m[1]!, Number(m[2])]));
}

const DEFAULT_STATUS: Record<string, number> = { user: 400, policy: 422, transient: 503, bug: 500 };
const statusesIn = (cell: string): number[] => [...cell.matchAll(/\b([1-5]\d\d)\b/g)].map((m) => Number(m[1]));

test('every code a helper raises from a variable says where its codes come from', () => {
  const { unlistedForwarders } = raisedCodes();
  assert.deepEqual(unlistedForwarders, [], `List these in FORWARDERS with the pattern of the codes they can raise:\n${unlistedForwarders.join('\n')}`);
});

test('every error code raised in src is documented in docs/error-codes.md or docs/error-codes-odoo.md', () => {
  const { sites } = raisedCodes();
  const documented = documentedCodes();
  const codes = new Set(sites.map((s) => s.code));
  assert.ok(codes.size > 150, `only ${codes.size} codes found in src: the scan no longer sees how codes are raised`);
  const missing = sites.filter((s) => !documented.has(s.code));
  const report = [...new Set(missing.map((s) => s.code))].sort().map((code) => `${code} (${missing.filter((s) => s.code === code).map((s) => s.where).join(', ')})`);
  assert.deepEqual(report, [], `${report.length} of ${codes.size} codes raised in src are not documented (add a table row \`| \\\`CODE\\\` |\`):\n${report.join('\n')}`);
});

test('every code of STATUS_BY_CODE is documented with the HTTP status the API answers', () => {
  const documented = documentedCodes();
  const statuses = statusByCode();
  assert.ok(statuses.size > 40, `only ${statuses.size} entries read from STATUS_BY_CODE`);
  const wrong: string[] = [];
  for (const [code, status] of statuses) {
    const row = documented.get(code);
    if (!row) wrong.push(`${code}: answered ${status}, not documented`);
    else if (row.status !== undefined && !statusesIn(row.status).includes(status)) wrong.push(`${code}: answered ${status}, documented "${row.status}"`);
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

test('a documented status of a code outside STATUS_BY_CODE is the one its category gives', () => {
  const statuses = statusByCode();
  const wrong: string[] = [];
  for (const [code, row] of documentedCodes()) {
    if (statuses.has(code) || row.status === undefined || row.category === undefined) continue;
    const given = statusesIn(row.status);
    const expected = DEFAULT_STATUS[row.category];
    if (given.length > 0 && expected !== undefined && !given.includes(expected)) wrong.push(`${code}: documented "${row.status}", its category ${row.category} answers ${expected}`);
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});
