// What a login needs a person to do in a browser, as every surface shows it: the device flow's
// code and the page to type it on, or the authorization page a browser opens. No secret: the
// PKCE verifier, the device code and the state's check stay in the engine.

export interface LoginPromptView {
  /** This prompt, for the surfaces that open or cancel it. */
  id: string
  accountId: string
  /** The account's label and its provider's name, for the words around the code. */
  label: string
  provider: string
  /** `device`: type `userCode` at `url`; `browser`: sign in at `url`, which comes back here. */
  kind: 'device' | 'browser'
  /** The verification page (device) or the authorization URL (browser). https, or loopback. */
  url: string
  /** The device flow's code as the server gave it (e.g. "WDJB-MJHT"); null in the browser. */
  userCode: string | null
  /** When the server stops accepting it (epoch ms). */
  expiresAt: number
}

/** How a prompt ended: the login went on to exchange, failed, or the person cancelled it. */
export type LoginPromptOutcome = 'done' | 'failed' | 'cancelled'

export type LoginPromptEvent =
  | { type: 'shown'; prompt: LoginPromptView }
  | { type: 'ended'; id: string; accountId: string; outcome: LoginPromptOutcome }
