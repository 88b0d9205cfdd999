// The gateway surface: the proxy, its sources over the core, and its types.
export { ACCESS_HEADER, REPLAY_LIMIT, startGateway } from './proxy'
export type { GatewayOptions, RunningGateway } from './proxy'
export { actionsSource } from './sources'
export type {
  GatewayHeader,
  GatewayPolicy,
  GatewayRecord,
  GatewaySource,
  GatewayTarget,
} from './types'
