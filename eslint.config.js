// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // The template is checked where it matters: in the service pnpm new-service writes from it (CI does).
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/generated/',
      '.data/',
      'coverage/',
      'scripts/new-service/template/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  {
    // Command-line scripts talk to a person on the terminal.
    files: ['scripts/**', 'bench/**', '**/*.config.{js,ts}', 'apps/*/scripts/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
);
