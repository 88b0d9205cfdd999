// The answer of `header` and `token` checked by hand, for the CLI's quick path (cli/quick-header.ts),
// which loads no zod: the agent's envelope of a value, then exactly issuedSchema (operations.ts),
// field for field, strict as it is. A test holds the two to the same verdict on every case
// (tests/unit/quick-header-agrees-with-protocol.test.ts), so this is a copy that cannot drift.
import type { Issued } from './operations'

const ISSUED_KEYS = ['label', 'tokenId', 'headerName', 'value', 'reused', 'expiresAt']
const OPTIONAL_KEYS = ['warning', 'evicted']

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Only these keys (own, enumerable), and each of `required` present. */
function keysAre(o: Record<string, unknown>, required: string[], optional: string[]): boolean {
  const keys = Object.keys(o)
  return (
    required.every((k) => Object.hasOwn(o, k)) &&
    keys.every((k) => required.includes(k) || optional.includes(k))
  )
}

/** The value of an agent answer `{v: 1, id, ok: true, value}`; undefined for any other line. */
export function valueOfAnswer(raw: unknown, version: number): { value: unknown } | undefined {
  if (!isRecord(raw) || !keysAre(raw, ['v', 'id', 'ok', 'value'], [])) return undefined
  return raw.v === version && typeof raw.id === 'string' && raw.ok === true
    ? { value: raw.value }
    : undefined
}

/** `value` when it is what `header` answers (with `token` as well, for `token`); else null. */
export function issuedAnswer(
  value: unknown,
  withToken: boolean,
): (Issued & { token?: string }) | null {
  if (!isRecord(value)) return null
  const required = withToken ? [...ISSUED_KEYS, 'token'] : ISSUED_KEYS
  if (!keysAre(value, required, OPTIONAL_KEYS)) return null
  const strings = ['label', 'tokenId', 'headerName', 'value', ...(withToken ? ['token'] : [])]
  if (!strings.every((k) => typeof value[k] === 'string')) return null
  if (typeof value.reused !== 'boolean') return null
  const exp = value.expiresAt
  if (exp !== null && (typeof exp !== 'number' || !Number.isFinite(exp))) return null
  if (Object.hasOwn(value, 'warning') && typeof value.warning !== 'string') return null
  if (Object.hasOwn(value, 'evicted')) {
    const e = value.evicted
    if (!isRecord(e) || !keysAre(e, ['label', 'tokenId'], [])) return null
    if (typeof e.label !== 'string' || typeof e.tokenId !== 'string') return null
  }
  return value as Issued & { token?: string }
}
