// Classic token API emulation: Django-style form signup/login, HTTP 200 failures, 24-hour tokens.
import { copyUser, DEMO_USERS, userMap } from './demo-users'
import { CRLF_INJECTION } from './faults'
import { startHost } from './host'
import type { Route } from './host'
import { credentialFor, jsonReply, mediaTypeOf, randomHex, secretEquals } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import type { SandboxClock, SandboxServer, SandboxUser } from './types'

/** Options of the classic token API sandbox. */
export interface ClassicSandboxOptions {
  /** Default DEMO_USERS.classic. */
  users?: readonly SandboxUser[]
  /** Token lifetime; default 24 hours. */
  tokenTtlMs?: number
  clock?: SandboxClock
}

/** A running classic token API sandbox. */
export interface ClassicSandbox extends SandboxServer {
  readonly name: 'classic'
  readonly tokenTtlMs: number
  /** Invalidates a token as the logout endpoint would; false when it was not valid. */
  revokeToken(token: string): boolean
}

type FormErrors = Record<string, string[]>

const REQUIRED = 'This field is required.'
const TRUE_VALUES = new Set(['true', 'on', '1'])
const USERNAME_RE = /^[\w.@+-]+$/
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The docs' response shape, keys in the docs' (sorted) order. */
function formReply(errors: FormErrors, token: string | null): Reply {
  const sorted = Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b)))
  return jsonReply(200, { errors: sorted, success: token !== null, token })
}

/** A urlencoded form; any other body reads as an empty form, as Django's request.POST does. */
function formOf(req: SandboxRequest): URLSearchParams {
  if (mediaTypeOf(req.headers) !== 'application/x-www-form-urlencoded') {
    return new URLSearchParams()
  }
  return new URLSearchParams(req.body.toString('utf8'))
}

/** Starts a classic token API sandbox on 127.0.0.1 with an OS-chosen port. */
export async function startClassicSandbox(
  opts: ClassicSandboxOptions = {},
): Promise<ClassicSandbox> {
  const users = userMap(opts.users ?? DEMO_USERS.classic)
  const tokenTtlMs = opts.tokenTtlMs ?? 24 * 3_600_000
  const clock = opts.clock ?? { now: () => Date.now() }
  /** Live tokens: username and expiry (epoch ms). */
  const tokens = new Map<string, { username: string; expiresAt: number }>()

  const lookup = (token: string): 'valid' | 'expired' | 'unknown' => {
    const record = tokens.get(token)
    if (!record) return 'unknown'
    return clock.now() < record.expiresAt ? 'valid' : 'expired'
  }
  const mint = (username: string): string => {
    // Expired tokens are kept so the API can say "Token expired." rather than "Invalid token.".
    const token = randomHex(20)
    tokens.set(token, { username, expiresAt: clock.now() + tokenTtlMs })
    return token
  }

  function signup(req: SandboxRequest): Reply {
    const form = formOf(req)
    const errors: FormErrors = {}
    const username = (form.get('username') ?? '').trim()
    const email = (form.get('email') ?? '').trim()
    const password1 = form.get('password1') ?? ''
    const password2 = form.get('password2') ?? ''
    if (!username) errors.username = [REQUIRED]
    else if (username.length > 150 || !USERNAME_RE.test(username)) {
      errors.username = [
        'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
      ]
    } else if (users.has(username)) errors.username = ['A user with that username already exists.']
    if (!email) errors.email = [REQUIRED]
    else if (!EMAIL_RE.test(email)) errors.email = ['Enter a valid email address.']
    if (!password1) errors.password1 = [REQUIRED]
    if (!password2) errors.password2 = [REQUIRED]
    else if (password1 && password1 !== password2) {
      errors.password2 = ["The two password fields didn't match."]
    }
    if (!TRUE_VALUES.has((form.get('accept_tos') ?? '').trim().toLowerCase())) {
      errors.accept_tos = [REQUIRED]
    }
    if (Object.keys(errors).length > 0) return formReply(errors, null)
    users.set(username, { username, secret: password1 })
    return formReply({}, mint(username))
  }

  function login(req: SandboxRequest): Reply {
    const form = formOf(req)
    const username = (form.get('username') ?? '').trim()
    const password = form.get('password') ?? ''
    const errors: FormErrors = {}
    if (!username) errors.username = [REQUIRED]
    if (!password) errors.password = [REQUIRED]
    if (Object.keys(errors).length > 0) return formReply(errors, null)
    const user = users.get(username)
    if (!user || !secretEquals(password, user.secret)) {
      return formReply({ __all__: ['Please enter a correct username and password.'] }, null)
    }
    return formReply({}, mint(username))
  }

  function logout(req: SandboxRequest): Reply {
    const token = credentialFor(req.headers, 'Token')
    const ok = token !== null && lookup(token) === 'valid'
    if (ok) tokens.delete(token)
    return jsonReply(200, { success: ok }, { allow: 'POST, OPTIONS', vary: 'Accept' })
  }

  function me(req: SandboxRequest): Reply {
    const token = credentialFor(req.headers, 'Token')
    if (token === null) {
      return jsonReply(401, { detail: 'Authentication credentials were not provided.' })
    }
    const state = lookup(token)
    if (state !== 'valid') {
      return jsonReply(401, { detail: state === 'expired' ? 'Token expired.' : 'Invalid token.' })
    }
    return jsonReply(200, { username: tokens.get(token)?.username })
  }

  const routes: Route[] = [
    { kind: 'signup', method: 'POST', pattern: /^\/auth\/signup\/?$/, handle: signup },
    { kind: 'login', method: 'POST', pattern: /^\/auth\/login\/?$/, handle: login },
    { kind: 'logout', method: 'POST', pattern: /^\/auth\/logout\/?$/, handle: logout },
    { kind: 'protected', method: 'GET', pattern: /^\/api\/me\/?$/, handle: me },
  ]
  const host = await startHost({
    routes,
    notFound: () => jsonReply(404, { detail: 'Not found.' }),
    methodNotAllowed: (req) => jsonReply(405, { detail: `Method "${req.method}" not allowed.` }),
    tooLarge: () => jsonReply(413, { detail: 'Request body too large.' }),
    crlfReply: () => formReply({}, randomHex(20) + CRLF_INJECTION),
    // The API's own failure: HTTP 200, success false, every field's error repeating what was sent.
    echoReply: (echo) =>
      formReply(
        {
          ...Object.fromEntries(echo.fields.map((f) => [f, [`Not valid in: ${echo.text}`]])),
          __all__: [`Please correct: ${echo.text}`],
        },
        null,
      ),
  })

  return {
    name: 'classic',
    baseUrl: host.baseUrl,
    stats: host.stats,
    tokenTtlMs,
    setFault: host.setFault,
    isTokenValid: (token) => lookup(token) === 'valid',
    liveTokenCount: () => [...tokens.keys()].filter((t) => lookup(t) === 'valid').length,
    addUser: (user) => void users.set(user.username, copyUser(user)),
    revokeToken: (token) => lookup(token) === 'valid' && tokens.delete(token),
    close: host.close,
  }
}
