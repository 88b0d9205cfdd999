// Knows every provider profile: the built-ins shipped with the app and the ones a user imported.
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { parseProfile, type ProviderProfile } from '../../shared/providers/profile'
import tpstreams from './builtin/tpstreams.json'
import xpay from './builtin/xpay.json'
import classic from './builtin/classic.json'

function mustParse(raw: unknown): ProviderProfile {
  const r = parseProfile(raw)
  if (!r.ok) {
    // A broken built-in is a bug in this repository, caught by the unit tests.
    throw new Error(`Built-in provider profile is invalid: ${JSON.stringify(r.details)}`)
  }
  return r.value
}

/** The three seed providers, validated with the same schema as user profiles. */
export const BUILTIN_PROFILES: readonly ProviderProfile[] = [tpstreams, xpay, classic].map(
  mustParse,
)

export const BUILTIN_IDS = new Set(BUILTIN_PROFILES.map((p) => p.id))

/** A profile name as a person reads it: case, surrounding and repeated spaces, width ignored. */
function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()
}

const BUILTIN_NAMES = new Set(BUILTIN_PROFILES.map((p) => nameKey(p.name)))

/** Parses a user's profile JSON text. Built-in ids and names cannot be shadowed. */
export function parseUserProfile(text: string): Result<ProviderProfile> {
  if (text.length > 256 * 1024)
    return fail('VALIDATION_FAILED', 'A profile file is at most 256 KiB.')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return fail(
      'VALIDATION_FAILED',
      `The file is not valid JSON: ${(e as Error).message.slice(0, 120)}`,
    )
  }
  const parsed = parseProfile(raw)
  if (!parsed.ok) return parsed
  if (BUILTIN_IDS.has(parsed.value.id)) {
    return fail('CONFLICT', `"${parsed.value.id}" is a built-in provider; choose another id.`)
  }
  if (BUILTIN_NAMES.has(nameKey(parsed.value.name))) {
    return fail(
      'CONFLICT',
      `"${parsed.value.name.trim()}" is the name of a built-in provider; choose another name.`,
    )
  }
  return ok(parsed.value)
}

/** Looks profiles up by id: built-ins first, then the user's. Immutable: one per vault state. */
export class ProviderRegistry {
  private readonly custom = new Map<string, ProviderProfile>()

  constructor(
    custom: readonly ProviderProfile[] = [],
    /** Imported profiles that no longer validate (a newer rule refuses them), by id: why. */
    private readonly invalid: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const p of custom) if (!BUILTIN_IDS.has(p.id)) this.custom.set(p.id, p)
  }

  get(id: string): ProviderProfile | undefined {
    return BUILTIN_PROFILES.find((p) => p.id === id) ?? this.custom.get(id)
  }

  list(): ProviderProfile[] {
    return [...BUILTIN_PROFILES, ...this.custom.values()]
  }

  isBuiltin(id: string): boolean {
    return BUILTIN_IDS.has(id)
  }

  /** NOT_FOUND for a provider id with no usable profile, saying why when its import is invalid. */
  missing(id: string): Failure {
    const why = this.invalid.get(id)
    return fail(
      'NOT_FOUND',
      why === undefined
        ? `Provider "${id.slice(0, 40)}" is not installed.`
        : `The imported provider "${id.slice(0, 40)}" no longer passes validation (${why.slice(0, 200)}); import a corrected profile with the same id.`,
    )
  }
}

const registries = new WeakMap<readonly unknown[], ProviderRegistry>()

/**
 * The registry for a vault's imported profiles (the raw JSON kept in the vault), built once per
 * version of that list: a pure function of the data, so reading the vault changes nothing.
 * Imports that no longer validate (written by a newer TokenDeck, say) are left out.
 */
export function registryFor(customProfiles: readonly unknown[]): ProviderRegistry {
  let r = registries.get(customProfiles)
  if (!r) {
    const parsed: ProviderProfile[] = []
    const invalid = new Map<string, string>()
    for (const raw of customProfiles) {
      const p = parseProfile(raw)
      if (p.ok) parsed.push(p.value)
      else {
        const id = (raw as { id?: unknown } | null)?.id
        const first = Array.isArray(p.details?.problems) ? p.details.problems[0] : undefined
        if (typeof id === 'string') invalid.set(id, first ?? p.message)
      }
    }
    r = new ProviderRegistry(parsed, invalid)
    registries.set(customProfiles, r)
  }
  return r
}
