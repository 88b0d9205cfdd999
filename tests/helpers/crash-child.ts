// A child process for tests/unit/crash-safety.test.ts: unlocks the vault in <dir> and adds
// accounts <prefix>-0, <prefix>-1, ... in a loop until it is killed. It prints `ready` once
// unlocked and `ack <label>` only after `accounts.add` resolved ok (the account is durable), so
// the parent knows exactly which accounts must survive a SIGKILL. Run it with
// `node --import tsx tests/helpers/crash-child.ts <dir> <prefix> [--wait]`; with --wait it starts
// adding only when a line arrives on stdin, so the parent can start it ahead of time.
import { writeSync } from 'node:fs'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import { CHEAP_SCRYPT, TEST_PASSPHRASE } from './vault'

/** Written with one synchronous write() so a line is on the pipe before the next step starts. */
function say(line: string): void {
  writeSync(1, `${line}\n`)
}

async function main(): Promise<void> {
  const [dir, prefix, wait] = process.argv.slice(2)
  if (!dir || !prefix) {
    say('usage: crash-child <dir> <prefix>')
    process.exit(2)
  }
  const { vault, accounts } = createVaultServices({ dir })
  const unlocked = await vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
  if (!unlocked.ok) {
    say(`fatal ${unlocked.code} ${unlocked.message}`)
    process.exit(1)
  }
  say('ready')
  if (wait === '--wait') {
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
    process.stdin.pause()
  }
  for (let i = 0; ; i++) {
    const label = `${prefix}-${i}`
    const added = await accounts.add({
      label,
      providerId: 'classic',
      fields: { username: `user-${label}`, password: `pw-${label}-${'x'.repeat(i % 7)}` },
      remember: true,
    })
    if (!added.ok) {
      // VAULT_CORRUPT here would mean a torn write; the parent fails on any `err` line.
      say(`err ${added.code} ${added.message}`)
      continue
    }
    say(`ack ${label}`)
    // Widen the write window: an event append and a settings rewrite between accounts.
    vault.log({ type: 'vault', message: `crash-child ${prefix} wrote ${label}` })
    const s = await vault.updateSettings({ clipboardClearSeconds: 5 + (i % 500) })
    if (!s.ok) say(`err ${s.code} ${s.message}`)
  }
}

main().catch((e: unknown) => {
  say(`fatal ${(e as Error).stack ?? String(e)}`)
  process.exit(1)
})
