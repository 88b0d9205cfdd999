// The CLI's stdin reader reads in steps (passphrase, then secrets) and keeps what it buffered.
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { stdinReader } from '../../src/main/cli/io'

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
