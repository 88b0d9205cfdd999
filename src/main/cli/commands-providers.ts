// Provider commands: list the built-in and imported profiles, import one from a JSON file.
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import type { ProviderView } from '../../shared/ipc/schemas'
import { BUILTIN_PROFILES, providerView } from '../actions/catalog'
import { withConnection } from './connection'
import { bool, vaultDir, type Ctx } from './ctx'
import { columns } from './format'
import { EXIT, note, print, printJson, report } from './io'

function capWords(p: {
  cap?: { max: number; scope: string; onExceed?: 'refuse' | 'evictOldest' } | null
}): string {
  if (!p.cap) return 'no cap'
  const words = `${p.cap.max} tokens per ${p.cap.scope}`
  return p.cap.onExceed === 'evictOldest' ? `${words}, oldest evicted beyond it` : words
}

/**
 * `tokendeck providers list`: the built-in profiles, and the imported ones when the vault can be
 * unlocked (they are sealed in the vault file with everything else). Without a passphrase it
 * lists the built-in ones and says how to see the rest.
 */
export async function providersList(ctx: Ctx): Promise<number> {
  const builtins = () => ok(BUILTIN_PROFILES.map((p) => providerView(p, true)))
  let views: Result<ProviderView[]>
  if (!fs.existsSync(path.join(vaultDir(ctx), 'vault.json'))) {
    // No vault yet: the built-in profiles are still worth listing.
    views = builtins()
  } else {
    // Through the agent; else the vault opened here only when a passphrase is given (a list of
    // providers is no reason to ask for one at a terminal).
    const mayOpen = ctx.env.TOKENDECK_PASSPHRASE !== undefined || bool(ctx, 'passphrase-stdin')
    views = await withConnection(
      ctx,
      'tokendeck providers list',
      async (c) => {
        const r = await c.client.providers({})
        if (r.ok || mayOpen || r.code !== 'VAULT_LOCKED') return r
        note(
          'Imported profiles are listed once the vault is unlocked: set TOKENDECK_PASSPHRASE or pass --passphrase-stdin (or start the agent: tokendeck agent start).',
        )
        return builtins()
      },
      { mayOpen },
    )
  }
  if (!views.ok) return report(views, ctx)
  if (ctx.json) {
    printJson(
      views.value.map((p) => ({
        id: p.id,
        name: p.name,
        builtin: p.builtin,
        baseUrl: p.defaultBaseUrl,
        cap: p.cap,
      })),
    )
    return EXIT.ok
  }
  const table = [
    ['ID', 'NAME', 'SOURCE', 'CAP'],
    ...views.value.map((p) => [p.id, p.name, p.builtin ? 'built-in' : 'imported', capWords(p)]),
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
  const r = await withConnection(ctx, 'tokendeck providers add', (c) => c.client.import({ text }))
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson({ id: r.value.id, name: r.value.name, cap: r.value.cap })
  else print(`Imported provider "${r.value.name}" (${r.value.id}), ${capWords(r.value)}.`)
  return EXIT.ok
}
