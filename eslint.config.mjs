import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // Workflow code is replayed by the worker's sandbox: it must stay deterministic and free of I/O. The contracts
    // are bundled with it (the Agntix webhook schemas excepted: workflows import only their types).
    files: ['src/workflows/**/*.ts', 'src/automations/workflows/**/*.ts', 'src/contracts/**/*.ts'],
    ignores: ['src/contracts/agntixEvents.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
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
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
