// The window when the vault file is not the one TokenDeck last wrote (attacker 1 of
// docs/security.md, or a restored backup): a copy older than the newest this computer saw is
// opened only when the person says so, after seeing which copy is which; a sealed vault forged
// into the old format 1 is refused at unlock, and nothing is sent; a genuine format 1 vault is
// upgraded only after the person has checked its accounts and servers.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { loadMain } from './harness'
import { expect, test } from './fixtures'
import { PASSPHRASE, addAccount, captureScreen, createVault, goTo, row } from './steps'

async function vaultWithAccount(
  page: Parameters<typeof createVault>[0],
  deck: Parameters<typeof createVault>[1],
) {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: deck.sandbox.tpstreams.baseUrl,
  })
  return path.join(deck.app.vaultDir, 'vault.json')
}

async function lockNow(page: Parameters<typeof createVault>[0]) {
  await goTo(page, 'Settings')
  await page.getByRole('button', { name: 'Lock now' }).click()
  await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
}

async function typePassphrase(page: Parameters<typeof createVault>[0]) {
  await page.getByLabel('Passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Unlock' }).click()
}

test('an older copy of the vault put back: the unlock says which is which, and opens it only when asked', async ({
  page,
  deck,
}) => {
  const file = await vaultWithAccount(page, deck)
  const older = fs.readFileSync(file, 'utf8')
  const tp = deck.demoUsers.tpstreams[0]!
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-ci',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: deck.sandbox.tpstreams.baseUrl,
  })
  await lockNow(page)
  fs.writeFileSync(file, older)

  await typePassphrase(page)
  const dialog = page.getByRole('alertdialog', { name: 'This is an older copy of your vault' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('rollback-facts')).toContainText('This copy')
  await expect(dialog.getByTestId('rollback-facts')).toContainText('Newest seen here')
  await captureScreen(page, 'rollback-warning')
  await dialog.getByRole('button', { name: 'Keep it locked' }).click()
  await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
  expect(fs.readFileSync(file, 'utf8')).toBe(older)

  await typePassphrase(page)
  await dialog.getByRole('button', { name: 'Open this older copy' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()
  await expect(row(page, 'acme-prod')).toBeVisible()
  await expect(row(page, 'acme-ci')).toHaveCount(0)
  // Written once, above the newest seen: the next unlock asks nothing.
  expect(fs.readFileSync(file, 'utf8')).not.toBe(older)
  await lockNow(page)
  await typePassphrase(page)
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()
})

test('a sealed vault forged into format 1 is refused at unlock; nothing is sent', async ({
  page,
  deck,
}) => {
  const received: string[] = []
  const attacker = http.createServer((req, res) => {
    received.push(`${req.method} ${req.url}`)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"token":"attacker"}')
  })
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r))
  const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
  try {
    const file = await vaultWithAccount(page, deck)
    await lockNow(page)
    // The victim's plain header, the attacker's plaintext content (format 1: nothing sealed).
    const { forgeFormat1 } = (await loadMain()) as unknown as {
      forgeFormat1: (file: string, o: Record<string, string>) => string
    }
    const forged = forgeFormat1(file, {
      attackerUrl,
      label: 'acme-prod',
      username: 'victim@example.com',
      gatewayToken: 'attacker-knows-this-gateway-token-0123456789',
    })
    await typePassphrase(page)
    await expect(page.getByRole('alert')).toContainText('never reads a sealed vault as format 1')
    await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
    await captureScreen(page, 'downgrade-refused')
    expect(received).toEqual([])
    expect(fs.readFileSync(file, 'utf8')).toBe(forged)
  } finally {
    await new Promise<void>((r) => attacker.close(() => r()))
  }
})

test('a format 1 vault from an earlier TokenDeck: its accounts and servers are shown before it is upgraded', async ({
  page,
  deck,
}) => {
  const { asLegacyFormat1, vaultKey } = (await loadMain()) as unknown as {
    asLegacyFormat1: (dir: string, key: Buffer, passphrase: string) => string
    vaultKey: (s: unknown) => Buffer
  }
  const file = await vaultWithAccount(page, deck)
  const key = vaultKey(deck.app.core.current)
  await lockNow(page)
  asLegacyFormat1(deck.app.vaultDir, key, PASSPHRASE)
  // A computer that never opened this vault (the file came from an older installation).
  fs.rmSync(path.join(deck.app.stateDir, 'vaults'), { recursive: true, force: true })
  const before = fs.readFileSync(file, 'utf8')

  await typePassphrase(page)
  const dialog = page.getByRole('alertdialog', { name: 'Upgrade this vault?' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('upgrade-facts')).toContainText(
    `acme-prod (tpstreams) at ${deck.sandbox.tpstreams.baseUrl}`,
  )
  await expect(dialog.getByTestId('upgrade-facts')).toContainText('agent approval (ask)')
  await captureScreen(page, 'upgrade-confirm')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  expect(fs.readFileSync(file, 'utf8')).toBe(before)

  await typePassphrase(page)
  await dialog.getByRole('button', { name: 'Upgrade and reset these' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()
  await expect(row(page, 'acme-prod')).toBeVisible()
  expect(
    (JSON.parse(fs.readFileSync(file, 'utf8')) as { schemaVersion: number }).schemaVersion,
  ).toBe(2)
})
