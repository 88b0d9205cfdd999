// The window when the vault file was edited by hand (attacker 1 of docs/security.md): its sealed
// body replaced by one from a vault the attacker made, whose account of the same label points at
// their server. Copying the header says the file was changed outside TokenDeck, the other server
// receives nothing, and the file is left as it was.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
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

    // The attacker's own vault, made with TokenDeck's CLI: an account of the same label
    // pointing at their server.
    const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'attacker-'))
    const env = { PATH: process.env.PATH, HOME: theirs, TOKENDECK_VAULT: theirs }
    const cli = (args: string[], input = '') =>
      execFileSync(process.execPath, [path.resolve('out/main/cli.js'), ...args], {
        env: { ...env, TOKENDECK_PASSPHRASE: 'the attacker knows this' },
        input,
      })
    cli(['init'])
    cli(
      [
        'accounts',
        'add',
        '--provider',
        'tpstreams',
        '--base-url',
        attackerUrl,
        '--label',
        'acme-prod',
        '--username',
        tp.username,
        '--org',
        'acme',
        '--remember',
        '--no-verify',
        '--secret-stdin',
      ],
      'attacker-password\n',
    )
    const file = path.join(deck.app.vaultDir, 'vault.json')
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { body: unknown }
    data.body = (
      JSON.parse(fs.readFileSync(path.join(theirs, 'vault.json'), 'utf8')) as {
        body: unknown
      }
    ).body
    fs.writeFileSync(file, JSON.stringify(data))
    const edited = fs.readFileSync(file, 'utf8')

    await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
    await expect(lastToast(page)).toContainText('changed outside TokenDeck')
    expect(received).toEqual([])
    expect(fs.readFileSync(file, 'utf8')).toBe(edited)
    await captureScreen(page, 'tampered', { keepToasts: true })
  } finally {
    await new Promise<void>((r) => attacker.close(() => r()))
  }
})
