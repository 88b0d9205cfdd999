// `tokendeck log --type TYPE --surface SURFACE`: each repeatable or comma-separated, checked
// against the log's own vocabulary (event-types.ts) before the vault or the agent is asked. Light
// on purpose: the agent path of `log` loads it.
import { EVENT_TYPES, SURFACES, type EventType, type Surface } from '../../shared/event-types'
import { ok, type Result } from '../../shared/result'
import { list, type Ctx, type ListFlag } from './ctx'
import { usage } from './io'

export interface LogFilters {
  types?: EventType[]
  surfaces?: Surface[]
}

/** The words given to one flag, split at commas, without repeats; undefined when none. */
function words<T extends string>(
  ctx: Ctx,
  flag: ListFlag,
  known: readonly T[],
  what: string,
): Result<T[] | undefined> {
  const given = list(ctx, flag).flatMap((x) => x.split(','))
  if (given.length === 0) return ok(undefined)
  const out: T[] = []
  for (const raw of given) {
    const w = raw.trim().toLowerCase()
    if (!(known as readonly string[]).includes(w)) {
      return usage(
        `--${flag}: "${raw.trim().slice(0, 40)}" is not ${what}; one of ${known.join(', ')}.`,
      )
    }
    if (!out.includes(w as T)) out.push(w as T)
  }
  return ok(out)
}

/** The --type and --surface filters of `tokendeck log`. */
export function logFilters(ctx: Ctx): Result<LogFilters> {
  const types = words(ctx, 'type', EVENT_TYPES, 'an event type')
  if (!types.ok) return types
  const surfaces = words(ctx, 'surface', SURFACES, 'a surface')
  if (!surfaces.ok) return surfaces
  return ok({
    ...(types.value ? { types: types.value } : {}),
    ...(surfaces.value ? { surfaces: surfaces.value } : {}),
  })
}
