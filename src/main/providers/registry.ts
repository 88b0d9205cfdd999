// Knows every provider profile: the built-ins shipped with the app and the ones a user imported.
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { shownName, skeleton } from '../../shared/providers/lookalike'
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
/** Each built-in by the skeleton of its id and of its name (what they look like). */
const BUILTIN_ID_LOOKS = new Map(BUILTIN_PROFILES.map((p) => [skeleton(p.id), p]))
const BUILTIN_NAME_LOOKS = new Map(BUILTIN_PROFILES.map((p) => [skeleton(p.name), p]))

/**
 * Why a custom profile cannot stand beside the built-ins, or null: it takes a built-in's id or
 * name, or one that looks like it (confusable letters, invisible characters, width, accents,
 * punctuation: lookalike.ts), so a person picking a provider could take it for the built-in.
 */
export function builtinClash(p: Pick<ProviderProfile, 'id' | 'name'>): Failure | null {
  if (BUILTIN_IDS.has(p.id)) {
    return fail('CONFLICT', `"${p.id}" is a built-in provider; choose another id.`)
  }
  if (BUILTIN_NAMES.has(nameKey(p.name))) {
    return fail(
      'CONFLICT',
      `"${p.name.trim()}" is the name of a built-in provider; choose another name.`,
    )
  }
  const byId = BUILTIN_ID_LOOKS.get(skeleton(p.id))
  if (byId) {
    return fail(
      'CONFLICT',
      `The id "${p.id}" looks like the built-in provider id "${byId.id}"; choose an id that cannot be mistaken for it.`,
    )
  }
  const byName = BUILTIN_NAME_LOOKS.get(skeleton(p.name))
  if (byName) {
    return fail(
      'CONFLICT',
      `The name "${shownName(p.name.trim()).slice(0, 120)}" looks like the built-in provider "${byName.name}"; choose a name that cannot be mistaken for it.`,
    )
  }
  return null
}

/** Parses a user's profile JSON text. Built-in ids and names, and lookalikes, cannot be taken. */
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
  return builtinClash(parsed.value) ?? ok(parsed.value)
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
 * Imports that no longer validate (written by a newer TokenDeck, say, or imported before a rule
 * such as the lookalike one) are left out.
 */
export function registryFor(customProfiles: readonly unknown[]): ProviderRegistry {
  let r = registries.get(customProfiles)
  if (!r) {
    const parsed: ProviderProfile[] = []
    const invalid = new Map<string, string>()
    for (const raw of customProfiles) {
      const p = parseProfile(raw)
      if (p.ok) {
        // Imported before lookalikes were refused: kept out, saying why (a built-in's own id
        // was never importable and is left out silently, as the registry always did).
        const clash = BUILTIN_IDS.has(p.value.id) ? null : builtinClash(p.value)
        if (clash) invalid.set(p.value.id, clash.message)
        else parsed.push(p.value)
      } else {
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
