/**
 * The error registry (ERROR_CODES, src/errors/codes.ts) and docs/error-codes.md /
 * docs/error-codes-odoo.md say the same: every registry code has a row with its category,
 * retryability and HTTP status, and every row of an error is a registry code.
 *
 * `new CrossdockError(code, ...)` takes only a registry code (typechecked), so what can be
 * raised without the registry knowing is what is not a CrossdockError's code: the code of
 * an exception case or warning, a webhook verdict. Those are found in the source text as
 * UPPER_SNAKE string literals where a code is named, and must be documented too:
 *  - the first argument of `new CrossdockError(...)` (every literal in it: ternaries name two);
 *  - an object property `code: 'X'` or `code: x ?? 'X'`;
 *  - `const code = ...'X'...` (a code chosen before it is raised);
 *  - a registry entry `X: { category: ... }`.
 * Codes of someone else's choosing (CrossdockError.foreign) are raised only where FOREIGN says.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, isErrorCode } from '../../src/errors/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const LITERAL = /'([A-Z][A-Z0-9_]*)'/g;

/** Where a code of someone else's choosing is raised, and whose it is. */
const FOREIGN: Record<string, string> = {
  'src/engine/steps/control.ts': "the `fail` step: the workflow author's code",
  'src/cli/operations.ts': 'the CLI: a code a newer Crossdock answered that this one does not know',
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

function raisedCodes(): Site[] {
  const sites: Site[] = [];
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, path);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/new CrossdockError\(/g)) {
      const arg = firstArgument(text, m.index + m[0].length - 1);
      for (const l of arg.matchAll(LITERAL))
        if (CODE.test(l[1]!))
          sites.push({ code: l[1]!, where: `${file}:${lineOf(text, m.index)}` });
    }
    collect(/\bcode: (?:[\w.]+ \?\? )?'([A-Z][A-Z0-9_]*)'/g, text, file, sites);
    for (const m of text.matchAll(/\bconst code = ([^;]*);/g)) {
      for (const l of m[1]!.matchAll(LITERAL))
        if (CODE.test(l[1]!))
          sites.push({ code: l[1]!, where: `${file}:${lineOf(text, m.index)}` });
    }
    collect(/^\s+([A-Z][A-Z0-9_]*): \{ category: /gm, text, file, sites);
  }
  return sites;
}

function foreignSites(): string[] {
  return sourceFiles(join(ROOT, 'src')).flatMap((path) => {
    const file = relative(ROOT, path);
    const text = readFileSync(path, 'utf8');
    return [...text.matchAll(/CrossdockError\.foreign\(/g)].map(
      (m) => `${file}:${lineOf(text, m.index)}`,
    );
  });
}

interface DocRow {
  status: string | undefined;
  category: string | undefined;
  retryable: string | undefined;
  file: string;
}

/** Table rows whose first cell holds codes in backticks; several codes may share a row. */
function documentedCodes(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const name of ['docs/error-codes.md', 'docs/error-codes-odoo.md']) {
    let columns: string[] = [];
    for (const line of readFileSync(join(ROOT, name), 'utf8').split('\n')) {
      if (!line.startsWith('|')) continue;
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      if (cells[0] === 'code') {
        columns = cells;
        continue;
      }
      const cell = (column: string) =>
        columns.includes(column) ? cells[columns.indexOf(column)] : undefined;
      for (const m of (cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
        rows.set(m[1]!, {
          status: cell('HTTP'),
          category: cell('category'),
          retryable: cell('retryable'),
          file: name,
        });
      }
    }
  }
  return rows;
}

const statusesIn = (cell: string): number[] =>
  [...cell.matchAll(/\b([1-5]\d\d)\b/g)].map((m) => Number(m[1]));

test('every code of the registry is documented with its category, retryability and HTTP status', () => {
  const documented = documentedCodes();
  const wrong: string[] = [];
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const row = documented.get(code);
    if (!row) {
      wrong.push(`${code}: not documented (add a table row \`| \\\`${code}\\\` |\`)`);
      continue;
    }
    if (row.category !== spec.category)
      wrong.push(`${code}: category ${spec.category}, documented "${row.category}"`);
    if (row.retryable?.split(' ')[0] !== (spec.retryable ? 'yes' : 'no'))
      wrong.push(`${code}: retryable ${spec.retryable}, documented "${row.retryable}"`);
    // "-": the code never reaches the API as an answer (a step's failure, a CLI refusal).
    if (
      row.status !== undefined &&
      row.status !== '-' &&
      !statusesIn(row.status).includes(spec.httpStatus)
    )
      wrong.push(`${code}: answered ${spec.httpStatus}, documented "${row.status}"`);
  }
  assert.ok(Object.keys(ERROR_CODES).length > 150, 'the registry lost its codes');
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

test('every documented error is a code of the registry', () => {
  const stale = [...documentedCodes()]
    .filter(([code, row]) => row.category !== '-' && !isErrorCode(code))
    .map(([code, row]) => `${code} (${row.file})`);
  assert.deepEqual(
    stale,
    [],
    `documented as an error but not in ERROR_CODES (src/errors/codes.ts): nothing can raise them:\n${stale.join('\n')}`,
  );
});

test('every error code named in src is documented in docs/error-codes.md or docs/error-codes-odoo.md', () => {
  const sites = raisedCodes();
  const documented = documentedCodes();
  const codes = new Set(sites.map((s) => s.code));
  assert.ok(
    codes.size > 150,
    `only ${codes.size} codes found in src: the scan no longer sees how codes are raised`,
  );
  const missing = sites.filter((s) => !documented.has(s.code));
  const report = [...new Set(missing.map((s) => s.code))].sort().map(
    (code) =>
      `${code} (${missing
        .filter((s) => s.code === code)
        .map((s) => s.where)
        .join(', ')})`,
  );
  assert.deepEqual(
    report,
    [],
    `${report.length} of ${codes.size} codes named in src are not documented:\n${report.join('\n')}`,
  );
});

test('codes outside the registry are raised only where FOREIGN says whose they are', () => {
  const unexpected = foreignSites().filter((site) => !(site.split(':')[0]! in FOREIGN));
  assert.deepEqual(
    unexpected,
    [],
    `CrossdockError.foreign outside ${Object.keys(FOREIGN).join(', ')}: use a registry code, or say here whose code it is`,
  );
  for (const file of Object.keys(FOREIGN))
    assert.ok(
      foreignSites().some((site) => site.startsWith(`${file}:`)),
      `${file} raises no foreign code any more; remove it from FOREIGN`,
    );
});
