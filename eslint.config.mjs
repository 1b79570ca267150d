import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative import that climbs out of its folder into the `folder` of src. */
const into = (folder) => `^(\\.\\./)+${folder}(/|$)`;
/** src/dev is left out of the production build (tsconfig.build.json): nothing that ships may import it. */
const noDev = { regex: into('dev'), message: 'Only src/dev imports src/dev: the production build leaves it out.' };
/** One layer's forbidden imports, types included; no layer reaches src/dev. */
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, noDev] }] },
});

/**
 * Workflow code is replayed by the worker's sandbox: it must stay deterministic and free of I/O. The contracts are
 * bundled with it (the Agntix webhook schemas excepted: workflows import only their types).
 */
const workflowPatterns = [
  {
    group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'os', 'child_process'],
    message: 'Workflows must not do I/O.',
  },
  {
    group: [
      'express',
      'svix',
      'pino',
      'prom-client',
      'better-sqlite3',
      '@temporalio/client',
      '@temporalio/worker',
      '@temporalio/activity',
    ],
    message: 'Workflows must not import I/O libraries.',
  },
  {
    group: [
      'zod',
      '**/activities',
      '**/activities/**',
      '**/api',
      '**/api/**',
      '**/worker',
      '**/worker/**',
      '**/automations/ruleSchema',
      '**/automations/core',
      '**/contracts/agntixEvents',
    ],
    allowTypeImports: true,
    message: 'Workflows import activities, the API, the worker and schemas as types only.',
  },
];

const noLayer = { regex: '^\\.\\./', message: 'The contracts are shared by every layer and import none of them.' };
const coreOnly = {
  regex: '^\\.\\./\\.\\./',
  message: "Automations import the core through '../core' only (docs/authoring.md).",
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'test-results/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layer(['src/*.ts', 'src/bin/**/*.ts', 'src/worker/**/*.ts', 'src/temporal/**/*.ts', 'src/automations/*.ts'], []),
  layer(
    ['src/workflows/**/*.ts'],
    [
      ...workflowPatterns,
      { regex: into('config'), message: 'Workflows take their settings from the policy a session captures.' },
    ],
  ),
  // The layers share only src/contracts: each override below names what one layer may not reach, types included
  // (docs/architecture.md, "Layers"). `npm run lint` fails on a crossing; test/layers.test.ts proves the rules bite.
  layer(
    ['src/activities/**/*.ts', 'src/store/**/*.ts', 'src/observability/**/*.ts', 'src/config/**/*.ts'],
    [
      { regex: into('workflows'), message: 'Activities share only src/contracts with workflows.' },
      { regex: into('api'), message: 'Only the API imports the API.' },
    ],
  ),
  layer(
    ['src/api/**/*.ts'],
    [
      {
        regex: into('(activities|workflows|worker)'),
        message: 'The API shares only src/contracts with workflows and activities.',
      },
    ],
  ),
  layer(['src/contracts/**/*.ts'], [...workflowPatterns, noLayer], ['src/contracts/agntixEvents.ts']),
  layer(['src/contracts/agntixEvents.ts'], [noLayer]),
  layer(['src/automations/workflows/**/*.ts'], [...workflowPatterns, coreOnly]),
  layer(['src/automations/activities/**/*.ts'], [coreOnly]),
  layer(
    ['src/automations/core.ts', 'src/automations/ruleSchema.ts'],
    [{ regex: into('workflows'), message: 'Automations share only src/contracts with workflows.' }],
  ),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
