// Flat config. Besides the usual rules, each folder may import only what its runtime has:
// src/shared runs everywhere (no electron, no node:*), src/renderer is a browser page (no electron,
// no node:*), src/preload may import only electron and shared code.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

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
    files: ['src/main/**/*.ts'],
    ignores: [
      'src/main/index.ts',
      'src/main/window.ts',
      'src/main/tray.ts',
      'src/main/clipboard.ts',
      'src/main/ipc/register.ts',
      'src/main/electron/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'Only the thin Electron glue imports electron; services take small injected interfaces.',
            },
          ],
        },
      ],
    },
  },
)
