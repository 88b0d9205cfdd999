// What the gateway (a surface) needs from the core, as plain data: the accounts it serves with
// their policies, an account's header (with the id of the token inside it), "the server refused
// this token", and a place to record each request. The app and the CLI build one over the
// actions (in process) or over the agent.
import type { Result } from '../../shared/result'
import type { GatewayHeader, GatewayRecord, GatewayTarget } from '../../shared/gateway-policy'

// The data types live in src/shared (the core keeps them too); re-exported for the gateway's files.
export type {
  GatewayHeader,
  GatewayPolicy,
  GatewayRecord,
  GatewayTarget,
} from '../../shared/gateway-policy'

/** The core as the gateway sees it. */
export interface GatewaySource {
  targets(): Promise<Result<GatewayTarget[]>>
  header(label: string): Promise<Result<GatewayHeader>>
  /** The server refused `tokenId` (it becomes suspect); a token minted since is left alone. */
  reject(label: string, tokenId: string): Promise<Result<unknown>>
  record(entries: GatewayRecord[]): Promise<Result<unknown>>
}
