// ESLint for `npm run lint` (next to dependency-cruiser, which checks the layering).
// Syntax-only presets: the type-checked ones take too long on the whole repo.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const code = '**/*.{ts,tsx,mts,cts,js,mjs,cjs}';
const tests = ['renderer/src/**/*.test.{ts,tsx}', 'renderer/src/test-support/**'];

export default defineConfig([
  // Build output, dependencies and test artefacts (all gitignored) are not ours to lint.
  globalIgnores(['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/']),
  {
    files: ['electron', 'shared', 'renderer/src', 'e2e', 'scripts', 'bin'].map((dir) => `${dir}/${code}`),
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // `_name` marks a parameter or binding kept on purpose; a catch that ignores its error needs no name check.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Commands go through the runner as argument vectors, never as a command line for a shell to split.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name=/^exec(Sync)?$/][arguments.0.type=/^(Literal|TemplateLiteral|BinaryExpression)$/]",
          message: 'Pass a file and an argument array to the runner (electron/process/runner.ts), not a shell string to exec/execSync.',
        },
      ],
    },
  },
  // The backend, the CLI, the scripts and the Playwright specs run in Node.
  { files: ['electron', 'scripts', 'bin', 'e2e'].map((dir) => `${dir}/${code}`), languageOptions: { globals: globals.node } },
  {
    files: [`e2e/${code}`],
    // Playwright reads a fixture's dependencies from its first parameter, which must be destructured: `async ({}, use)` is how a fixture asks for none.
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  // The contract is loaded by both sides: only what Node and browsers share.
  { files: [`shared/${code}`], languageOptions: { globals: globals['shared-node-browser'] } },
  // The renderer runs in a browser page.
  { files: [`renderer/src/${code}`], languageOptions: { globals: globals.browser } },
  {
    files: [`renderer/src/${code}`],
    ignores: tests, // tests may wire fixtures across, as in .dependency-cruiser.cjs
    rules: {
      // The renderer never touches Node, files or SSH: it talks to the backend only through shared/ (depcruise checks it too; this shows it in the editor).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...builtinModules, 'electron', 'electron/*', 'ssh2', 'ssh2/*', 'execa'],
              message: 'The renderer reaches the backend only through the contract in shared/.',
            },
          ],
        },
      ],
    },
  },
]);
