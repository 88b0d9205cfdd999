// Masks secrets in a byte stream (the output of `tokendeck run`'s child, `tokendeck curl`'s
// stderr): every form of a secret that src/shared/secret-forms.ts knows (as is, any letter case,
// URL/JSON/HTML-escaped, hex, base64, a run of 12 of its characters) is replaced, also one split
// across chunks, by holding back only the last bytes that could begin one (anything else goes out
// at once), and a stream lets those out masked after a short pause with no more output, so a
// prompt is never stuck. Works on bytes, so output that is not UTF-8 passes through unchanged.
import { Transform, type TransformCallback } from 'node:stream'
import { secretMatcher, type SecretMatcher } from '../../shared/secret-forms'

export const MASK = '<concealed by tokendeck>'

/** How long a stream waits for more output before it lets out what it holds back. */
export const IDLE_RELEASE_MS = 150

/** Replaces every form of every secret in what flows through (secrets under 3 characters: none). */
export class Masker {
  private readonly matcher: SecretMatcher
  /** The last bytes let out, unmasked, so a run that goes on in the next chunk is still seen. */
  private context = ''
  /** Bytes held back (they could begin a form), as Latin-1 units like `context`. */
  private pending = ''
  /** Whether the last byte let out was masked (a mask that goes on is not written twice). */
  private open = false

  constructor(secrets: readonly string[]) {
    this.matcher = secretMatcher(secrets, 'bytes')
  }

  /** The masked bytes that can be let out now. */
  write(chunk: Buffer): Buffer {
    return this.matcher.empty && this.pending === ''
      ? chunk
      : this.process(chunk.toString('latin1'), false)
  }

  /** Whether some bytes are held back. */
  get holding(): boolean {
    return this.pending !== ''
  }

  /** Lets out what is held back, masked as far as it goes (the stream's pause, and its end). */
  release(): Buffer {
    return this.process('', true)
  }

  /** What was held back, at the end of the stream. */
  end(): Buffer {
    const rest = this.release()
    this.context = ''
    this.open = false
    return rest
  }

  private process(more: string, all: boolean): Buffer {
    const text = this.context + this.pending + more
    const from = this.context.length
    const cut = all ? text.length : text.length - this.matcher.holdBack(text, from)
    let out = ''
    let at = from
    let open = this.open
    for (const [s, e] of this.matcher.spans(text)) {
      if (e <= from) continue
      if (s >= cut) break
      const start = Math.max(s, from)
      out += text.slice(at, start)
      // A span that began in what was let out, masked there already, goes on under that mask.
      if (!(s < from && start === at && open)) out += MASK
      at = Math.min(e, cut)
      open = true
    }
    if (at < cut) {
      out += text.slice(at, cut)
      open = false
    }
    if (cut > from) this.open = open
    this.context = text.slice(Math.max(0, cut - this.matcher.context), cut)
    this.pending = text.slice(cut)
    return Buffer.from(out, 'latin1')
  }

  /** A stream transform over this masker, letting out held-back bytes after a pause. */
  stream(): Transform {
    let idle: NodeJS.Timeout | undefined
    const transform = new Transform({
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        clearTimeout(idle)
        const out = this.write(chunk)
        if (this.holding) {
          idle = setTimeout(() => {
            if (transform.destroyed) return
            const rest = this.release()
            if (rest.length > 0) transform.push(rest)
          }, IDLE_RELEASE_MS)
          idle.unref()
        }
        done(null, out)
      },
      flush: (done: TransformCallback) => {
        clearTimeout(idle)
        done(null, this.end())
      },
    })
    return transform
  }
}
