// The CLI's stdin reader reads in steps (passphrase, then secrets) and keeps what it buffered.
// At a terminal (a stand-in here; tests/unit/cli-hidden-prompts.test.ts drives a real pty) Node's
// readline edits each value in raw mode, and raw mode is left when the reader closes.
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { exitCodeFor, stdinReader } from '../../src/main/cli/io'

/** A terminal stand-in: keys written to it arrive as typed; raw mode switches are recorded. */
function fakeTerminal() {
  const raw: boolean[] = []
  const t = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (on: boolean) => raw.push(on),
  })
  return { t, raw }
}

describe('stdinReader', () => {
  it('returns line 1, then lines 2-3, keeping the remainder between reads; CRLF is stripped', async () => {
    const pipe = new PassThrough()
    const stdin = stdinReader(() => pipe)
    // One chunk holds every line: the first read must not drop the rest.
    pipe.write('the passphrase\r\nsecret one\r\nsecret two\nfourth')
    expect(await stdin.read(['Passphrase'])).toEqual({ ok: true, value: ['the passphrase'] })
    expect(await stdin.read(['First', 'Second'])).toEqual({
      ok: true,
      value: ['secret one', 'secret two'],
    })
    // A later chunk completes the buffered part line; text after the last newline ends a line.
    const later = stdin.read(['Third', 'Fourth'])
    pipe.end(' line\r\nlast')
    expect(await later).toEqual({ ok: true, value: ['fourth line', 'last'] })
    // Missing lines are numbered from the first line of stdin.
    const missing = await stdin.read(['Password for x', 'Token'])
    expect(missing).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      message: 'stdin ended before the password for x (line 6) and the token (line 7).',
    })
    stdin.close()
    expect(pipe.destroyed).toBe(true)
  })

  it('waits for a line that arrives after the first read, and ends at EOF between reads', async () => {
    const pipe = new PassThrough()
    const stdin = stdinReader(() => pipe)
    pipe.write('pass\n')
    expect(await stdin.read(['Passphrase'])).toEqual({ ok: true, value: ['pass'] })
    const next = stdin.read(['Secret'])
    setTimeout(() => pipe.write('late secret\n'), 20)
    expect(await next).toEqual({ ok: true, value: ['late secret'] })
    // EOF while nobody reads: the next read still sees it and does not wait.
    pipe.end()
    await new Promise((r) => setTimeout(r, 20))
    const after = await stdin.read(['Confirmation'])
    expect(after).toMatchObject({
      ok: false,
      message: 'stdin ended before the confirmation (line 3).',
    })
  })

  it('refuses more than 64 KiB without the lines asked for; opens nothing for no prompt', async () => {
    let opened = 0
    const none = stdinReader(() => {
      opened++
      return new PassThrough()
    })
    expect(await none.read([])).toEqual({ ok: true, value: [] })
    none.close()
    expect(opened).toBe(0)

    const pipe = new PassThrough()
    const stdin = stdinReader(() => pipe)
    pipe.write('x'.repeat(70 * 1024))
    expect(await stdin.read(['Passphrase'])).toMatchObject({
      ok: false,
      message: 'A line on stdin is too long (64 KiB at most).',
    })
    stdin.close()
  })
})

describe('stdinReader at a terminal', () => {
  afterEach(() => vi.restoreAllMocks())

  it('readline edits each value; prompts go to stderr, the typed keys nowhere', async () => {
    const written: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => (written.push(String(c)), true))
    const { t, raw } = fakeTerminal()
    const stdin = stdinReader(() => t)
    expect(stdin.interactive()).toBe(true)
    const first = stdin.read(['Passphrase'])
    // Left twice, X; End, Y: "aXbcY". Then a line typed ahead is kept for the next prompt.
    t.write('abc\x1b[D\x1b[DX\x1b[FY\rhello world\x17there\r')
    expect(await first).toEqual({ ok: true, value: ['aXbcY'] })
    expect(await stdin.read(['Secret'])).toEqual({ ok: true, value: ['hello there'] })
    const third = stdin.read(['Again'])
    t.write('junk\x15ab\x1b[Hc\x7f\x7fz\r')
    expect(await third).toEqual({ ok: true, value: ['zab'] })
    stdin.close()
    expect(raw).toEqual([true, false])
    expect(written.join('')).toBe('Passphrase: \nSecret: \nAgain: \n')
  })

  it('Ctrl-C is CANCELLED (exit 130) and leaves raw mode; Ctrl-D on an empty line ends stdin', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const { t, raw } = fakeTerminal()
    const stdin = stdinReader(() => t)
    const asked = stdin.read(['Passphrase'])
    t.write('half typed\x03')
    const r = await asked
    expect(r).toMatchObject({ ok: false, code: 'CANCELLED' })
    expect(exitCodeFor('CANCELLED')).toBe(130)
    expect(raw.at(-1)).toBe(false)
    stdin.close()

    const other = fakeTerminal()
    const eof = stdinReader(() => other.t)
    const ended = eof.read(['Passphrase'])
    other.t.write('\x04')
    expect(await ended).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      message: 'stdin ended before the passphrase.',
    })
    eof.close()
  })
})
