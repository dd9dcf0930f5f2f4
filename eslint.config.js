// Lint: typescript-eslint with type information, for the mistakes a compiler lets through in
// asynchronous code (a promise nobody awaits or catches, an async function where a callback
// expects a plain one, awaiting a non-promise), plus ESLint's and typescript-eslint's
// recommended correctness rules. Style is left to the code's own consistency.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.kubette/**', '.scratch/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The apiserver and api/ handle every kind alike (and unvalidated input, typed
      // Unstructured); components work on typed kinds, enforced below.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Components read and write typed objects (api/types/): no `any` in their code.
    files: ['{scheduler,controller-manager,kubelet,proxy,dns,metrics-server,simulated-nodes}/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
