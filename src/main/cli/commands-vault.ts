// Commands on the vault itself, which need its passphrase (never an agent): init (create a
// passphrase-protected vault), passphrase change, and the two confirmations an unlock may ask
// for: upgrading a format 1 vault, and opening an older copy of the file.
import { fail } from '../../shared/result'
import { cliVault } from '../composition'
import {
  bool,
  existingVault,
  readNewPassphrase,
  readPassphraseAndSecrets,
  unlockedVault,
  vaultDir,
  vaultFlag,
  type Ctx,
} from './context'
import { EXIT, print, printJson, report, usage } from './io'
import type { UnlockConsent } from '../actions'

/**
 * `tokendeck init`: creates a vault protected by a passphrase at the production scrypt cost. At
 * a terminal the passphrase is asked for twice (hidden); see readNewPassphrase.
 */
export async function init(ctx: Ctx): Promise<number> {
  const dir = vaultDir(ctx)
  if (existingVault(ctx).ok) {
    return report(fail('VAULT_EXISTS', `A vault already exists at ${dir}.`), ctx)
  }
  const passphrase = await readNewPassphrase(ctx)
  if (!passphrase.ok) return report(passphrase, ctx)
  const { actions } = cliVault(dir)
  const created = await actions.protection.create({
    protection: 'passphrase',
    passphrase: passphrase.value,
  })
  if (!created.ok) return report(created, ctx)
  const where = created.value.vault.dir
  if (ctx.json) printJson({ created: true, dir: where })
  else print(`Created a vault at ${where}, protected by a passphrase.`)
  // A person at a terminal gets the next step; a script reads only the line above.
  if (!ctx.json && process.stdout.isTTY) {
    print(
      `Next: add an account with tokendeck accounts add --provider ID --label L${vaultFlag(ctx)} ` +
        '(tokendeck providers list names the providers), then tokendeck header L.',
    )
  }
  return EXIT.ok
}

/** `tokendeck passphrase change`: a new passphrase and a new data key (see commands.ts). */
export async function changePassphrase(ctx: Ctx): Promise<number> {
  const prompts = process.stdin.isTTY
    ? ['New passphrase', 'New passphrase (again)']
    : ['New passphrase']
  const v = await unlockedVault(ctx, prompts)
  if (!v.ok) return report(v, ctx)
  const [next, again] = v.value.secrets
  if (!next) return report(usage('No new passphrase was given; nothing was changed.'), ctx)
  if (prompts.length > 1 && again !== next) {
    return report(usage('The two new passphrases differ; nothing was changed.'), ctx)
  }
  const current = v.value.passphrase
  const r = await v.value.actions.protection.changePassphrase(
    { method: 'passphrase', passphrase: current },
    next,
  )
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson({ changed: true, keyRotated: true })
  else print('Changed the passphrase; the vault key was rotated.')
  return EXIT.ok
}

/**
 * The confirmation an unlock may ask for (`asked`): the vault is unlocked as it is first; if it
 * asks, then without --yes its own answer is printed (what to check, exit 3) and nothing changes,
 * and with --yes it is unlocked again with the person's consent.
 */
async function confirmUnlock(
  ctx: Ctx,
  asked: 'VAULT_UPGRADE_NEEDED' | 'VAULT_ROLLED_BACK',
  consent: UnlockConsent,
  done: string,
): Promise<number> {
  const a = existingVault(ctx)
  if (!a.ok) return report(a, ctx)
  const read = await readPassphraseAndSecrets(ctx)
  if (!read.ok) return report(read, ctx)
  const passphrase = read.value.passphrase
  const unlock = (c: UnlockConsent) =>
    a.value.protection.unlock({ method: 'passphrase', passphrase, ...c }, 'cli')
  const first = await unlock({})
  let message: string
  if (first.ok) {
    message =
      asked === 'VAULT_UPGRADE_NEEDED'
        ? 'The vault is sealed whole already; nothing to upgrade.'
        : 'The vault file is the newest this computer has seen; nothing to accept.'
  } else if (first.code !== asked || !bool(ctx, 'yes')) {
    return report(first, ctx)
  } else {
    const second = await unlock(consent)
    if (!second.ok) return report(second, ctx)
    message = done
  }
  if (ctx.json) printJson({ ok: true, message })
  else print(message)
  return EXIT.ok
}

/** `tokendeck vault upgrade [--yes]`: a format 1 vault, upgraded once its contents are checked. */
export function upgrade(ctx: Ctx): Promise<number> {
  return confirmUnlock(
    ctx,
    'VAULT_UPGRADE_NEEDED',
    { upgrade: true },
    'Upgraded the vault: everything in it is sealed now; the gateway, routes, agent approval and auto-lock were reset.',
  )
}

/** `tokendeck vault accept-older [--yes]`: opens an older copy of the file, which becomes the newest. */
export function acceptOlder(ctx: Ctx): Promise<number> {
  return confirmUnlock(
    ctx,
    'VAULT_ROLLED_BACK',
    { acceptOlder: true },
    'Opened the older copy of the vault file; it is the newest from now on.',
  )
}
