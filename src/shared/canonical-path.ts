// The one reading of a gateway path: percent-decoded once into segments, refused when any server
// on the way could read it another way (dot segments at any encoding layer, `;` parameters,
// backslashes, encoded slashes, control characters, bad encodings), then re-encoded one way only.
// What the policy checks and what goes upstream are the same string.
import { hasControls } from './controls'

/** Longer paths (as received, or once re-encoded) are refused. */
export const MAX_PATH_LENGTH = 8192

/** Why a path was refused, in words for the client. */
export interface PathProblem {
  tooLong?: true
  reason: string
}

export type CanonicalPath =
  | { ok: true; /** Re-encoded, starting with "/". */ path: string; segments: string[] }
  | { ok: false; problem: PathProblem }

// RFC 3986 unreserved characters and the sub-delimiters that no server reads as structure inside
// a segment: these are sent as themselves, everything else percent-encoded. `+` is encoded, so a
// server that reads it as a space (form decoding) and one that does not agree; `;` never
// reaches this point.
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*,=:@]$/
const HEX = /^[0-9A-Fa-f]{2}$/
const ESCAPE = /%[0-9A-Fa-f]{2}/
const utf8 = new TextDecoder('utf-8', { fatal: true })

const refused = (reason: string): CanonicalPath => ({ ok: false, problem: { reason } })

/** `%XX` escapes to bytes, then strict UTF-8; null for a bad escape or bad UTF-8. */
function percentDecode(seg: string): string | null {
  if (!seg.includes('%')) return seg
  const bytes: number[] = []
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i)
    if (c === 0x25) {
      const hex = seg.slice(i + 1, i + 3)
      if (!HEX.test(hex)) return null
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(c) // printable ASCII only (checked before)
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes))
  } catch {
    return null
  }
}

/** What is wrong with one decoded segment, in any reading a server might give it; null if fine. */
function segmentProblem(decoded: string): string | null {
  // NFKC: some servers fold compatibility characters (a fullwidth full stop or solidus, a
  // two-dot leader) into their ASCII forms before routing.
  for (const s of [decoded, decoded.normalize('NFKC')]) {
    if (s.includes('/')) return 'An encoded slash (%2F) inside a path segment is refused.'
    if (s.includes('\\')) return 'A backslash (raw or encoded) is refused in the path.'
    if (s.includes(';')) {
      return 'A ";" in the path (path parameters, "..;") is refused: servers read it differently.'
    }
    // No path has them (controls.ts: C0, C1, DEL, line separators, bidi), and some servers cut
    // the path at NUL.
    if (hasControls(s)) return 'Control characters (raw or encoded) are refused in the path.'
    if (ESCAPE.test(s)) {
      return 'A percent sign encoded again (%25 followed by an escape, as in %252e) is refused: a server that decodes twice reads another path.'
    }
    // ".", "..", and forms Windows servers shorten to them ("...", ".. ").
    if (/^[. ]+$/.test(s) && s.includes('.')) {
      return 'The path may not contain . or .. segments (raw or percent-encoded).'
    }
  }
  return null
}

const utf8Encoder = new TextEncoder()

function encodeSegment(decoded: string): string {
  let out = ''
  for (const ch of decoded) {
    if (LITERAL.test(ch)) {
      out += ch
      continue
    }
    for (const b of utf8Encoder.encode(ch))
      out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * The canonical form of `raw` (a path as received, still percent-encoded, starting with "/"):
 * each segment decoded once, checked, and encoded the one way above. Empty segments ("//") are
 * kept: they cannot climb, and some APIs use them.
 */
export function canonicalPath(raw: string): CanonicalPath {
  if (raw.length > MAX_PATH_LENGTH) {
    return { ok: false, problem: { tooLong: true, reason: 'The path is too long.' } }
  }
  if (!raw.startsWith('/')) return refused('The path must start with "/".')
  for (const ch of raw) {
    const c = ch.charCodeAt(0)
    if (ch === '\\') return refused('A backslash (raw or encoded) is refused in the path.')
    if (ch === ';') {
      return refused(
        'A ";" in the path (path parameters, "..;") is refused: servers read it differently.',
      )
    }
    if (ch === '#') return refused('A "#" may not appear in a request target.')
    if (c <= 0x20 || c >= 0x7f) {
      return refused('Spaces, control characters and non-ASCII characters must be percent-encoded.')
    }
  }
  const segments: string[] = []
  const encoded: string[] = []
  for (const seg of raw.slice(1).split('/')) {
    const decoded = percentDecode(seg)
    if (decoded === null) {
      return refused('The path has an invalid percent-encoding (% not followed by UTF-8 in hex).')
    }
    const problem = segmentProblem(decoded)
    if (problem) return refused(problem)
    segments.push(decoded)
    encoded.push(encodeSegment(decoded))
  }
  const path = `/${encoded.join('/')}`
  if (path.length > MAX_PATH_LENGTH) {
    return { ok: false, problem: { tooLong: true, reason: 'The path is too long.' } }
  }
  return { ok: true, path, segments }
}
