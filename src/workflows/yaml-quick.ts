import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml';

/**
 * A definition file's YAML read by a faster parser, for the common case of a file that is
 * valid: js-yaml read the shipped packs' 59 files in about a quarter of the CPU `yaml` took in a
 * fresh process (150 against 550 ms), and every start reads them (docs/decisions/0068).
 *
 * `yaml` stays the parser of record: it reports each problem with its line, and whatever this
 * function cannot vouch for goes to it. The answer here is either exactly what `yaml`'s
 * `parseDocument(text).toJS()` gives, or `undefined`: a syntax error, more than one document,
 * a tag, a directive, a collection as a key, or an alias of a collection all send the file to
 * `yaml`. Scalars resolve by YAML 1.2's core schema with `yaml`'s own patterns and conversions.
 * test/unit/yaml-quick.test.ts holds the two to the same answers.
 */
export function quickYaml(text: string): unknown {
  const bare = structure(text);
  if (OUTSIDE_THE_FAST_PATH.some((pattern) => pattern.test(bare))) return undefined;
  let value: unknown;
  try {
    value = load(text, { schema: CORE, json: false });
  } catch {
    return undefined;
  }
  return value === undefined || sharesCollections(value) ? undefined : value;
}

/**
 * The text the patterns below look at: without quoted strings, comments and the lines of block
 * scalars (`|`, `>`), where an expression's `cond ? [...] : [...]` is text, not a key. A
 * pattern that matches what is not structure only sends the file to `yaml`.
 */
function structure(text: string): string {
  const kept: string[] = [];
  let blockAbove = -1; // while >= 0, lines indented deeper than this belong to a block scalar
  for (const raw of text.split('\n')) {
    const indent = /^[ \t]*(?:-[ \t]+)*/.exec(raw)![0].length;
    if (blockAbove >= 0) {
      if (raw.trim() === '' || indent > blockAbove) continue;
      blockAbove = -1;
    }
    const line = raw.replace(QUOTED, '""').replace(COMMENT, '$1');
    if (BLOCK_SCALAR.test(line)) blockAbove = indent;
    kept.push(line);
  }
  return kept.join('\n');
}

const BLOCK_SCALAR = /(?:^|[\s:-])[|>][-+0-9]*[ \t]*$/;
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'/g;
const COMMENT = /(^|[ \t])#.*$/gm;
const OUTSIDE_THE_FAST_PATH = [
  /(?:^|[\s[{,:])!(?!=)/m, // a tag (`!!int`, `!local`, `!<...>`); `!=` is an expression's operator
  /^%/m, // a directive (`%YAML 1.1` changes what plain scalars mean)
  /^[ \t]*(?:-[ \t]+)*\?(?:[ \t]|$)/m, // an explicit key (`? [a, b]`)
  /^[ \t]*(?:-[ \t]+)*[[{].*[\]}][ \t]*:(?:[ \t]|$)/m, // a collection as a key (`[a, b]: c`)
  /[[{,][ \t]*[[{][^\n]*[\]}][ \t]*:/, // a collection as a key inside a flow collection
];

/** An alias of a collection: `yaml` counts them (a document of nested aliases can grow without end). */
function sharesCollections(root: unknown): boolean {
  const seen = new Set<object>();
  const visit = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (seen.has(value)) return true;
    seen.add(value);
    return Object.values(value).some(visit);
  };
  return visit(root);
}

// YAML 1.2's core schema as `yaml` (2.x) resolves it: the same patterns, the same conversions.
// Each pattern is a type of its own (js-yaml keeps one type per tag); their tags are never
// written, since a file with a tag does not come here.
const scalar = (name: string, test: RegExp, construct: (text: string) => unknown) =>
  new Type(`tag:crossdock.quick-yaml:${name}`, {
    kind: 'scalar',
    resolve: (text: string | null) => test.test(text ?? ''),
    construct: (text: string | null) => construct(text ?? ''),
  });

const CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int-octal', /^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)),
    scalar('int', /^[-+]?[0-9]+$/, (s) => parseInt(s, 10)),
    scalar('int-hex', /^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)),
    scalar('float-special', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) =>
      s.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : s[0] === '-'
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY,
    ),
    scalar('float-exponent', /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat),
    scalar('float', /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat),
  ],
});
