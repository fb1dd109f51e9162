// Typed ESLint for every workspace. Rules stay close to typescript-eslint's
// recommended-type-checked set; the few relaxations are explained inline.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------
// Every workspace declares what it imports. A package that is only hoisted
// from another workspace works until that workspace drops it; this rule says
// so at lint time. The root's devDependencies (vitest, fast-check, ...) are the
// repository's tooling and count as declared everywhere.
const WORKSPACES = ['packages/shared', 'apps/agent', 'apps/web', 'e2e'];
const readPackage = (dir) => JSON.parse(readFileSync(join(import.meta.dirname, dir, 'package.json'), 'utf8'));
const declaredIn = (pkg) => new Set(['dependencies', 'devDependencies', 'peerDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {})));
const repoTooling = declaredIn(readPackage('.'));
const workspaces = new Map(
  WORKSPACES.map((dir) => {
    const pkg = readPackage(dir);
    return [dir, { name: pkg.name, declared: declaredIn(pkg) }];
  }),
);
const builtins = new Set(builtinModules);

/** 'zod' -> 'zod', '@trpc/server/x' -> '@trpc/server'; null for relative paths and node: built-ins. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const declaredImports = {
  meta: {
    type: 'problem',
    docs: { description: "A workspace imports only packages its package.json (or the root's tooling) declares." },
    messages: { undeclared: "'{{name}}' is imported but {{workspace}}/package.json does not declare it (it works only by hoisting)" },
    schema: [],
  },
  create(context) {
    const file = relative(import.meta.dirname, context.filename)
      .split(sep)
      .join('/');
    const workspace = WORKSPACES.find((dir) => file.startsWith(`${dir}/`));
    if (!workspace) return {};
    const { name: own, declared } = workspaces.get(workspace);
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const name = packageOf(source.value);
      if (!name || name === own || builtins.has(name) || declared.has(name) || repoTooling.has(name)) return;
      context.report({ node: source, messageId: 'undeclared', data: { name, workspace } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
// ---------------------------------------------------------------------------
// Features keep their internals. A feature (apps/web/src/features/NAME/) may
// import from another feature only the modules that feature offers to others,
// listed here: a new cross-feature import is a decision made in this file, not
// a reach into another feature's private parts.
const FEATURE_API = {
  changes: ['apply-with-preview', 'confirm-edit', 'plan-view', 'use-drift'],
  connections: ['connections-view'],
  health: ['use-health-status', 'health-cells', 'drain-controls', 'health-editor'],
  realservers: ['use-real-server-reports', 'real-server-reports', 'host-problems', 'real-server-setup', 'host-messages'],
  schedulers: ['predict', 'catalog', 'scheduler-picker'],
  sim: ['use-sim-status'],
  stats: ['use-live-rates', 'rates', 'watch-view'],
  topology: ['layout', 'topology-diagram'],
  weights: ['share-math', 'real-servers-table', 'forwarding', 'forwarding-field', 'add-destination-form'],
};
const FEATURES_DIR = 'apps/web/src/features/';

const featureInternals = {
  meta: {
    type: 'problem',
    docs: { description: 'A web feature imports from another feature only the modules FEATURE_API lists for it.' },
    messages: {
      internal:
        "features/{{from}} imports '{{module}}', an internal module of features/{{to}} (offered to other features: {{offered}}); add it to FEATURE_API in eslint.config.js if it is meant to be shared",
    },
    schema: [],
  },
  create(context) {
    const file = relative(import.meta.dirname, context.filename)
      .split(sep)
      .join('/');
    if (!file.startsWith(FEATURES_DIR)) return {};
    const from = file.slice(FEATURES_DIR.length).split('/')[0];
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(import.meta.dirname, join(dirname(context.filename), source.value))
        .split(sep)
        .join('/');
      if (!target.startsWith(FEATURES_DIR)) return;
      const [to, ...rest] = target.slice(FEATURES_DIR.length).split('/');
      if (!to || to === from) return;
      const module = rest.join('/');
      const offered = FEATURE_API[to] ?? [];
      if (!offered.includes(module)) context.report({ node: source, messageId: 'internal', data: { from, to, module, offered: offered.join(', ') || 'none' } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

const boundaries = { rules: { 'declared-imports': declaredImports, 'feature-internals': featureInternals } };

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', 'test-results/**', 'playwright-report/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    // The two rules of hooks (not the React Compiler set the plugin also ships).
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Plain JS scripts (build helpers, the test orchestrator) are not in any tsconfig.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['packages/*/{src,test,bench}/**/*.ts', 'apps/*/{src,test,bench}/**/*.{ts,tsx}', 'apps/*/*.config.ts', 'e2e/**/*.ts'],
    plugins: { boundaries },
    rules: { 'boundaries/declared-imports': 'error' },
  },
  {
    // The web takes only the router's TYPE from the agent: nothing of the agent is bundled.
    files: ['apps/web/**/*.{ts,tsx}'],
    plugins: { boundaries },
    rules: {
      'boundaries/feature-internals': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/agent/src/**', '@lvs-console/agent', '@lvs-console/agent/**'],
              allowTypeImports: true,
              message: 'the web may import only types from the agent (import type { AppRouter } ...).',
            },
          ],
        },
      ],
    },
  },
  {
    // The pure core must stay free of I/O: no node built-ins with effects.
    files: ['packages/shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['node:*', 'fs', 'net', 'child_process', 'http', 'https', 'dgram'], message: 'packages/shared is pure: no I/O imports.' }],
        },
      ],
    },
  },
);
