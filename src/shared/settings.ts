// User settings stored in the vault (not secret), shared by main, renderer and CLI.
import { z } from 'zod'

export const settingsSchema = z
  .object({
    clipboardClearSeconds: z.number().int().min(5).max(600).default(30),
    /** 0 means never. */
    autoLockMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(15),
    /** null: the default (on for providers with a token cap, off otherwise). */
    revokeOnReplace: z.boolean().nullable().default(null),
    /** A token expiring within this margin is not handed out; a new one is minted. */
    expirySkewSeconds: z.number().int().min(0).max(3600).default(60),
    /**
     * The app's agent: "ask" shows an approval prompt for the first request of each terminal
     * session; "dont-ask" answers every same-user client (docs/agent.md).
     */
    agentApproval: z.enum(['ask', 'dont-ask']).default('ask'),
    /** The app runs the header-injecting gateway (docs/integrations.md) while it is open. */
    gatewayEnabled: z.boolean().default(false),
    /** The app's gateway listens on 127.0.0.1:gatewayPort (1024-65535). */
    gatewayPort: z.number().int().min(1024).max(65535).default(17380),
    /** A keep-ready account's token is renewed this long before it expires (src/main/renewal.ts). */
    renewBeforeMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(5),
    /**
     * An account whose secret is not remembered (it cannot renew unattended) is warned about this
     * long before its token expires: a notification and a tray line, and `tokendeck status`.
     */
    warnBeforeMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /**
     * After its server refused a token, an account mints its replacement at most once in this many
     * seconds, unless the replacement was since seen to work: a client that provokes 401s (a
     * permission or plan problem on one endpoint) cannot make TokenDeck fill a token cap.
     */
    refusalMintIntervalSeconds: z
      .number()
      .int()
      .min(10)
      .max(24 * 3600)
      .default(60),
    /** An Electron accelerator; empty string disables the shortcut. */
    globalShortcut: z.string().max(60).default('CommandOrControl+Shift+K'),
  })
  .strict()
export type VaultSettings = z.infer<typeof settingsSchema>

/**
 * A partial update from the Settings screen or the CLI: only the keys it names. (zod 4's
 * `partial()` of `settingsSchema` still fills every key left out with its default, so an update
 * of one setting would reset all the others: the gateway would turn off when the clipboard time
 * is saved.)
 */
type SettingsShape = typeof settingsSchema.shape
const patchShape = Object.fromEntries(
  Object.entries(settingsSchema.shape).map(([k, s]) => [k, s.unwrap().optional()]),
) as { [K in keyof SettingsShape]: z.ZodOptional<ReturnType<SettingsShape[K]['unwrap']>> }
export const settingsPatchSchema = z.object(patchShape).strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>
