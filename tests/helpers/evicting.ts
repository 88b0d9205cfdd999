// Test fixture: caps that evict (profile `cap.onExceed: "evictOldest"`): a TPStreams-like imported
// profile whose server, at the cap, mints and ends the organization's oldest token, and the one
// sandbox user both log in as (startTpstreamsSandbox({ cap: EVICT_CAP, onExceed: 'evict',
// users: [EVICT_USER] })).
import builtin from '../../src/main/providers/builtin/tpstreams.json'

export const EVICT_CAP = 3
export const EVICT_USER = { username: 'evict@test', secret: 'evict-secret-1' }

/** A TPStreams-like imported profile whose cap evicts the oldest token instead of refusing. */
export const EVICTING_PROFILE = {
  ...builtin,
  id: 'tps-evicting',
  name: 'Evicting Streams',
  description: 'TPStreams-like, but a login past the cap makes the server end the oldest token.',
  cap: { max: EVICT_CAP, scope: 'organization', onExceed: 'evictOldest' },
}
