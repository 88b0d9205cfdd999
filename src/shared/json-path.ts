// Reads a value from parsed JSON by a dotted path ("success.data.access_token", "errors.0"), and
// a record's value by key. Only own properties are followed, so "__proto__", "constructor" or
// "toString" are plain keys that never reach Object.prototype.

/** The value stored under `key` in `record` itself, never one inherited from its prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

export function getPath(root: unknown, path: string): unknown {
  if (path === '' || path === '.') return root
  let cur: unknown = root
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined
      cur = cur[Number(key)]
    } else {
      if (!Object.hasOwn(cur, key)) return undefined
      cur = (cur as Record<string, unknown>)[key]
    }
  }
  return cur
}

/** A dotted path of identifier-ish segments, or "." for the body itself. */
export const JSON_PATH_PATTERN = /^(?:\.|[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)$/
