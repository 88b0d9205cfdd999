// Masks secrets in a byte stream (the output of `tokendeck run`'s child): every occurrence of a
// secret is replaced, also one split across chunks, by holding back only the last bytes that
// could begin one (anything else goes out at once: prompts and progress are not delayed). Works
// on bytes, so output that is not UTF-8 passes through unchanged.
import { Transform, type TransformCallback } from 'node:stream'

export const MASK = '<concealed by tokendeck>'

/** Replaces every secret in what flows through; `secrets` shorter than 4 bytes are ignored. */
export class Masker {
  private readonly secrets: Buffer[]
  private pending: Buffer = Buffer.alloc(0)
  private readonly mask = Buffer.from(MASK)

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets)]
      .filter((s) => s.length >= 4)
      .map((s) => Buffer.from(s))
      .sort((a, b) => b.length - a.length)
  }

  /** The masked bytes that can be let out now. */
  write(chunk: Buffer): Buffer {
    const all = this.replace(Buffer.concat([this.pending, chunk]))
    const cut = all.length - this.partialAtEnd(all)
    this.pending = all.subarray(cut)
    return all.subarray(0, cut)
  }

  /** The length of the longest end of `buf` that is the beginning of a secret (not all of it). */
  private partialAtEnd(buf: Buffer): number {
    let keep = 0
    for (const s of this.secrets) {
      for (let k = Math.min(s.length - 1, buf.length); k > keep; k--) {
        if (buf.compare(s, 0, k, buf.length - k) === 0) {
          keep = k
          break
        }
      }
    }
    return keep
  }

  /** What was held back, at the end of the stream. */
  end(): Buffer {
    const rest = this.replace(this.pending)
    this.pending = Buffer.alloc(0)
    return rest
  }

  private replace(buf: Buffer): Buffer {
    let out = buf
    for (const s of this.secrets) {
      let i = out.indexOf(s)
      if (i < 0) continue
      const parts: Buffer[] = []
      let from = 0
      while (i >= 0) {
        parts.push(out.subarray(from, i), this.mask)
        from = i + s.length
        i = out.indexOf(s, from)
      }
      parts.push(out.subarray(from))
      out = Buffer.concat(parts)
    }
    return out
  }

  /** A stream transform over this masker. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done: TransformCallback) => done(null, this.write(chunk)),
      flush: (done: TransformCallback) => done(null, this.end()),
    })
  }
}
