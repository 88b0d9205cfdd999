// The window when the vault file was edited by hand (attacker 1 of docs/security.md): an account
// pointed at another server with its token marked revoked. Copying its header says the file was
// changed outside TokenDeck, and the other server receives nothing.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, lastToast, row } from './steps'

test('a hand-edited vault: copying the header is refused and nothing is sent', async ({
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
    await deck.open()
    await createVault(page, deck)
    const tp = deck.demoUsers.tpstreams[0]!
    await addAccount(page, deck, {
      provider: 'tpstreams',
      label: 'acme-prod',
      fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
      baseUrl: deck.sandbox.tpstreams.baseUrl,
    })

    const file = path.join(deck.app.vaultDir, 'vault.json')
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      accounts: { id: string; baseUrl: string }[]
      tokens: { accountId: string; state: string; secret: unknown }[]
    }
    data.accounts[0]!.baseUrl = attackerUrl
    for (const t of data.tokens) {
      t.state = 'revoked'
      t.secret = null
    }
    fs.writeFileSync(file, JSON.stringify(data))

    await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
    await expect(lastToast(page)).toContainText('changed outside TokenDeck')
    expect(received).toEqual([])
    await captureScreen(page, 'tampered', { keepToasts: true })
  } finally {
    await new Promise<void>((r) => attacker.close(() => r()))
  }
})
