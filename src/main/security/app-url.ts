// The app's own origin, app://tokendeck, and how a request on it maps to a file under the
// renderer's build folder. Anything that could leave that folder is refused, not clamped.
import path from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'tokendeck'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/** True when `url` is on the app's own origin (or, in development, on the dev server's). */
export function isAppUrl(url: unknown, devServerUrl: string | null = null): boolean {
  if (typeof url !== 'string') return false
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.username !== '' || u.password !== '') return false
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true
  if (devServerUrl) {
    try {
      const dev = new URL(devServerUrl)
      return (dev.protocol === 'http:' || dev.protocol === 'https:') && u.origin === dev.origin
    } catch {
      return false
    }
  }
  return false
}

export type AppPathResult =
  { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string }

/**
 * Maps the path part of an app:// URL (still percent-encoded, as it appears after the host) to a
 * file inside `root`. Refuses `..` and `.` segments (also percent-encoded), encoded slashes and
 * backslashes, empty segments, drive letters, NUL, and, as a last guard, any result that is not
 * inside `root` once resolved. "/" is index.html.
 */
export function resolveAppPath(root: string, rawPath: string): AppPathResult {
  if (typeof rawPath !== 'string' || rawPath.length > 1024) {
    return { ok: false, status: 400, reason: 'bad path' }
  }
  const pathOnly = rawPath.split(/[?#]/, 1)[0] ?? ''
  if (!pathOnly.startsWith('/')) return { ok: false, status: 400, reason: 'relative path' }
  const rawSegments = pathOnly === '/' ? ['index.html'] : pathOnly.slice(1).split('/')
  const segments: string[] = []
  for (const raw of rawSegments) {
    let seg: string
    try {
      seg = decodeURIComponent(raw)
    } catch {
      return { ok: false, status: 400, reason: 'bad encoding' }
    }
    if (seg === '' || seg === '.' || seg === '..') {
      return { ok: false, status: 403, reason: 'dot or empty segment' }
    }
    if (/[/\\:\0]/.test(seg)) return { ok: false, status: 403, reason: 'separator in segment' }
    segments.push(seg)
  }
  const base = path.resolve(root)
  const file = path.resolve(base, ...segments)
  const rel = path.relative(base, file)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    return { ok: false, status: 403, reason: 'outside the root' }
  }
  return { ok: true, file }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

export function contentTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}
