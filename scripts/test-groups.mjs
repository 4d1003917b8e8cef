// Test files that share a process (scripts/bundle-tests.mjs). A process of its own for every
// file started node, loaded its bundle and compiled PostgreSQL's WebAssembly again each time:
// about half a second of CPU a file before its first test. Files run a few to a process
// instead, one after the other, each inside a suite of its own, so that its hooks (`before`,
// `beforeEach`, `after`) stay its own and a failure is reported under its path.
// docs/decisions/0073 says why and what a file must not do to share a process.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';

/** Files a process runs, by default; TEST_GROUP_SIZE=1 gives each its own, as before. */
export const DEFAULT_GROUP_SIZE = 8;

/**
 * `files` in groups of at most `size`, in their order, and the text each grouped file is
 * bundled from (`suiteWrapped`). A file that cannot be wrapped, or asks to be alone (ALONE),
 * is a group of its own.
 */
export function groupFiles(files, size, root) {
  const groups = [];
  const wrapped = new Map();
  let open = [];
  for (const file of files) {
    const text = size > 1 ? groupable(file, readFileSync(file, 'utf8'), root) : null;
    if (text === null) {
      groups.push([file]);
      continue;
    }
    wrapped.set(file, text);
    open.push(file);
    if (open.length === size) {
      groups.push(open);
      open = [];
    }
  }
  if (open.length > 0) groups.push(open);
  return { groups, wrapped };
}

/**
 * A file that says at the start of a line `// Runs in a process of its own: <why>` does:
 * one that measures its whole process (a heap snapshot, say) must not find other files there.
 */
const ALONE = /^\/\/ Runs in a process of its own\b/m;

function groupable(file, contents, root) {
  return ALONE.test(contents) ? null : suiteWrapped(file, contents, root);
}

/**
 * The test file's text with everything after its imports inside `describe(<its path>, ...)`,
 * on the same lines (a failure's line number is the source's); null when the file has an
 * import after another statement, or an export, which a suite's body cannot hold.
 */
export function suiteWrapped(path, contents, root) {
  const source = ts.createSourceFile(path, contents, ts.ScriptTarget.Latest, false);
  let importsEnd = 0;
  let seenOther = false;
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (isImport && seenOther) return null;
    if (isImport) importsEnd = statement.end;
    else seenOther = true;
    const exported =
      ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement))
      return null;
  }
  const name = JSON.stringify(relative(root, path));
  return [
    "import { describe as __crossdockFile } from 'node:test'; ",
    contents.slice(0, importsEnd),
    ` __crossdockFile(${name}, () => {`,
    contents.slice(importsEnd),
    '\n});\n',
  ].join('');
}
