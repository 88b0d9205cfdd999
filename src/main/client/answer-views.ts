// The answer schemas of the client operations that return views (accounts, status, the log,
// profiles): the window's own schemas, so the CLI checks an agent's answer exactly as the IPC
// contract checks main's. Loaded only when such an answer arrives (operations.ts).
import { z } from 'zod'
import {
  checkReportSchema,
  loginResultSchema,
  providerViewSchema,
  revokeReportSchema,
  snapshotSchema,
} from '../../shared/ipc/schemas'
import { profileSchema } from '../../shared/providers/profile'
import {
  accountViewSchema,
  eventListSchema,
  ledgerStatusSchema,
  tokenViewSchema,
} from '../../shared/views'

export {
  z,
  accountViewSchema,
  checkReportSchema,
  eventListSchema,
  ledgerStatusSchema,
  profileSchema,
  providerViewSchema,
}

export const statusAnswer = snapshotSchema.extend({
  unreadableCopies: z.array(z.string()),
  warnBeforeMinutes: z.number(),
})

export const loginAnswer = loginResultSchema.extend({ label: z.string() })

/** A revoke of L's tokens or its organization's, or the dismissal of uncertain ones. */
export const revokeAnswer = revokeReportSchema.partial().extend({
  label: z.string(),
  message: z.string(),
  /** `uncertain`: the tokens dismissed. */
  dismissed: z.array(z.string()).optional(),
})

export const addAnswer = z
  .object({ account: accountViewSchema, token: tokenViewSchema.nullable() })
  .strict()
