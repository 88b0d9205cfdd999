// What `header` and `token` print: the header line or the bare token (stdout, the only output
// that holds a secret), or their JSON, and a note when the server evicted a token to make room.
// Light: the quick path through the agent (quick-header.ts) prints with these too.
import type { Ctx } from './ctx'
import { EXIT, note, print, printJson } from './out'

/** The token its server ended because a new one went past an evict-oldest cap. */
export interface Evicted {
  evicted?: { label: string; tokenId: string }
}

/** "tokendeck: the server evicted the token of L (abcd1234) to make room." on stderr. */
export function noteEvicted(ctx: Ctx, e: Evicted): void {
  if (!ctx.json && e.evicted) {
    const { label, tokenId } = e.evicted
    note(
      `tokendeck: the server evicted the token of ${label} (${tokenId.slice(0, 8)}) to make room.`,
    )
  }
}

export interface HeaderOut extends Evicted {
  headerName: string
  value: string
  reused: boolean
  expiresAt: number | null
}

export function printHeader(ctx: Ctx, h: HeaderOut): number {
  const line = `${h.headerName}: ${h.value}`
  if (ctx.json) {
    printJson({
      header: line,
      name: h.headerName,
      value: h.value,
      reused: h.reused,
      expiresAt: h.expiresAt,
      ...(h.evicted ? { evicted: h.evicted } : {}),
    })
  } else print(line)
  noteEvicted(ctx, h)
  return EXIT.ok
}

export function printToken(
  ctx: Ctx,
  h: { token: string; reused: boolean; expiresAt: number | null } & Evicted,
): number {
  if (ctx.json) {
    const evicted = h.evicted ? { evicted: h.evicted } : {}
    printJson({ token: h.token, reused: h.reused, expiresAt: h.expiresAt, ...evicted })
  } else print(h.token)
  noteEvicted(ctx, h)
  return EXIT.ok
}
