// The architecture is checked by lint (eslint.config.js, tokendeck/architecture): a surface that
// imports the vault, storage, ledger or provider internals fails, so does one that takes a value
// from an action module other than actions/index.ts, and so does a core file that imports a
// surface. Runs the repository's own ESLint config on real files planted at surface and core
// paths (removed afterwards), so the test fails if the config's architecture blocks go.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const RULE = 'tokendeck/architecture'

/** Probe files: repository path -> content. Unique names, so no real file is touched. */
const tag = `zz-architecture-probe-${process.pid}`
const probes = {
  // (a) a surface reaching below the actions, every way an import can be written
  surfaceValue: [
    `src/main/cli/${tag}-a.ts`,
    `import { Vault } from '../vault/vault'\nexport const v = Vault\n`,
  ],
  surfaceType: [
    `src/main/tray-${tag}.ts`,
    `import type { VaultServices } from './vault'\nexport type S = VaultServices\n`,
  ],
  surfaceFolder: [
    `src/main/gateway/${tag}-b.ts`,
    `import type { VaultServices } from '../vault'\nexport type S = VaultServices\n`,
  ],
  surfaceDynamic: [
    `src/main/ipc/${tag}-c.ts`,
    `export async function f() {\n  return (await import('../providers/registry')).BUILTIN_PROFILES\n}\n`,
  ],
  surfaceReExport: [`src/main/agent/${tag}-d.ts`, `export { Vault } from '../vault/vault'\n`],
  surfaceStorage: [
    `src/main/cli/${tag}-e.ts`,
    `import type { X } from '../storage/file'\nimport type { Y } from '../ledger/token-service'\nexport type Z = X | Y\n`,
  ],
  surfaceActionModule: [
    `src/main/cli/${tag}-f.ts`,
    `import { parsePolicy } from '../actions/gateway'\nexport const p = parsePolicy\n`,
  ],
  // (b) the core importing a surface
  coreImportsGateway: [
    `src/main/actions/${tag}-g.ts`,
    `import { startGateway } from '../gateway/proxy'\nexport const s = startGateway\n`,
  ],
  coreImportsTypes: [
    `src/main/vault/${tag}-h.ts`,
    `import type { AgentRequest } from '../agent/protocol'\nimport type { AppCore } from '../app-core'\nexport type R = AgentRequest | AppCore\n`,
  ],
  coreImportsComposition: [
    `src/main/providers/${tag}-i.ts`,
    `import { cliVault } from '../composition'\nexport const c = cliVault\n`,
  ],
  // (c) what is allowed: a surface over actions/index.ts and the action modules' types, the
  // core over shared code and its own modules
  surfaceAllowed: [
    `src/main/cli/${tag}-j.ts`,
    [
      `import { describePolicy, type Actions } from '../actions'`,
      `import type { RouteView } from '../actions/routes'`,
      `import { cliVault } from '../composition'`,
      `import { ok } from '../../shared/result'`,
      `import { run } from './index'`,
      `export const all = [describePolicy, cliVault, ok, run]`,
      `export type T = Actions | RouteView`,
      '',
    ].join('\n'),
  ],
  coreAllowed: [
    `src/main/actions/${tag}-k.ts`,
    [
      `import { EMPTY_POLICY } from '../../shared/gateway-policy'`,
      `import type { VaultServices } from '../vault'`,
      `import { localStateDir } from '../app-identity'`,
      `export const all = [EMPTY_POLICY, localStateDir]`,
      `export type S = VaultServices`,
      '',
    ].join('\n'),
  ],
} as const

type Probe = keyof typeof probes

let results: Map<Probe, ESLint.LintResult>

beforeAll(async () => {
  for (const [file, text] of Object.values(probes)) fs.writeFileSync(path.join(root, file), text)
  try {
    const eslint = new ESLint({ cwd: root })
    const linted = await eslint.lintFiles(Object.values(probes).map(([file]) => file))
    results = new Map()
    for (const [name, [file]] of Object.entries(probes)) {
      const r = linted.find((x) => x.filePath === path.join(root, file))
      if (!r) throw new Error(`${file} was not linted`)
      results.set(name as Probe, r)
    }
  } finally {
    for (const [file] of Object.values(probes)) fs.rmSync(path.join(root, file), { force: true })
  }
}, 120_000)

afterAll(() => {
  for (const [file] of Object.values(probes)) fs.rmSync(path.join(root, file), { force: true })
})

/** The architecture errors of one probe: the import each names. */
function violations(probe: Probe): string[] {
  const r = results.get(probe)!
  const fatal = r.messages.filter((m) => m.fatal)
  expect(fatal, 'the probe parses').toEqual([])
  return r.messages
    .filter((m) => m.ruleId === RULE)
    .map((m) => {
      expect(m.severity).toBe(2)
      return m.message.split("'")[1] ?? m.message
    })
}

describe('a surface reaches the core only through the actions', () => {
  it('fails on a surface importing the vault (a value, a type, a folder, a re-export)', () => {
    expect(violations('surfaceValue')).toEqual(['../vault/vault'])
    expect(violations('surfaceType')).toEqual(['./vault'])
    expect(violations('surfaceFolder')).toEqual(['../vault'])
    expect(violations('surfaceReExport')).toEqual(['../vault/vault'])
  })

  it('fails on provider internals, storage and the ledger, dynamic imports included', () => {
    expect(violations('surfaceDynamic')).toEqual(['../providers/registry'])
    expect(violations('surfaceStorage')).toEqual(['../storage/file', '../ledger/token-service'])
  })

  it('fails on a value taken from an action module beside actions/index.ts', () => {
    expect(violations('surfaceActionModule')).toEqual(['../actions/gateway'])
    const r = results.get('surfaceActionModule')!
    expect(r.messages.find((m) => m.ruleId === RULE)?.message).toMatch(/actions \(index\.ts\)/)
  })

  it('passes a surface over actions/index.ts, action types, composition and shared code', () => {
    expect(violations('surfaceAllowed')).toEqual([])
  })
})

describe('the core imports no surface', () => {
  it('fails on an action importing the gateway', () => {
    expect(violations('coreImportsGateway')).toEqual(['../gateway/proxy'])
    const r = results.get('coreImportsGateway')!
    expect(r.messages.find((m) => m.ruleId === RULE)?.message).toMatch(
      /the core imports no surface/,
    )
  })

  it('fails on the vault importing agent or app types, and providers importing composition', () => {
    expect(violations('coreImportsTypes')).toEqual(['../agent/protocol', '../app-core'])
    expect(violations('coreImportsComposition')).toEqual(['../composition'])
  })

  it('passes the core over shared code, its own modules and app-identity (not a surface)', () => {
    expect(violations('coreAllowed')).toEqual([])
  })
})

describe('the real tree', () => {
  it('composition.ts is the one module beside the core that imports the vault, and lints clean', async () => {
    const eslint = new ESLint({ cwd: root })
    const linted = await eslint.lintFiles(['src/main/composition.ts', 'src/main/app-core.ts'])
    expect(linted).toHaveLength(2)
    for (const r of linted) expect(r.messages.filter((m) => m.ruleId === RULE)).toEqual([])
    expect(fs.readFileSync(path.join(root, 'src/main/composition.ts'), 'utf8')).toMatch(
      /from '\.\/vault'/,
    )
  }, 60_000)
})
