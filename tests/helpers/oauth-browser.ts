// What a person does in an OAuth login, for the engine's tests: their browser at the sandbox's
// consent page (opens the authorization URL, signs in with Allow or Deny, follows the redirect to
// TokenDeck's loopback listener), and a login run with a prompt hub whose steps they act on.
import type { LoginInput, MintedToken, ProviderEngine } from '../../src/main/providers/engine'
import { LoginPrompts } from '../../src/main/providers/login-prompts'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import type { Result } from '../../src/shared/result'

export interface BrowserVisit {
  /** The redirect's target: TokenDeck's loopback listener, with `code`/`error` and `state`. */
  back: URL
  /** What the listener answered the browser. */
  landed: { status: number; text: string }
}

export async function consentInBrowser(
  authorizeUrl: string,
  o: { username: string; password: string; decision?: 'allow' | 'deny' },
): Promise<BrowserVisit> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' })
  const html = await page.text()
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}: ${html}`)
  const requestId = /name="request_id" value="([0-9a-f]+)"/.exec(html)?.[1]
  if (!requestId) throw new Error('the consent page has no request_id')
  const answer = await fetch(new URL('/oauth/authorize/decision', authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      request_id: requestId,
      username: o.username,
      password: o.password,
      decision: o.decision ?? 'allow',
    }),
    redirect: 'manual',
  })
  const location = answer.headers.get('location')
  if (answer.status !== 302 || !location) {
    throw new Error(`the decision answered ${answer.status}, not a redirect`)
  }
  const back = new URL(location)
  const landed = await fetch(back)
  return { back, landed: { status: landed.status, text: await landed.text() } }
}

/**
 * One engine login that needs a person, as the token service runs it: a prompt hub, `act` called
 * with each step shown (a person approving a code, a browser signing in), the login ended.
 * Answers the login's result and the steps shown.
 */
export async function loginAsPerson(
  engine: ProviderEngine,
  input: Omit<LoginInput, 'interaction'>,
  act: (p: LoginPromptView, hub: LoginPrompts) => void | Promise<void>,
): Promise<{ r: Result<MintedToken>; shown: LoginPromptView[] }> {
  const hub = new LoginPrompts()
  const shown: LoginPromptView[] = []
  const acting: Promise<void>[] = []
  hub.subscribe((e) => {
    if (e.type !== 'shown') return
    shown.push(e.prompt)
    acting.push(Promise.resolve(act(e.prompt, hub)))
  })
  const run = hub.begin({ accountId: 'a1', label: 'dev', provider: input.profile.name })
  const r = await engine.login({ ...input, interaction: run.interaction })
  run.end(r.ok ? 'done' : 'failed')
  await Promise.all(acting)
  return { r, shown }
}
