// ESLint flat config: the recommended TypeScript rules plus the layering of GUIDE.md (plan/ stays pure).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'bench/tmp/', 'tests/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['plan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/addin/**', '**/service/**'], message: 'plan/ imports nothing of ours but plan/.' },
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'express', 'better-sqlite3', 'exceljs'],
              message: 'plan/ is pure: pass data in, get data out.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Excel', message: 'Office.js lives in addin/excel/ only.' },
        { name: 'Office', message: 'Office.js lives in addin/excel/ only.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bench/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
