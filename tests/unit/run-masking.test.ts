// Guarantee: `tokendeck run` (the child's stdout and stderr) and `tokendeck curl` (curl's stderr)
// mask every form of the token the child was given that secret-forms.ts knows: as is, in another
// letter case, base64 and base64url (alone or inside a longer blob such as a Basic header), hex in
// either case, URL- or JSON-escaped, and any 12 characters of it, also when the child writes it a
// character at a time. Real children through the built CLI, against the sandbox; the masker's own
// properties (any split of the stream gives the same output; a prompt is not held) beside them.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MASK, Masker } from '../../src/main/cli/mask'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, vaultWithTwoAccounts } from '../helpers/cli'
import { TEST_PASSPHRASE } from '../helpers/vault'

let sb: SandboxSet
let dir = ''
let token = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = await vaultWithTwoAccounts(sb)
  token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
  expect(token).toMatch(/^[0-9a-f]{40}$/)
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const node = (script: string) => ['--', process.execPath, '-e', script]

/** Every `n`-character piece of `s`. */
function pieces(s: string, n: number): string[] {
  return Array.from({ length: Math.max(0, s.length - n + 1) }, (_, i) => s.slice(i, i + n))
}

/** The base64 characters that carry only the token's bits, at each of the three alignments. */
function base64Cores(s: string): string[] {
  const bytes = Buffer.from(s)
  return [0, 1, 2].map((offset) => {
    const blob = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    return blob.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6))
  })
}

/** No 12 characters of the token (any case), 24 of its hex digits or 16 of its base64 ones. */
function expectNoTokenIn(where: string, text: string): void {
  const lower = text.toLowerCase()
  for (const p of pieces(token, 12)) expect(lower, `${where} holds "${p}"`).not.toContain(p)
  for (const p of pieces(Buffer.from(token).toString('hex'), 24)) {
    expect(lower, `${where} holds hex "${p}"`).not.toContain(p)
  }
  for (const core of base64Cores(token)) {
    for (const p of pieces(core, 16)) {
      expect(text, `${where} holds base64 "${p}"`).not.toContain(p)
      expect(text, `${where} holds base64url`).not.toContain(
        p.replace(/\+/g, '-').replace(/\//g, '_'),
      )
    }
  }
}

/** A child that prints the token in every form, one per line, then a character at a time. */
const PRINT_FORMS = `
const fs = require('node:fs')
const t = process.env.T
const b = Buffer.from(t)
const out = process.argv[1] === 'err' ? 2 : 1
const lines = {
  plain: t,
  upper: t.toUpperCase(),
  base64: b.toString('base64'),
  base64url: b.toString('base64url'),
  basic: 'Basic ' + Buffer.from('dev@acme.test:' + t).toString('base64'),
  blob: Buffer.from(JSON.stringify({ sub: 'dev', tok: t, n: 1 })).toString('base64url'),
  hex: b.toString('hex'),
  HEX: b.toString('hex').toUpperCase(),
  url: encodeURIComponent('a b=' + t),
  json: JSON.stringify({ token: t }),
  slice: t.slice(9, 21),
  short: t.slice(9, 20),
}
for (const [k, v] of Object.entries(lines)) fs.writeSync(out, k + ': ' + v + '\\n')
fs.writeSync(out, 'split: ')
for (const c of t) fs.writeSync(out, c)
fs.writeSync(out, '\\n')
`

describe('tokendeck run masks every form of the token', { timeout: 60_000 }, () => {
  for (const stream of ['out', 'err'] as const) {
    it(`on the child's std${stream}`, async () => {
      const r = await runCli(
        ['run', '--env', 'T=acme-prod', '--', process.execPath, '-e', PRINT_FORMS, stream],
        dir,
      )
      expect(r.code, r.stderr).toBe(0)
      const text = stream === 'out' ? r.stdout : r.stderr
      expectNoTokenIn(`std${stream}`, text)
      const line = (k: string) => text.split('\n').find((l) => l.startsWith(`${k}: `))
      for (const k of ['plain', 'upper', 'base64url', 'hex', 'HEX', 'slice', 'split']) {
        expect(line(k), k).toBe(`${k}: ${MASK}`)
      }
      // What is left around a mask is what is not the token's: padding, the user name's bytes.
      expect(line('base64')).toMatch(new RegExp(`^base64: ${MASK}=*$`))
      expect(line('basic')).toMatch(new RegExp(`^basic: Basic ZGV2QGFjbWUudGVzdD${MASK}=*$`))
      expect(line('url')).toBe(`url: a%20b%3D${MASK}`)
      expect(line('json')).toBe(`json: {"token":"${MASK}"}`)
      expect(line('blob')).toContain(MASK)
      // Eleven characters are not a run: they are shown (a shorter piece says too little).
      expect(line('short')).toBe(`short: ${token.slice(9, 20)}`)
      // Nothing was lost on the other stream either.
      expect(stream === 'out' ? r.stderr : r.stdout).toBe('')
    })
  }

  it('lets a prompt out when the child waits for input, even one that could begin the token', async () => {
    // The prompt ends in the token's first character, so the masker holds it back until it
    // knows more; with no more output coming, it must let it out, or the user never sees it.
    const script =
      'process.stdout.write("Type " + process.env.T[0]); ' +
      'process.stdin.once("data", (d) => { console.log(" got " + d.toString().trim()); process.exit(0) })'
    const child = spawn(process.execPath, [CLI, 'run', '--env', 'T=acme-prod', ...node(script)], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TOKENDECK_VAULT: dir,
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
      },
    })
    let out = ''
    let answered = false
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!answered && out.includes(`Type ${token[0]}`)) {
        answered = true
        child.stdin.end('yes\n')
      }
    })
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)))
    expect(code).toBe(0)
    expect(out).toBe(`Type ${token[0]} got yes\n`)
  })
})

describe('tokendeck curl masks the forms of the token on curl -v', { timeout: 60_000 }, () => {
  it('a header that carries the token base64-encoded, hex or upper-cased is masked', async () => {
    const xpay = (await runCli(['token', 'xpay-dev'], dir)).stdout.trim()
    expect(xpay.length).toBeGreaterThan(40)
    const b = Buffer.from(xpay)
    const r = await runCli(
      [
        'curl',
        'xpay-dev',
        '--',
        '-sv',
        '-H',
        `X-Trace: ${b.toString('base64')}`,
        '-H',
        `X-Hex: ${b.toString('hex')}`,
        '-H',
        `X-Upper: ${xpay.toUpperCase()}`,
        `${sb.xpay.baseUrl}/client/profile`,
      ],
      dir,
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^> Authorization: <concealed by tokendeck>\r?$/m)
    expect(r.stderr).toMatch(/^> X-Trace: <concealed by tokendeck>=*\r?$/m)
    expect(r.stderr).toMatch(/^> X-Hex: <concealed by tokendeck>\r?$/m)
    expect(r.stderr).toMatch(/^> X-Upper: <concealed by tokendeck>\r?$/m)
    const lower = r.stderr.toLowerCase()
    for (const p of pieces(xpay.toLowerCase(), 12)) expect(lower).not.toContain(p)
  })
})

describe('the masker', () => {
  it('holds back only what could begin a form of a secret: other output is not delayed', () => {
    const m = new Masker(['SECRET-TOKEN-1'])
    expect(m.write(Buffer.from('ready\n')).toString()).toBe('ready\n')
    expect(m.write(Buffer.from('progress 10% SEC')).toString()).toBe('progress 10% ')
    expect(m.holding).toBe(true)
    expect(m.write(Buffer.from('RET-TOKEN-1 done\n')).toString()).toBe(`${MASK} done\n`)
    expect(m.write(Buffer.from('SECOND\n')).toString()).toBe('SECOND\n')
    // A piece of 12 or more that goes on in the next chunk is masked as one.
    expect(m.write(Buffer.from('tail: CRET-TOK')).toString()).toBe('tail: ')
    expect(m.write(Buffer.from('EN-1!\n')).toString()).toBe(`${MASK}!\n`)
    // What could still begin one is let out at a pause (release) or the end, as it is.
    expect(m.write(Buffer.from('prompt> S')).toString()).toBe('prompt> ')
    expect(m.release().toString()).toBe('S')
    expect(m.holding).toBe(false)
    expect(m.end().toString()).toBe('')
  })

  it('masks a long run let out in pieces under one mask, and secrets under 3 characters not at all', () => {
    const m = new Masker(['0123456789abcdefghij', 'xy'])
    const out = ['a 3456789', 'abcdefg', 'h b xy'].map((c) => m.write(Buffer.from(c)).toString())
    expect(out.join('') + m.end().toString()).toBe(`a ${MASK} b xy`)
  })

  it('gives the same output however the stream is split into chunks (fast-check)', () => {
    const TOKEN = 'SECRET-TOKEN-1-abcdefXYZ'
    const secrets = [TOKEN, `Bearer ${TOKEN}`]
    const b64 = Buffer.from(TOKEN).toString('base64')
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'a',
            'b',
            ' ',
            '\n',
            'S',
            'SECRET',
            TOKEN,
            `Bearer ${TOKEN}`,
            TOKEN.toLowerCase(),
            TOKEN.slice(3, 17),
            b64,
            `x${b64.slice(0, 20)}`,
            Buffer.from(TOKEN).toString('hex'),
          ),
          { maxLength: 30 },
        ),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }),
        (parts, cuts) => {
          const input = Buffer.from(parts.join(''))
          const whole = new Masker(secrets)
          const once = Buffer.concat([whole.write(input), whole.end()]).toString()
          const m = new Masker(secrets)
          const out: Buffer[] = []
          let at = 0
          for (let i = 0; at < input.length; i++) {
            const n = cuts[i % cuts.length]!
            out.push(m.write(input.subarray(at, at + n)))
            at += n
          }
          out.push(m.end())
          expect(Buffer.concat(out).toString()).toBe(once)
          const lower = once.toLowerCase()
          for (const p of pieces(TOKEN.toLowerCase(), 12)) expect(lower).not.toContain(p)
          expect(once).not.toContain(b64.slice(4, 20))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('passes bytes that are not UTF-8 through unchanged', () => {
    const m = new Masker(['SECRET-TOKEN-1'])
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a])
    expect(Buffer.concat([m.write(bytes), m.end()])).toEqual(bytes)
  })
})
