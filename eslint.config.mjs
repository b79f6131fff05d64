// ESLint (flat config): JavaScript's recommended rules and typescript-eslint's recommended set.
// Deliberately not the type-checked sets: those need a full TypeScript program per run, which is
// slow on this repository's size and adds little over `tsc --strict`, which the build runs anyway.
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
