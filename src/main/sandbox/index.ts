// Public entry of the sandbox: local servers emulating TPStreams, xpay, the classic token API and
// an OAuth 2.0 authorization server with its JWT API.
// Plain Node (no electron): used by the tests, demo mode and `tokendeck sandbox`.
import { startClassicSandbox } from './classic'
import type { ClassicSandbox, ClassicSandboxOptions } from './classic'
import { startTpstreamsSandbox } from './tpstreams'
import type { TpstreamsSandbox, TpstreamsSandboxOptions } from './tpstreams'
import type { SandboxClock } from './types'
import { startXpaySandbox } from './xpay'
import type { XpaySandbox, XpaySandboxOptions } from './xpay'
import { startOauthSandbox } from './oauth'
import type { GrantKind, OauthClient, OauthSandbox, OauthSandboxOptions } from './oauth'

export { startClassicSandbox, startTpstreamsSandbox, startXpaySandbox, startOauthSandbox }
export type { GrantKind, OauthClient, OauthSandbox, OauthSandboxOptions }
export { DEMO_OAUTH_CLIENTS } from './oauth-clients'
export type { ClassicSandbox, ClassicSandboxOptions }
export type { TpstreamsSandbox, TpstreamsSandboxOptions }
export type { XpaySandbox, XpaySandboxOptions }
export { DEMO_USERS } from './demo-users'
export { CRLF_INJECTION, MALFORMED_JSON_BODY } from './faults'
export type { Echo, EchoEncoding, Fault, FaultRoute } from './faults'
export type {
  SandboxClock,
  SandboxServer,
  SandboxStats,
  SandboxUser,
  SetFaultOptions,
} from './types'

/** Options of `startSandbox`: a shared clock and per-provider options. */
export interface SandboxOptions {
  /** Shared by all three unless a provider's own options give one. */
  clock?: SandboxClock
  tpstreams?: TpstreamsSandboxOptions
  xpay?: XpaySandboxOptions
  classic?: ClassicSandboxOptions
  oauth?: OauthSandboxOptions
}

/** All three sandbox servers, closed together. */
export interface SandboxSet {
  tpstreams: TpstreamsSandbox
  xpay: XpaySandbox
  classic: ClassicSandbox
  /** The OAuth-style JWT API (refresh tokens); no built-in profile, see docs/providers.md. */
  oauth: OauthSandbox
  close(): Promise<void>
}

/** Starts all three servers; if one fails to start, the others are closed again. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxSet> {
  const withClock = <T extends { clock?: SandboxClock }>(o: T | undefined): T =>
    ({ ...o, clock: o?.clock ?? opts.clock }) as T
  const started = await Promise.allSettled([
    startTpstreamsSandbox(withClock(opts.tpstreams)),
    startXpaySandbox(withClock(opts.xpay)),
    startClassicSandbox(withClock(opts.classic)),
    startOauthSandbox(withClock(opts.oauth)),
  ])
  const [tpstreams, xpay, classic, oauth] = started
  if (
    tpstreams?.status !== 'fulfilled' ||
    xpay?.status !== 'fulfilled' ||
    classic?.status !== 'fulfilled' ||
    oauth?.status !== 'fulfilled'
  ) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : null)))
    const failure = started.find((s) => s.status === 'rejected')
    throw failure?.status === 'rejected' ? failure.reason : new Error('sandbox failed to start')
  }
  const servers = {
    tpstreams: tpstreams.value,
    xpay: xpay.value,
    classic: classic.value,
    oauth: oauth.value,
  }
  return {
    ...servers,
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()))
    },
  }
}
