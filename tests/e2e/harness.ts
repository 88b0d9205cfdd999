// The e2e harness: the built renderer in Chromium, talking to the real main-process services.
// startTestApp() builds the AppCore and the same handler table src/main/ipc/register.main.ts uses;
// one page binding calls that table, and an init script builds `window.tokendeck` with the
// preload's own createApi, so the page cannot tell it from Electron. AppCore.onChange reaches
// the page's subscribe as the vault:state-changed event (the agent's and the gateway's changes
// as theirs, the logins waiting in the browser as vault:login-prompts). Every answer the page
// receives is recorded, and no token, password, secret key or gateway access token may ever
// appear in one. The browser a login page opens in is a recorder (`deck.app.opened`).
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Page } from '@playwright/test'
import type { OauthSandboxOptions, SandboxSet } from '../../src/main/sandbox'
import type { Clock } from '../../src/shared/clock'
import { EVENTS, INVOKE_CHANNELS, type InvokeChannel } from '../../src/shared/ipc/channels'
import type { Result } from '../../src/shared/result'
import type { TestApp } from '../helpers/app'
import type * as MainEntry from './main-entry'
import { API_BUNDLE, IPC_LOG_DIR, MAIN_BUNDLE, RENDERER_DIR } from './paths'
import { serveStatic, type StaticServer } from './static-server'

type MainBundle = typeof MainEntry
let main: Promise<MainBundle> | null = null

/** The main-process services, from the bundle global-setup.ts built. */
export function loadMain(): Promise<MainBundle> {
  main ??= import(pathToFileURL(MAIN_BUNDLE).href) as Promise<MainBundle>
  return main
}

/** A clock main and the sandbox share, moved by the test (the page's is moved with page.clock). */
export class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
}

export interface DeckOptions {
  clock?: ManualClock
  /** Another deck's sandbox providers (two apps on two machines, one provider server). */
  sandbox?: SandboxSet
  /** The OAuth sandbox's options (a short device-flow interval). */
  oauth?: OauthSandboxOptions
  /** The wait between device-flow polls (AppCore's `wait`). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
}

interface Recorded {
  channel: string
  json: string
}

const INIT_SCRIPT = `(() => {
  const listeners = new Map()
  const subscribe = (channel, listener) => {
    let set = listeners.get(channel)
    if (!set) listeners.set(channel, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }
  Object.defineProperty(window, '__tokendeckEmit', {
    value: (channel, payload) => {
      for (const l of [...(listeners.get(channel) || [])]) l(payload)
    },
  })
  // The answer travels as JSON text: Playwright's binding walks a returned object value by value
  // (about half a second for 1,000 accounts), where Electron's IPC copies it in one structured
  // clone; text parsed here costs what Electron's copy does.
  const invoke = async (channel, payload) => JSON.parse(await window.__tokendeckInvoke(channel, payload))
  Object.defineProperty(window, 'tokendeck', {
    value: Object.freeze(TokenDeckHarness.createApi(invoke, subscribe)),
  })
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile)
  })
})()`

/** One running app (services, sandbox, static server) and the page showing it. */
export class Deck {
  readonly recorded: Recorded[] = []
  readonly secrets = new Set<string>()
  readonly consoleErrors: string[] = []
  private offChange: () => void = () => {}
  private offAgent: () => void = () => {}
  private offGateway: () => void = () => {}
  private offLogins: () => void = () => {}
  /** User codes of device logins shown: put on the clipboard by "Copy code", not tokens. */
  private readonly userCodes = new Set<string>()
  private closed = false

  private constructor(
    readonly page: Page,
    readonly app: TestApp,
    readonly server: StaticServer,
    readonly clock: ManualClock | undefined,
    readonly demoUsers: MainBundle['DEMO_USERS'],
  ) {
    for (const list of Object.values(demoUsers)) for (const u of list) this.secrets.add(u.secret)
  }

  static async start(page: Page, opts: DeckOptions = {}): Promise<Deck> {
    const { startTestApp, DEMO_USERS } = await loadMain()
    const app = await startTestApp({
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
      ...(opts.oauth ? { oauth: opts.oauth } : {}),
      ...(opts.wait ? { wait: opts.wait } : {}),
      agent: true,
    })
    const server = await serveStatic(RENDERER_DIR)
    return new Deck(page, app, server, opts.clock, DEMO_USERS)
  }

  get sandbox() {
    return this.app.sandbox
  }

  /** Wires the page to the handler table and loads the renderer. */
  async open(): Promise<void> {
    const { page } = this
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text())
    })
    page.on('pageerror', (e) => this.consoleErrors.push(`pageerror: ${e.message}`))
    await page.exposeBinding('__tokendeckInvoke', async (_source, channel: unknown, payload) => {
      let r: Result<unknown>
      if (typeof channel !== 'string' || !INVOKE_CHANNELS.includes(channel as InvokeChannel)) {
        r = { ok: false, code: 'VALIDATION_FAILED', message: 'Unknown channel.' }
      } else {
        r = await this.app.handlers[channel as InvokeChannel](payload)
      }
      const json = JSON.stringify(r)
      this.recorded.push({ channel: String(channel), json })
      return json
    })
    await page.addInitScript(`${fs.readFileSync(API_BUNDLE, 'utf8')}\n${INIT_SCRIPT}`)
    this.offChange = this.app.core.onChange((reason) => void this.emit(reason))
    this.offAgent = this.app.onAgentChange(() => void this.emitTo(EVENTS.agentChanged, undefined))
    this.offGateway = this.app.gateway.onChange(
      () => void this.emitTo(EVENTS.gatewayChanged, undefined),
    )
    this.offLogins = this.app.onLoginPrompts((prompts) => {
      for (const p of prompts) if (p.userCode) this.userCodes.add(p.userCode)
      void this.emitTo(EVENTS.loginPrompts, prompts)
    })
    await page.goto(this.server.url)
  }

  /** Sends vault:state-changed to the page, as register.main.ts does in Electron. */
  async emit(reason: string): Promise<void> {
    await this.emitTo(EVENTS.stateChanged, { reason })
  }

  private async emitTo(channel: string, payload: unknown): Promise<void> {
    this.recorded.push({ channel, json: JSON.stringify(payload ?? null) })
    await this.page
      .evaluate(
        ([channel, p]) => {
          const w = globalThis as unknown as { __tokendeckEmit?: (c: string, x: unknown) => void }
          w.__tokendeckEmit?.(channel, p)
        },
        [channel, payload] as const,
      )
      .catch(() => {
        /* the page is navigating or closed */
      })
  }

  /** Remembers a secret the test typed (a passphrase, a password) for the no-secrets check. */
  secret<T extends string>(value: T): T {
    this.secrets.add(value)
    return value
  }

  /** Calls main directly (not as the page: not recorded). */
  async call<T = unknown>(channel: InvokeChannel, payload?: unknown): Promise<T> {
    const r = await this.app.handlers[channel](payload)
    if (!r.ok) throw new Error(`${channel}: ${r.code} ${r.message}`)
    return r.value as T
  }

  /** Texts put on the (recording) clipboard, oldest first. */
  copies(): string[] {
    return this.app.copier.copies.map((c) => c.text)
  }

  lastCopy(): { text: string; clearAfterSeconds: number } {
    const c = this.app.copier.copies.at(-1)
    if (!c) throw new Error('nothing was copied')
    return c
  }

  /**
   * Every token known to exist: the copied ones (headers, gateway access tokens; not gateway
   * URLs), those the ledger still holds (refresh tokens too), and the gateway's access token.
   */
  tokens(): string[] {
    const out = new Set<string>()
    for (const text of this.copies()) {
      if (!/^https?:\/\//.test(text) && !this.userCodes.has(text)) out.add(text.split(' ').at(-1)!)
    }
    const { vault } = this.app.core.current
    const data = vault.unlocked ? vault.readUnlocked() : null
    if (data?.ok) {
      const access = data.value.gateway?.accessToken
      if (access) out.add(access)
      for (const t of data.value.tokens) {
        const acc = data.value.accounts.find((a) => a.id === t.accountId)
        if (!acc) continue
        // Refresh tokens are secrets too (an expired token may still hold one).
        const r = t.refresh
          ? vault.storage.openSecret(`token/${t.id}/refresh`, acc, t.refresh.secret)
          : null
        if (r?.ok) out.add(r.value)
        if (!t.secret) continue
        const s = vault.storage.openSecret(`token/${t.id}`, acc, t.secret)
        if (s.ok) out.add(s.value)
      }
    }
    return [...out]
  }

  /** Adds every token the ledger holds now to the secrets (call before revoking them). */
  rememberTokens(): void {
    for (const t of this.tokens()) this.secrets.add(t)
  }

  /** Throws if any recorded answer holds a token, password, passphrase or secret key. */
  assertNoSecrets(): void {
    const secrets = [...this.secrets, ...this.tokens()].filter((s) => s.length >= 4)
    for (const r of this.recorded) {
      for (const s of secrets) {
        if (r.json.includes(s)) {
          throw new Error(`a secret reached the page in the answer on ${r.channel}`)
        }
      }
    }
  }

  /** Ends the test: checks the invariant, keeps the record for the suite-wide check, closes. */
  async finish(name: string): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.offChange()
    this.offAgent()
    this.offGateway()
    this.offLogins()
    const tokens = this.tokens()
    fs.mkdirSync(IPC_LOG_DIR, { recursive: true })
    const file = path.join(IPC_LOG_DIR, `${name.replace(/[^a-z0-9-]+/gi, '_').slice(0, 80)}.json`)
    fs.writeFileSync(
      file,
      JSON.stringify({ secrets: [...this.secrets, ...tokens], recorded: this.recorded }),
    )
    try {
      this.assertNoSecrets()
    } finally {
      await this.app.close()
      await this.server.close()
    }
  }
}
