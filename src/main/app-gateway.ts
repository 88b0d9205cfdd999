// The desktop app's gateway: runs the header-injecting proxy (src/main/gateway) on 127.0.0.1 while
// the user's vault says `gatewayEnabled`, on its `gatewayPort`, with the access token sealed in
// that vault; restarts on a new port or token, stops when turned off and on quit. It serves the
// user's vault only: while that is locked or the demo is open it keeps listening and answers 503
// VAULT_LOCKED. Plain Node: the composition root and the e2e harness build it the same way.
import { createHash } from 'node:crypto'
import type { GatewayCopyResult, GatewayStatusView } from '../shared/ipc/schemas'
import { fail, ok, type ErrorCode, type Result } from '../shared/result'
import { describePolicy, type Actions, type HeaderCopier } from './actions'
import type { AppSession } from './app-core'
import { actionsSource, startGateway, type RunningGateway } from './gateway'

export interface AppGatewayDeps {
  core: AppSession
  /** The clipboard the window's copies go through (ClipboardGuard: cleared after N s). */
  clipboard: HeaderCopier
  log: (line: string) => void
  /** startGateway; tests may wrap it. */
  start?: typeof startGateway
}

/** What the tray shows of the gateway: nothing when it is off. */
export type GatewaySummary =
  | { state: 'off' }
  | { state: 'running'; port: number }
  | { state: 'failed'; port: number; code: ErrorCode }

interface Running {
  gateway: RunningGateway
  port: number
  /** Kept to restart on lock with the same token (the proxy holds it too while it runs). */
  token: string
  /** It has answered for the unlocked vault since it started: locking restarts it once. */
  served: boolean
}

interface Failed {
  port: number
  code: ErrorCode
  message: string
  /** Port and token digest of the attempt: the same attempt is not retried on every change. */
  attempt: string
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex')
const attemptOf = (port: number, token: string) => `${port}:${digest(token)}`

/** Owns the app's gateway server: when it runs, on which port, and its status for the window. */
export class AppGateway {
  private running: Running | null = null
  private failed: Failed | null = null
  private work: Promise<void> = Promise.resolve()
  private queued: Promise<void> | null = null
  private sawUnlocked = false
  private closed = false
  private readonly listeners = new Set<() => void>()
  private readonly unbind: () => void

  constructor(private readonly deps: AppGatewayDeps) {
    // Settings changes, a new access token, lock, unlock and the demo all reach the vault's
    // change listeners; each one brings the gateway in line.
    this.unbind = deps.core.onChange(() => void this.sync())
  }

  /** The actions of the user's vault while it is unlocked; null otherwise (locked, demo). */
  private actions(): Actions | null {
    return this.deps.core.userActions()
  }

  /** Listens to the gateway starting, stopping, failing or moving. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(): void {
    for (const l of this.listeners) l()
  }

  /**
   * Brings the gateway in line with the settings. Serialised: one reconcile at a time, and calls
   * made while one waits to run share it. Resolves when that reconcile is done.
   */
  sync(): Promise<void> {
    if (this.queued) return this.queued
    const next = this.work
      .then(() => {
        this.queued = null
        return this.reconcile()
      })
      .catch((e: unknown) => {
        this.deps.log(`gateway: sync failed (${e instanceof Error ? e.name : 'error'})`)
      })
    this.queued = next
    this.work = next
    return next
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return
    const a = this.actions()
    if (!a) {
      this.sawUnlocked = false
      // Locked, or the demo is open: keep listening (clients get 503 VAULT_LOCKED), but start
      // afresh once, so nothing the proxy held from the unlocked vault (a header, for up to a
      // second) is served after the lock, and open connections end.
      const r = this.running
      if (r?.served) await this.listen(r.port, r.token, false)
      return
    }
    if (!this.sawUnlocked) {
      // Unlocked again: an attempt that failed before may work now.
      this.sawUnlocked = true
      if (this.failed) this.failed.attempt = ''
    }
    const settings = a.settings.get()
    if (!settings.ok) return
    if (!settings.value.gatewayEnabled) {
      const changed = this.running !== null || this.failed !== null
      await this.stop()
      this.failed = null
      if (changed) this.emit()
      return
    }
    const port = settings.value.gatewayPort
    const token = await a.gateway.accessToken()
    if (!token.ok) {
      await this.stop()
      this.failed = { port, code: token.code, message: token.message, attempt: '' }
      this.emit()
      return
    }
    const r = this.running
    if (r && r.port === port && r.token === token.value) {
      r.served = true
      return
    }
    if (!r && this.failed?.attempt === attemptOf(port, token.value)) return
    await this.listen(port, token.value, true)
  }

  /** (Re)starts the proxy on `port` with `token`. */
  private async listen(port: number, token: string, served: boolean): Promise<void> {
    await this.stop()
    const start = this.deps.start ?? startGateway
    const r = await start({
      source: actionsSource(() => this.actions()),
      accessToken: token,
      port,
      log: this.deps.log,
    })
    if (r.ok) {
      this.running = { gateway: r.value, port: r.value.port, token, served }
      this.failed = null
    } else {
      this.failed = { port, code: r.code, message: r.message, attempt: attemptOf(port, token) }
      this.deps.log(`gateway: not started (${r.code})`)
    }
    this.emit()
  }

  private async stop(): Promise<void> {
    const r = this.running
    if (!r) return
    this.running = null
    await r.gateway.close()
    this.deps.log('gateway: stopped')
  }

  /** For the tray: whether it runs, and where. */
  summary(): GatewaySummary {
    if (this.running) return { state: 'running', port: this.running.port }
    if (this.failed) return { state: 'failed', port: this.failed.port, code: this.failed.code }
    return { state: 'off' }
  }

  /** For the window: state, port, and each account's gateway URL and policy (never a token). */
  status(): GatewayStatusView {
    const r = this.running
    const a = this.actions()
    const targets = a ? a.gateway.targets() : null
    const accounts = targets?.ok
      ? targets.value.map((t) => ({
          accountId: t.accountId,
          label: t.label,
          url: r ? r.gateway.urlFor(t.label) : null,
          baseUrl: t.baseUrl,
          policy: describePolicy(t.policy),
        }))
      : []
    if (r)
      return { state: 'running', port: r.port, origin: r.gateway.origin, failure: null, accounts }
    const f = this.failed
    if (f) {
      const failure = { code: f.code, message: f.message }
      return { state: 'failed', port: f.port, origin: null, failure, accounts }
    }
    return { state: 'off', port: null, origin: null, failure: null, accounts }
  }

  /** The user's vault's actions, or why the gateway cannot answer for it now. */
  private serving(): Result<Actions> {
    const a = this.actions()
    if (a) return ok(a)
    return this.deps.core.isDemo
      ? fail(
          'VAULT_LOCKED',
          'The gateway serves your own vault, not the demo: leave the demo first.',
        )
      : fail('VAULT_LOCKED', 'Unlock the vault first.')
  }

  private clearSeconds(a: Actions): Result<number> {
    const s = a.settings.get()
    return s.ok ? ok(s.value.clipboardClearSeconds) : s
  }

  /** Copies an account's gateway URL (http://127.0.0.1:PORT/LABEL/); cleared like a header. */
  copyUrl(accountId: string): Result<GatewayCopyResult> {
    const a = this.serving()
    if (!a.ok) return a
    const r = this.running
    if (!r) return fail('UNSUPPORTED', 'The gateway is not running: turn it on first.')
    const targets = a.value.gateway.targets()
    if (!targets.ok) return targets
    const t = targets.value.find((x) => x.accountId === accountId)
    if (!t) return fail('NOT_FOUND', 'The gateway serves no such account.')
    const seconds = this.clearSeconds(a.value)
    if (!seconds.ok) return seconds
    this.deps.clipboard.copy(r.gateway.urlFor(t.label), seconds.value)
    return ok({ label: t.label, clearsInSeconds: seconds.value })
  }

  /** Copies the access token (made on first use); the token never leaves main otherwise. */
  async copyAccessToken(): Promise<Result<GatewayCopyResult>> {
    const a = this.serving()
    if (!a.ok) return a
    const token = await a.value.gateway.accessToken()
    if (!token.ok) return token
    const seconds = this.clearSeconds(a.value)
    if (!seconds.ok) return seconds
    this.deps.clipboard.copy(token.value, seconds.value)
    return ok({ clearsInSeconds: seconds.value })
  }

  /** Makes a new access token (the old one stops working) and restarts a running gateway. */
  async newAccessToken(): Promise<Result<GatewayStatusView>> {
    const a = this.serving()
    if (!a.ok) return a
    const token = await a.value.gateway.accessToken({ rotate: true })
    if (!token.ok) return token
    await this.sync()
    return ok(this.status())
  }

  /** On quit: stops listening and writes the last request records. */
  async close(): Promise<void> {
    this.closed = true
    this.unbind()
    await this.work
    await this.stop()
    this.listeners.clear()
  }
}
