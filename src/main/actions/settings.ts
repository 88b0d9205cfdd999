// Settings actions: read and change the vault's settings (stored in the vault, not secret).
import type { Result } from '../../shared/result'
import type { SettingsPatch, VaultSettings } from '../../shared/settings'
import type { ActionDeps } from './context'

export function settingsActions(deps: ActionDeps) {
  return {
    get: (): Result<VaultSettings> => deps.services().vault.settings(),
    update: (patch: SettingsPatch): Promise<Result<VaultSettings>> =>
      deps.services().vault.updateSettings(patch),
  }
}

export type SettingsActions = ReturnType<typeof settingsActions>
