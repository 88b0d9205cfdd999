// The global shortcut that brings the window up with the search box focused. The accelerator comes
// from the vault's settings ('' disables it) and is re-registered when it changes; a shortcut the
// OS refuses (taken by another app, or invalid) is logged, never fatal.
import type { AppSession } from '../app-core'

export const DEFAULT_SHORTCUT = 'CommandOrControl+Shift+K'

export interface GlobalShortcutPort {
  register(accelerator: string, callback: () => void): boolean
  unregister(accelerator: string): void
}

/** Owns the one registered global shortcut. */
export class GlobalShortcut {
  private registered: string | null = null
  private wanted: string | null = null
  private unfollow: () => void = () => {}

  constructor(
    private readonly port: GlobalShortcutPort,
    private readonly onTrigger: () => void,
    private readonly log: (line: string) => void = () => {},
  ) {}

  get current(): string | null {
    return this.registered
  }

  /** Registers `accelerator` instead of the current one ('' unregisters). */
  apply(accelerator: string): void {
    const next = accelerator.trim()
    if (next === this.wanted) return
    this.wanted = next
    if (this.registered) {
      this.port.unregister(this.registered)
      this.registered = null
    }
    if (next === '') {
      this.log('shortcut: disabled')
      return
    }
    let ok: boolean
    try {
      ok = this.port.register(next, () => this.onTrigger())
    } catch {
      ok = false
    }
    if (ok) {
      this.registered = next
      this.log(`shortcut: registered ${next}`)
    } else {
      this.log(`shortcut: could not register ${next} (taken by another app, or invalid)`)
    }
  }

  /** Follows the vault's setting; keeps the last one while the vault is locked. */
  follow(core: AppSession): void {
    const sync = () => {
      const { protection, settings } = core.actions
      const s = protection.isUnlocked() ? settings.get() : null
      if (s?.ok) this.apply(s.value.globalShortcut)
      else if (this.wanted === null) this.apply(DEFAULT_SHORTCUT)
    }
    this.unfollow()
    this.unfollow = core.onChange(sync)
    sync()
  }

  /** Unregisters and stops following the settings (on quit). */
  dispose(): void {
    this.unfollow()
    this.unfollow = () => {}
    if (this.registered) this.port.unregister(this.registered)
    this.registered = null
    this.wanted = null
  }
}
