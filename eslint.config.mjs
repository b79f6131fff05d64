// ESLint (flat config): JavaScript's recommended rules and typescript-eslint's recommended set.
// Deliberately not the type-checked sets: those need a full TypeScript program per run, which is
// slow on this repository's size and adds little over `tsc --strict`, which the build runs anyway;
// the control plane's sources get the two promise rules (below), which tsc cannot give.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'cdktf.out/**',
      '**/cdktf.out/**',
      '**/.terraform/**',
      // Generated from schema/ and provider.json by npm scripts; their generators are linted.
      'cdktf-bindings/generated/**',
      'packages/contract/src/generated/**',
      'provider/src/framework/protocol/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A `let` assigned once, after a closure that reads it was made (a server its own shutdown hook stops), stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_name` marks a value deliberately left unused (a destructured field dropped on purpose).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // The control plane's storage is asynchronous (storage/sql-database.ts): a forgotten `await`
    // lets a change commit without its effect, or a rejection escape every error handler. These
    // two type-aware rules make that a lint error. Only where the control plane's code and its
    // tests run, because the typed program they need is slow to build for the whole tree.
    files: ['control-plane/src/**/*.ts', 'test/control-plane/**/*.ts', 'test/support/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/demo/**/*.ts'],
    rules: {
      // Tests and the demo read parsed JSON bodies of many shapes; typing each one would only restate the schemas.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
  },
);
