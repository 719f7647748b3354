// Lint: typescript-eslint's recommended rules over everything we write (TypeScript and the few
// plain-JavaScript scripts), run by `npm run lint` and by CI before the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.editor/', 'test-results/', '**/*.min.js', 'server/src/export/onnx/onnx-pb.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` is how a parameter says it is unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // A module that outgrows this holds more than one concern: split it by concern.
    files: ['server/src/**/*.ts', 'client/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 700 }] },
  },
  {
    // Each message a namespace with `method` and `type`, as vscode-languageserver-protocol declares
    // its own (`HoverRequest.type`), so both sides read it the same way.
    files: ['server/src/protocol/requests.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // Tests match the CLI's aligned columns as printed: `/epoch  1  loss /` reads better than `/epoch {2}1/`.
    files: ['test/**'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
