// Renewal that survives sleep: keeps a valid token ready for accounts that ask for it (renewing
// `renewBeforeMinutes` before expiry through the core's login, which refreshes where it can), and
// warns `warnBeforeMinutes` before expiry about accounts that cannot renew unattended (their secret
// is not remembered): once per token, as a desktop notification. Plain Node: the time is the
// injected Clock's wall-clock time, re-read on every check; timers only wake the check up (at most
// MAX_SLEEP_MS apart, since a monotonic timer pauses while the machine sleeps), and a resume from
// sleep, an unlock or any vault change checks again at once.
import type { Clock } from '../shared/clock'
import type { Result } from '../shared/result'
import type { VaultSettings } from '../shared/settings'
import { expiresSoonCannotRenew, isCurrent } from '../shared/state'
import type { AccountView } from '../shared/views'
import type { Notice, NotificationPort } from './notifications'
import type { Timers } from './platform/timers'
import type { AppSession } from './app-core'

/** The longest a check waits between wake-ups, whatever the next due time. */
export const MAX_SLEEP_MS = 60_000
/** A renewal that failed is not tried again for this long (unless the vault changes it). */
export const RETRY_AFTER_MS = 5 * 60_000

/** The machine's power events that matter here (Electron's powerMonitor in the app). */
export interface ResumePort {
  on(event: 'resume', listener: () => void): unknown
  removeListener(event: 'resume', listener: () => void): unknown
}

/** What renewal needs of the app: its accounts and settings, a login, and change events. */
export interface RenewalCorePort {
  /** Accounts and settings of the open vault; null while it is locked (or there is none). */
  read(): { accounts: AccountView[]; settings: VaultSettings } | null
  /**
   * The core's login for the account (`force`: a new token although one is still current, by a
   * refresh where the account holds a refresh token).
   */
  renew(accountId: string, force: boolean): Promise<Result<unknown>>
  onChange(listener: () => void): () => void
}

/** What a check decided, for one account: renew it now, warn about it, or wake up later. */
export type RenewalStep =
  | { kind: 'renew'; accountId: string; force: boolean }
  | { kind: 'warn'; accountId: string; tokenId: string; expiresAt: number }

/**
 * The pure part: at `now`, which keep-ready accounts are due (no current token that lasts past
 * the lead time; an expired or missing one too, e.g. after a long sleep) and which accounts
 * that cannot renew are within the warning time, and when the next of these falls due.
 */
export function planRenewal(
  accounts: readonly AccountView[],
  settings: Pick<VaultSettings, 'renewBeforeMinutes' | 'warnBeforeMinutes' | 'expirySkewSeconds'>,
  now: number,
): { steps: RenewalStep[]; nextAt: number | null } {
  const renewMs = settings.renewBeforeMinutes * 60_000
  const warnMs = settings.warnBeforeMinutes * 60_000
  const skewMs = settings.expirySkewSeconds * 1000
  const steps: RenewalStep[] = []
  let nextAt: number | null = null
  const later = (at: number) => {
    if (at > now && (nextAt === null || at < nextAt)) nextAt = at
  }
  for (const a of accounts) {
    const soon = expiresSoonCannotRenew(a, now, warnMs)
    if (soon)
      steps.push({ kind: 'warn', accountId: a.id, tokenId: soon.id, expiresAt: soon.expiresAt! })
    else if (!a.remember && a.current?.expiresAt != null) later(a.current.expiresAt - warnMs)
    if (!a.keepReady || !a.remember) continue
    const t = a.current
    if (t && t.expiresAt === null) continue
    const lasts = t !== null && isCurrent(t, now, skewMs) && t.expiresAt! - renewMs > now
    if (lasts) later(t.expiresAt! - renewMs)
    else steps.push({ kind: 'renew', accountId: a.id, force: t !== null })
  }
  return { steps, nextAt }
}

export interface RenewalDeps {
  core: RenewalCorePort
  clock: Clock
  timers: Timers
  power: ResumePort
  notifications: NotificationPort
  log?: (line: string) => void
}

/** Owns the keep-ready renewals and the cannot-renew warnings of the open vault. */
export class Renewal {
  private timer: unknown = null
  private running: Promise<void> | null = null
  private again = false
  /** Token ids already warned about (one notification per token). */
  private readonly warned = new Set<string>()
  /** Account id -> wall-clock time before which a failed renewal is not tried again. */
  private readonly backoff = new Map<string, number>()
  private stopListening: () => void = () => {}
  private readonly onResume = () => {
    this.log('renewal: resumed from sleep; checking')
    void this.check()
  }
  private readonly log: (line: string) => void

  constructor(private readonly deps: RenewalDeps) {
    this.log = deps.log ?? (() => {})
  }

  start(): void {
    this.deps.power.on('resume', this.onResume)
    // Unlock, lock, a new token, a setting: every vault change re-plans from the wall clock.
    this.stopListening = this.deps.core.onChange(() => void this.check())
    void this.check()
  }

  /** Checks now (coalesced: a check asked for while one runs runs once more after it). */
  check(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.checkOnce()
        } while (this.again)
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  /** Resolves once no check runs (tests; quit). Starts none. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private async checkOnce(): Promise<void> {
    this.clearTimer()
    const read = this.deps.core.read()
    if (!read) return
    const now = this.deps.clock.now()
    const { steps, nextAt } = planRenewal(read.accounts, read.settings, now)
    const byId = new Map(read.accounts.map((a) => [a.id, a]))
    let wake = nextAt
    for (const step of steps) {
      const a = byId.get(step.accountId)!
      if (step.kind === 'warn') {
        if (this.warned.has(step.tokenId)) continue
        this.warned.add(step.tokenId)
        this.deps.notifications.show(cannotRenewNotice(a, step.expiresAt, now))
        this.log('renewal: warned (cannot renew unattended)')
        continue
      }
      const until = this.backoff.get(a.id)
      if (until !== undefined && until > now) {
        if (wake === null || until < wake) wake = until
        continue
      }
      const r = await this.deps.core.renew(a.id, step.force)
      if (r.ok) {
        this.backoff.delete(a.id)
        this.log('renewal: renewed a keep-ready token')
      } else {
        this.backoff.set(a.id, this.deps.clock.now() + RETRY_AFTER_MS)
        this.log(`renewal: could not renew (${r.code})`)
        this.deps.notifications.show({
          title: `TokenDeck could not renew ${a.label}`,
          body: `${r.message} It tries again in ${RETRY_AFTER_MS / 60_000} minutes.`,
        })
      }
    }
    this.schedule(wake)
  }

  private schedule(at: number | null): void {
    const now = this.deps.clock.now()
    const ms = at === null ? MAX_SLEEP_MS : Math.min(Math.max(at - now, 0), MAX_SLEEP_MS)
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null
      void this.check()
    }, ms)
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer)
    this.timer = null
  }

  dispose(): void {
    this.clearTimer()
    this.stopListening()
    this.deps.power.removeListener('resume', this.onResume)
  }
}

/** The desktop notification for an account whose token expires soon and cannot renew. */
export function cannotRenewNotice(a: AccountView, expiresAt: number, now: number): Notice {
  const mins = Math.max(1, Math.round((expiresAt - now) / 60_000))
  return {
    title: `${a.label}: token expires in ${mins} min`,
    body: `${a.label} does not remember its secret, so TokenDeck cannot renew its token unattended. Log in with it before the token expires.`,
  }
}

/** The app core as renewal sees it: the open vault (user's or demo), logins on the renewal surface. */
export function renewalCorePort(core: AppSession): RenewalCorePort {
  return {
    read() {
      if (!core.actions.protection.isUnlocked()) return null
      const accounts = core.actions.views.accounts()
      const settings = core.actions.settings.get()
      return accounts.ok && settings.ok
        ? { accounts: accounts.value, settings: settings.value }
        : null
    },
    renew: (accountId, force) =>
      core.actions.tokens.login(accountId, { force, renew: force }, 'renewal'),
    onChange: (listener) => core.onChange(listener),
  }
}
