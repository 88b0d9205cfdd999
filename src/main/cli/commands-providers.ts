// Provider commands: list the built-in and imported profiles, import one from a JSON file.
import fs from 'node:fs'
import { fail } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import { createVaultServices } from '../vault'
import { unlockedVault, vaultDir, type Ctx } from './context'
import { columns } from './format'
import { EXIT, print, printJson, report } from './io'

function capWords(p: ProviderProfile): string {
  return p.cap ? `${p.cap.max} tokens per ${p.cap.scope}` : 'no cap'
}

/** `tokendeck providers list`: needs no passphrase (imported profiles are not secret). */
export async function providersList(ctx: Ctx): Promise<number> {
  const { vault } = createVaultServices({ dir: vaultDir(ctx) })
  const profiles = vault.providers()
  const rows = profiles.map((p) => ({
    id: p.id,
    name: p.name,
    builtin: vault.registry.isBuiltin(p.id),
    baseUrl: p.baseUrl,
    cap: p.cap ?? null,
  }))
  if (ctx.json) {
    printJson(rows)
    return EXIT.ok
  }
  const table = [
    ['ID', 'NAME', 'SOURCE', 'CAP'],
    ...profiles.map((p) => [
      p.id,
      p.name,
      vault.registry.isBuiltin(p.id) ? 'built-in' : 'imported',
      capWords(p),
    ]),
  ]
  print(columns(table).join('\n'))
  return EXIT.ok
}

/** `tokendeck providers add FILE.json`: validates and imports a profile into the vault. */
export async function providersAdd(ctx: Ctx): Promise<number> {
  const file = ctx.args[0]!
  let text: string
  try {
    const stat = fs.statSync(file)
    if (!stat.isFile()) throw new Error('not a file')
    if (stat.size > 256 * 1024) {
      return report(fail('VALIDATION_FAILED', 'A profile file is at most 256 KiB.'), ctx)
    }
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return report(fail('NOT_FOUND', `Cannot read ${file}.`), ctx)
  }
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const r = await v.value.s.vault.addProvider(text)
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson({ id: r.value.id, name: r.value.name, cap: r.value.cap ?? null })
  else print(`Imported provider "${r.value.name}" (${r.value.id}), ${capWords(r.value)}.`)
  return EXIT.ok
}
