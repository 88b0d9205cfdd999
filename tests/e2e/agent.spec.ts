// The app as the agent: the real CLI asks for a header with no passphrase; the window asks the
// person to allow that terminal session, names the client and what it wants; the header then
// arrives in the terminal (never in the page). Settings lists the approved session and what it
// may do; revoking it means the next request asks again. A revoke from a session allowed only to
// read asks again, as a change to the vault. The Activity screen says how many log lines it could
// not verify.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, goTo, lastToast } from './steps'

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('out/main/cli.js'), ...args], { env }, (err, stdout) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
    )
  })
}
const cliHeader = (env: NodeJS.ProcessEnv) => cli(['header', 'acme-prod'], env)

test('a terminal asks the app for a header: approve it, see it in Settings, revoke it', async ({
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
  // A terminal with no passphrase: only the app's agent can answer it.
  const env = {
    PATH: process.env.PATH,
    HOME: deck.app.vaultDir,
    TOKENDECK_VAULT: deck.app.vaultDir,
    TOKENDECK_AGENT_SOCK: deck.app.agentEndpoint,
  }
  const asked = cliHeader(env)
  const prompt = page.getByRole('alertdialog', { name: 'Allow a terminal to use TokenDeck?' })
  await expect(prompt).toBeVisible()
  await expect(prompt.getByTestId('agent-prompt')).toContainText(
    /"tokendeck header" \(pid \d+.*\) asks for the header of "acme-prod"\./,
  )
  await captureScreen(page, 'agent-approval')
  await prompt.getByRole('button', { name: 'Allow for this session' }).click()
  const got = await asked
  expect(got.code).toBe(0)
  expect(got.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
  deck.secrets.add(got.stdout.trim().split(' ').at(-1)!)
  // The same terminal session again: answered without a prompt.
  expect((await cliHeader(env)).stdout).toBe(got.stdout)
  await expect(prompt).toBeHidden()

  await goTo(page, 'Settings')
  const sessions = page.getByTestId('agent-sessions')
  await expect(sessions).toContainText('"tokendeck header"')
  await expect(sessions.getByTestId('agent-session-scope')).toHaveText('reads tokens')
  await sessions.scrollIntoViewIfNeeded()
  await captureScreen(page, 'agent-sessions')
  await sessions.getByRole('button', { name: 'Revoke' }).click()
  await expect(lastToast(page)).toContainText('Session revoked')
  await expect(page.getByTestId('agent-sessions-empty')).toBeVisible()

  // Revoked: the next request asks again; refusing it leaves the terminal without a header.
  const again = cliHeader(env)
  await expect(prompt).toBeVisible()
  await prompt.getByRole('button', { name: 'Deny' }).click()
  const denied = await again
  expect(denied.code).not.toBe(0)
  expect(denied.stdout).toBe('')

  // Allowed to read again; a revoke from that session asks anew, as a change, and is denied.
  const reading = cliHeader(env)
  await prompt.getByRole('button', { name: 'Allow for this session' }).click()
  expect((await reading).code).toBe(0)
  const revoke = cli(['revoke', 'acme-prod'], env)
  const change = page.getByRole('alertdialog', { name: 'Allow a terminal to change your vault?' })
  await expect(change).toBeVisible()
  await expect(change.getByTestId('agent-prompt')).toContainText(
    /"tokendeck revoke" \(pid \d+.*\) asks to revoke the token of "acme-prod"\. This changes your vault\./,
  )
  await captureScreen(page, 'agent-approval-change')
  await change.getByRole('button', { name: 'Deny' }).click()
  expect((await revoke).code).not.toBe(0)
  expect((await cliHeader(env)).stdout).toBe(got.stdout) // the token was not revoked
})

test('the Activity screen says how many event-log lines could not be verified', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  // A line written outside TokenDeck (another vault's, or hand-edited): it does not open.
  fs.appendFileSync(path.join(deck.app.vaultDir, 'events.jsonl'), '{"b":"other","v":1}\n')
  await goTo(page, 'Activity')
  await expect(page.getByTestId('events-unverified')).toHaveText(
    '1 entry could not be verified: changed or written outside TokenDeck, or sealed with a key since replaced. It is not shown.',
  )
  await expect(page.getByTestId('events')).toContainText('Vault created')
  await captureScreen(page, 'activity-unverified')
})
