// Reads a value from parsed JSON by a dotted path ("success.data.access_token", "errors.0").
// Only own properties are followed, so "__proto__" or "constructor" never reach the prototype.

export function getPath(root: unknown, path: string): unknown {
  if (path === '' || path === '.') return root
  let cur: unknown = root
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined
      cur = cur[Number(key)]
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined
      cur = (cur as Record<string, unknown>)[key]
    }
  }
  return cur
}

/** A dotted path of identifier-ish segments, or "." for the body itself. */
export const JSON_PATH_PATTERN = /^(?:\.|[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)$/
