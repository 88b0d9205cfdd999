// Flat config. Besides the usual rules, each folder may import only what its runtime has:
// src/shared runs everywhere (no electron, no node:*), src/renderer is a browser page (no electron,
// no node:*), src/preload may import only electron and shared code; in src/main a file's name says
// whether it needs Electron (only *.main.ts may import it). TS files are linted with type
// information, so a dropped Promise or a dropped Result is an error. The architecture blocks
// (tokendeck/architecture) keep the layers apart: surfaces reach the core only through
// src/main/actions (or src/main/client), and the core imports no surface.
import fs from 'node:fs'
import path from 'node:path'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'
import architecture from './eslint-rules/architecture.js'
import mustUseResult from './eslint-rules/must-use-result.js'

/**
 * The src/shared modules that load zod when imported at run time: those that import it, and those
 * that import such a module (not as a type). The renderer may import their types only: zod is
 * ~24 KB gzipped of the page's start bundle, and nothing in the window needs it at run time.
 */
function zodBearingShared() {
  const root = path.resolve('src/shared')
  const files = fs
    .readdirSync(root, { recursive: true })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(root, f))
  const runtimeImports = new Map(
    files.map((f) => {
      const text = fs.readFileSync(f, 'utf8')
      const specs = [...text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms)].map((m) => m[1])
      return [f, specs]
    }),
  )
  const bearing = new Set(
    files.filter((f) => runtimeImports.get(f).some((s) => s === 'zod' || s.startsWith('zod/'))),
  )
  for (let grew = true; grew;) {
    grew = false
    for (const f of files) {
      if (bearing.has(f)) continue
      const deps = runtimeImports
        .get(f)
        .filter((s) => s.startsWith('.'))
        .map((s) => path.resolve(path.dirname(f), `${s}.ts`))
      if (deps.some((d) => bearing.has(d))) {
        bearing.add(f)
        grew = true
      }
    }
  }
  return [...bearing].map((f) => `**/shared/${path.relative(root, f).replace(/\.ts$/, '')}`)
}

/**
 * The renderer modules the window loads at start: src/renderer/src/main.tsx and what it imports
 * at run time (not as a type), transitively; a dynamic import() is not followed. They may not
 * import Radix UI (~35 KB gzipped with its helpers): what a click opens (menus, dialogs, the
 * popover, toasts) loads on demand through components/chunks.ts (docs/ui.md, "What loads when").
 */
function rendererStartModules() {
  const runtimeImports = (file) =>
    [
      ...fs
        .readFileSync(file, 'utf8')
        .matchAll(/^(?:import|export) (?!type )[^;]*?from '([^']+)'|^import '([^']+)'/gms),
    ].map((m) => m[1] ?? m[2])
  const resolveLocal = (from, spec) =>
    ['.ts', '.tsx', '/index.ts', '/index.tsx']
      .map((ext) => path.resolve(path.dirname(from), spec + ext))
      .find((f) => fs.existsSync(f))
  const start = new Set()
  const walk = (file) => {
    if (start.has(file)) return
    start.add(file)
    for (const spec of runtimeImports(file)) {
      const dep = spec.startsWith('.') ? resolveLocal(file, spec) : undefined
      if (dep) walk(dep)
    }
  }
  walk(path.resolve('src/renderer/src/main.tsx'))
  return [...start]
    .map((f) => path.relative(path.resolve('.'), f))
    .filter((f) => f.startsWith(`src${path.sep}renderer${path.sep}`))
}

/** The project's own rules (eslint-rules/). */
const tokendeck = {
  meta: { name: 'tokendeck' },
  rules: { 'must-use-result': mustUseResult, architecture },
}

// The architecture (docs/architecture.md, "The architecture rule"). Paths are repository paths
// without extension; a trailing / names a folder (everything below it), `*` one path segment.

/** The core: every operation once (actions), and what lies below it. */
const CORE = [
  'src/main/actions/',
  'src/main/vault/',
  'src/main/storage/',
  'src/main/ledger/',
  'src/main/providers/',
]

/** What lies below the actions: no surface imports it. */
const BELOW_ACTIONS = CORE.filter((p) => p !== 'src/main/actions/')

/** The client (src/main/client): every operation a surface outside the window can ask for. */
const CLIENT = 'src/main/client/'

/** The surfaces: they parse input, call the core through the actions or the client, format. */
const SURFACES = [
  'src/main/cli/',
  'src/main/agent/',
  'src/main/gateway/',
  'src/main/ipc/',
  'src/main/tray*',
  'src/main/renewal',
  'src/main/app-core',
  'src/main/app-agent',
  'src/main/app-gateway',
  'src/main/platform/global-shortcut',
  'src/main/platform/auto-lock',
]

/**
 * The one module that builds services and actions for a process (the app, the CLI, the headless
 * agent): it may import everything, and the core may not import it.
 */
const COMPOSITION = 'src/main/composition'

const filesOf = (paths) => paths.map((p) => (p.endsWith('/') ? `${p}**` : `${p}.ts`))
const modulesOf = (paths) => paths.map((p) => p.replace(/\/$/, ''))

const REACH_BELOW_ACTIONS = {
  from: modulesOf(BELOW_ACTIONS),
  message:
    'a surface reaches the core only through src/main/actions (or src/main/client), never the vault, storage, ledger or provider internals (docs/architecture.md); composition.ts wires them.',
}

/** The renderer imports zod-bearing modules for their types only. */
const NO_ZOD_IN_RENDERER = {
  group: ['zod', 'zod/*', ...zodBearingShared()],
  allowTypeImports: true,
  message:
    'This module loads zod at run time: the window imports its types only (a runtime helper goes in a zod-free shared module).',
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
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_ZOD_IN_RENDERER] }],
    },
  },
  {
    // What loads at start (rendererStartModules): no Radix UI. (This entry replaces the options of
    // the one above for these files, so it repeats the zod pattern.)
    files: rendererStartModules(),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_ZOD_IN_RENDERER,
            {
              group: ['radix-ui', 'radix-ui/*', '@radix-ui/*'],
              allowTypeImports: true,
              message:
                'This module loads at start (main.tsx imports it, perhaps through other modules): Radix UI loads on demand. Put the Radix part in a component of components/overlays.ts and render it through components/chunks.ts; or, if this module itself should not load at start, import it through components/chunks.ts.',
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
  {
    // Surfaces import the core's values from actions/index.ts only (the action modules for types).
    files: filesOf(SURFACES),
    rules: {
      'tokendeck/architecture': [
        'error',
        {
          restricted: [
            REACH_BELOW_ACTIONS,
            {
              from: ['src/main/actions'],
              except: ['src/main/actions', 'src/main/actions/catalog'],
              allowTypeImports: true,
              message:
                "a surface imports the core's values from src/main/actions (index.ts), the action modules for their types only.",
            },
          ],
        },
      ],
    },
  },
  {
    // The client is built over the actions: any action module, nothing below them.
    files: filesOf([CLIENT]),
    rules: { 'tokendeck/architecture': ['error', { restricted: [REACH_BELOW_ACTIONS] }] },
  },
  {
    // The core imports no surface, no client and not the composition that builds it.
    files: filesOf(CORE),
    rules: {
      'tokendeck/architecture': [
        'error',
        {
          restricted: [
            {
              from: modulesOf([...SURFACES, CLIENT, COMPOSITION, 'src/main/index.main']),
              message:
                'the core imports no surface (surfaces call the core, never the other way); move what both need to src/shared or the core.',
            },
          ],
        },
      ],
    },
  },
)
