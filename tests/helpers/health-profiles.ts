// Test fixture: imported provider profiles that declare a probe and a login rate limit. No seed
// document gives TPStreams a probe endpoint, so the built-in profile has none; these copies of it
// probe the sandbox's GET /api/v1/{organization_id}/assets/ as a user's imported profile would.
import fs from 'node:fs'
import path from 'node:path'

const BUILTIN = path.resolve('src/main/providers/builtin/tpstreams.json')

/** The TPStreams profile as JSON text, with a probe and the given changes (id "tp-probe"). */
export function probingTpstreams(change: Record<string, unknown> = {}): string {
  const p = JSON.parse(fs.readFileSync(BUILTIN, 'utf8')) as Record<string, unknown>
  return JSON.stringify({
    ...p,
    id: 'tp-probe',
    name: 'TPStreams (probed)',
    probe: { method: 'GET', path: '/api/v1/{organization_id}/assets/', success: { status: [200] } },
    ...change,
  })
}
