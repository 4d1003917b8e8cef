// Lint: the dependency rules between folders (docs/ARCHITECTURE.md, "Code map") and the
// typescript-eslint rules that catch real bugs. Formatting is Prettier's (.prettierrc.json);
// no rule here is about layout. Decision: docs/decisions/0033-lint-and-format.md.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Each folder of src/ (and main.ts), with the folders it may import ('above': all listed
 * before it). A folder may import only folders listed before it, so the graph between
 * folders has no cycle by construction (checked below). `core` is what every capability
 * may use. docs/ARCHITECTURE.md ("Code map") says the same in prose.
 */
const core = ['install-root.ts', 'errors', 'store', 'workflows', 'observability', 'engine'];
const LAYERS = [
  // Where the installed files (migrations, packs, the built dashboard) are, from sources or dist/.
  ['install-root.ts', []],
  ['errors', []],
  ['store', ['install-root.ts', 'errors']],
  ['workflows', ['errors']],
  ['observability', ['errors', 'store']],
  ['secrets', ['errors', 'store']],
  ['config', ['errors', 'store']],
  ['state', ['errors', 'store']],
  // The engine imports no capability: it defines the ports (StepType, stores) they implement.
  ['engine', ['errors', 'store', 'workflows', 'observability']],
  ['auth', [...core, 'secrets']],
  ['audit', core],
  ['policies', core],
  ['triggers', [...core, 'secrets']],
  ['approvals', [...core, 'audit', 'auth']],
  ['exceptions', [...core, 'audit', 'approvals']],
  ['notify', [...core, 'config', 'approvals']],
  ['operations', [...core, 'approvals', 'exceptions']],
  ['connectors/http', core],
  // OpenAI-compatible providers: the chat client, its error map and settings.
  ['connectors/ai', [...core, 'connectors/http']],
  ['connectors/carriers', [...core, 'connectors/http', 'triggers']],
  ['connectors/odoo', [...core, 'connectors/http', 'approvals', 'triggers']],
  // The X12 codec: pure, no store, no I/O.
  ['edi', ['errors']],
  ['connectors/edi', [...core, 'triggers', 'edi']],
  // AI behind confidence gates: redaction, the recommendation log, ai.classify, reviews.
  ['ai', [...core, 'audit', 'exceptions', 'connectors/ai']],
  ['connectors/shop', [...core, 'triggers']],
  // Inbound e-mail: the SMTP endpoint, the IMAP poller, the message reader, the attachments'
  // table (secrets: the name rule of an IMAP mailbox's password_secret).
  ['connectors/mail', [...core, 'secrets']],
  [
    'api',
    [
      ...core,
      'secrets',
      'auth',
      'audit',
      'policies',
      'triggers',
      'approvals',
      'exceptions',
      'notify',
      'ai',
    ],
  ],
  // The composition root's parts: step registries, keyring, API services, starting an instance.
  ['instance', 'above'],
  // The composition root: wires every folder above into one instance and starts it.
  ['main.ts', 'above'],
  // The demo on the simulators; it starts an instance as `crossdock start` does.
  ['demo', [...core, 'config', 'auth', 'approvals', 'connectors/odoo', 'main.ts']],
  // Argument parsing; `crossdock demo` and `crossdock sim` load the demo when they run.
  ['cli', 'above'],
];

/** The only file in src/ that may import sim/: the demo's door to the simulators. */
const SIM_DOOR = 'src/demo/simulators.ts';

const root = import.meta.dirname;
const names = LAYERS.map(([name]) => name);
const pathOf = (name) => `./src/${name}`;
const zones = LAYERS.map(([name, allowed], index) => {
  const above = names.slice(0, index);
  const may = allowed === 'above' ? above : allowed;
  const late = may.filter((m) => !above.includes(m));
  if (late.length > 0) {
    throw new Error(
      `eslint.config.js: ${name} may import only what is listed before it, not ${late}`,
    );
  }
  const mayNot = names.filter((other) => other !== name && !may.includes(other));
  return {
    target: pathOf(name),
    from: mayNot.map(pathOf),
    message:
      may.length <= mayNot.length
        ? `${name} may import only ${may.join(', ') || 'nothing else in src'} (docs/ARCHITECTURE.md).`
        : `${name} may not import ${mayNot.join(', ')} (docs/ARCHITECTURE.md).`,
  };
});

// A new folder in src/ takes its place in LAYERS (and in docs/ARCHITECTURE.md) before it lints.
const mapped = new Set(names.map((name) => name.split('/')[0]));
const unmapped = readdirSync(join(root, 'src')).filter((entry) => !mapped.has(entry));
const unmappedConnectors = readdirSync(join(root, 'src/connectors')).filter(
  (entry) => !names.includes(`connectors/${entry}`),
);
if (unmapped.length + unmappedConnectors.length > 0) {
  throw new Error(
    `eslint.config.js: add ${[...unmapped, ...unmappedConnectors.map((c) => `connectors/${c}`)]} to LAYERS`,
  );
}

const outsideSrc = {
  target: './src',
  from: ['./test', './bench', './scripts', './dashboard'],
  message: 'src/ never imports tests, benchmarks, scripts or the dashboard.',
};
const simFromSrc = {
  target: './src',
  from: './sim',
  message: `src/ reaches the simulators only through ${SIM_DOOR}.`,
};
const restrictedPaths = (extra) => [
  'error',
  {
    basePath: root,
    zones: [...zones.filter((zone) => zone.from.length > 0), outsideSrc, ...extra],
  },
];

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', 'scratch/', '.crossdock/', 'docs/screenshots/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Imports name their files (`./x.ts`), so Node's resolution finds them as written.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] }),
      ],
      // no-cycle reads the imported files too: with the TypeScript parser, or it sees no imports.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      // `any` remains at a few typed seams (step-type registries, the database handle);
      // removing it there is a change of types of its own, not a lint fix (decision 0033).
      '@typescript-eslint/no-explicit-any': 'off',
      // `_name` says "deliberately unused" (a discarded tuple member, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `ok ? a() : b()` and `x && f()` as statements are calls, not forgotten expressions.
      '@typescript-eslint/no-unused-expressions': [
        'error',
        { allowShortCircuit: true, allowTernary: true },
      ],
      // A `let` that closures read before its one assignment (wiring that refers to itself).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A cycle between files: one of them sees the other half-initialised at load time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    // Tests match the command line's aligned columns literally (`/user: ok  the API key/`).
    files: ['test/**/*.ts'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': restrictedPaths([simFromSrc]),
      // `typeof import('...')` is not seen by the rule above: import the type by name.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSImportType',
          message: 'Import the type by name, so the import rules see it.',
        },
      ],
    },
  },
  {
    files: [SIM_DOOR],
    rules: { 'import-x/no-restricted-paths': restrictedPaths([]) },
  },
  {
    files: ['sim/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            {
              target: './sim',
              from: ['./src', './test', './bench', './dashboard'],
              message:
                'The simulators stand alone: they model Odoo and the carriers, not Crossdock.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dashboard/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            {
              target: './dashboard/src',
              from: ['./src', './sim', './test', './bench'],
              message: 'The dashboard talks only to the REST API.',
            },
          ],
        },
      ],
    },
  },
);
