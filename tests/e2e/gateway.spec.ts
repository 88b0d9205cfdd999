// The app's gateway, as a user sets it up: turn it on in Settings on a port the OS picked, copy the
// access token (it goes to the clipboard, never to the page), and a real HTTP client reaches the
// TPStreams sandbox's protected endpoint through it; no access token is 401, a web page's request
// is 403. A port in use is reported in words; a new access token ends the old one; turning it off
// closes the port. The requests are in the Activity log.
import http from 'node:http'
import net from 'node:net'
import { freePort } from '../helpers/free-port'
import type { Locator } from '@playwright/test'
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, goTo, lastToast } from './steps'

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Scrolls the settings panel (only it) so the section's heading is at its top. */
async function showSection(section: Locator): Promise<void> {
  await section.evaluate((el) => {
    const body = el.closest('[data-testid="settings-body"]')!
    body.scrollTop += el.getBoundingClientRect().top - body.getBoundingClientRect().top - 16
  })
}

test('turn the gateway on, copy its access token, and reach an account through it', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: deck.sandbox.tpstreams.baseUrl,
  })

  await goTo(page, 'Settings')
  const section = page.getByRole('region', { name: 'Gateway (local proxy)' })
  await section.scrollIntoViewIfNeeded()
  const status = section.getByTestId('gateway-status')
  await expect(status).toContainText('Off')

  // The port: validated as typed; a port the OS just handed out, never a fixed one.
  const port = await freePort()
  const portField = section.getByLabel('Port on 127.0.0.1')
  const usePort = section.getByRole('button', { name: 'Use this port' })
  await portField.fill('80')
  await expect(section.getByText('A whole number from 1024 to 65535.')).toBeVisible()
  await expect(usePort).toBeDisabled()
  await portField.fill(String(port))
  await usePort.click()
  await expect(usePort).toBeDisabled()

  await section.getByRole('switch', { name: 'Run the gateway while TokenDeck is open' }).click()
  await expect(status).toContainText(`Running`)
  await expect(status).toContainText(`Listens on http://127.0.0.1:${port}.`)
  const row = section.locator('[data-gateway-account="acme-prod"]')
  await expect(row).toContainText(`http://127.0.0.1:${port}/acme-prod/`)
  await expect(row).toContainText(`Forwards to ${deck.sandbox.tpstreams.baseUrl}`)
  await expect(row).toContainText('any method; any path; no web origin')

  // The access token goes to the clipboard (cleared after 30 s), never to the page.
  await section.getByRole('button', { name: 'Copy access token' }).click()
  await expect(lastToast(page)).toContainText('Access token copied')
  const copied = deck.lastCopy()
  expect(copied.clearAfterSeconds).toBe(30)
  const token = deck.secret(copied.text)
  expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/)

  await row.getByRole('button', { name: 'Copy URL of acme-prod' }).click()
  await expect(lastToast(page)).toContainText('Gateway URL of acme-prod copied')
  const base = deck.lastCopy().text
  expect(base).toBe(`http://127.0.0.1:${port}/acme-prod/`)

  // A real client through the gateway: the sandbox's protected endpoint answers.
  const assets = `${base}api/v1/acme/assets/`
  const through = await get(assets, { 'X-TokenDeck-Gateway': token })
  expect(through.status).toBe(200)
  expect((await get(assets)).status).toBe(401)
  expect(
    (await get(assets, { 'X-TokenDeck-Gateway': token, Origin: 'https://evil.example' })).status,
  ).toBe(403)
  deck.rememberTokens()

  await showSection(section)
  await captureScreen(page, 'gateway-settings')

  // A new access token: the old one stops working, the new one (copied again) works.
  await section.getByRole('button', { name: 'New access token…' }).click()
  const confirm = page.getByRole('alertdialog', { name: 'Make a new access token?' })
  await confirm.getByRole('button', { name: 'Make a new token' }).click()
  await expect(lastToast(page)).toContainText('New access token made')
  expect((await get(assets, { 'X-TokenDeck-Gateway': token })).status).toBe(401)
  await section.getByRole('button', { name: 'Copy access token' }).click()
  await expect(lastToast(page)).toContainText('Access token copied')
  const fresh = deck.secret(deck.lastCopy().text)
  expect(fresh).not.toBe(token)
  expect((await get(assets, { 'X-TokenDeck-Gateway': fresh })).status).toBe(200)

  // A port another program holds: said in words, and the gateway starts once it is free again.
  const squatter = net.createServer()
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
  const taken = (squatter.address() as net.AddressInfo).port
  await portField.fill(String(taken))
  await usePort.click()
  await expect(status).toContainText('Not running')
  await expect(status).toContainText('Another program is using that port.')
  await expect(status).toContainText(`Port ${taken} on 127.0.0.1 is in use; choose another.`)
  await expect(section.getByTestId('gateway-accounts')).toHaveCount(0)
  await showSection(section)
  await captureScreen(page, 'gateway-settings-port-in-use')
  await new Promise<void>((resolve) => squatter.close(() => resolve()))
  const next = await freePort()
  await portField.fill(String(next))
  await usePort.click()
  await expect(status).toContainText(`Listens on http://127.0.0.1:${next}.`)
  const moved = `http://127.0.0.1:${next}/acme-prod/api/v1/acme/assets/`
  expect((await get(moved, { 'X-TokenDeck-Gateway': fresh })).status).toBe(200)

  // Off: the port closes.
  await section.getByRole('switch', { name: 'Run the gateway while TokenDeck is open' }).click()
  await expect(status).toContainText('Off')
  await expect(get(moved, { 'X-TokenDeck-Gateway': fresh })).rejects.toThrow()

  // Every request is in the Activity log: method, path, status; never a token.
  await goTo(page, 'Activity')
  await page.getByLabel('Type').selectOption('gateway')
  const events = page.getByTestId('events')
  await expect(events).toContainText('GET /acme-prod/api/v1/acme/assets/ -> 200')
  await expect(events).toContainText('GET /acme-prod/api/v1/acme/assets/ -> 403')
  deck.rememberTokens()
})

test('in the demo, the gateway section says it serves your own vault and changes nothing', async ({
  page,
  deck,
}) => {
  await deck.open()
  await page.getByRole('button', { name: 'Try it with local sandbox providers' }).click()
  await expect(page.getByText('Demo vault on local sandbox servers')).toBeVisible()
  await goTo(page, 'Settings')
  const section = page.getByRole('region', { name: 'Gateway (local proxy)' })
  await showSection(section)
  await expect(section.getByTestId('gateway-status')).toContainText(
    'The gateway serves your own vault, not the demo',
  )
  await expect(
    section.getByRole('switch', { name: 'Run the gateway while TokenDeck is open' }),
  ).toBeDisabled()
  await expect(section.getByLabel('Port on 127.0.0.1')).toBeDisabled()
  await expect(section.getByRole('button', { name: 'Copy access token' })).toHaveCount(0)
  await captureScreen(page, 'gateway-settings-demo')
})
