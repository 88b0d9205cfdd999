// Flat config. Besides the usual rules, each folder may import only what its runtime has:
// src/shared runs everywhere (no electron, no node:*), src/renderer is a browser page (no electron,
// no node:*), src/preload may import only electron and shared code; in src/main a file's name says
// whether it needs Electron (only *.main.ts may import it). TS files are linted with type
// information, so a dropped Promise or a dropped Result is an error.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'
import mustUseResult from './eslint-rules/must-use-result.js'

/** The project's own rules (eslint-rules/). */
const tokendeck = {
  meta: { name: 'tokendeck' },
  rules: { 'must-use-result': mustUseResult },
}

/** Packages that need the Electron runtime: only *.main.ts files under src/main may import them. */
const electronRuntime = ['electron', 'electron-store']

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'net',
]

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.ci/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules. The project service finds each file's tsconfig (tsconfig.json references
    // tsconfig.node.json and tsconfig.web.json, which between them include every TS file here).
    files: ['**/*.{ts,tsx,mts,cts}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { tokendeck },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'tokendeck/must-use-result': 'error',
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/shared runs in every process: no electron.' }],
          patterns: [
            {
              group: nodeBuiltins,
              message: 'src/shared runs in the renderer too: no Node built-ins.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to main only through window.tokendeck.',
            },
          ],
          patterns: [
            {
              group: nodeBuiltins,
              message: 'The renderer is a sandboxed page: no Node built-ins.',
            },
            {
              group: ['**/main/**', '**/preload/index*'],
              message: 'The renderer may import src/shared and src/preload/api types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'A sandboxed preload can only require electron.' },
            { group: ['**/main/**'], message: 'The preload must not import main-process code.' },
          ],
        },
      ],
    },
  },
  {
    // The name says the runtime: in src/main only *.main.ts files may import electron.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/**/*.main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronRuntime.map((name) => ({
            name,
            message:
              'Only *.main.ts files import electron: name the file *.main.ts if it is Electron glue, else take a small injected interface.',
          })),
        },
      ],
    },
  },
  {
    // ...and *.main.ts means main-process Electron glue, so it lives under src/main only.
    files: ['**/*.main.{ts,tsx,mts,cts,js,mjs,cjs}'],
    ignores: ['src/main/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program',
          message: 'A *.main.ts file is Electron main-process glue: it belongs under src/main.',
        },
      ],
    },
  },
  {
    // An Electron folder holds Electron glue only.
    files: ['src/main/electron/**'],
    ignores: ['src/main/electron/**/*.main.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program',
          message:
            'src/main/electron/ holds only *.main.ts files (Electron glue); move code that does not import electron out (e.g. to src/main/platform/).',
        },
      ],
    },
  },
)
