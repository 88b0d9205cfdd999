import { beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeTimers } from '../mocks/timers'

vi.mock('electron', () => import('../mocks/electron'))

const fake = await import('../mocks/electron')
const { ClipboardGuard } = await import('../../src/main/clipboard-guard')
const { electronClipboardPort } = await import('../../src/main/clipboard.main')
const { osClipboardFormat, sensitiveClipboardFormats } =
  await import('../../src/main/security/clipboard-formats')

/** A plain in-memory clipboard port that records its calls (no sensitive marking). */
class MemoryPort {
  text = ''
  readonly calls: string[] = []
  writeText(t: string) {
    this.calls.push('write')
    this.text = t
  }
  readText() {
    this.calls.push('read')
    return this.text
  }
  clear() {
    this.calls.push('clear')
    this.text = ''
  }
}

const HEADER = 'Authorization: Token 0123456789abcdef0123456789abcdef01234567'

let timers: FakeTimers
let port: MemoryPort
let logs: string[]

beforeEach(() => {
  timers = new FakeTimers()
  port = new MemoryPort()
  logs = []
})

function guardOver(p: ConstructorParameters<typeof ClipboardGuard>[0]) {
  return new ClipboardGuard(p, { timers, log: (l) => logs.push(l) })
}

describe('ClipboardGuard', () => {
  it('writes, then clears after N seconds when the clipboard still holds our value', async () => {
    const g = guardOver(port)
    g.copy(HEADER, 30)
    await g.idle()
    expect(port.text).toBe(HEADER)
    timers.advance(29_999)
    await g.idle()
    expect(port.text).toBe(HEADER)
    timers.advance(1)
    await g.idle()
    expect(port.text).toBe('')
    expect(port.calls).toEqual(['write', 'read', 'clear'])
    expect(g.holding).toBe(false)
    expect(logs.join('\n')).not.toContain('Token 0123')
  })

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const g = guardOver(port)
    g.copy(HEADER, 30)
    await g.idle()
    port.text = 'something the user copied'
    timers.advance(30_000)
    await g.idle()
    expect(port.text).toBe('something the user copied')
    expect(port.calls).not.toContain('clear')
    expect(logs.some((l) => l.includes('left alone'))).toBe(true)
  })

  it('a second copy cancels the first timer and gets its own', async () => {
    const g = guardOver(port)
    g.copy('first', 30)
    timers.advance(20_000)
    g.copy('second', 30)
    await g.idle()
    expect(timers.pending).toBe(1)
    timers.advance(10_000) // the first copy's deadline: nothing happens
    await g.idle()
    expect(port.text).toBe('second')
    expect(port.calls.filter((c) => c === 'clear')).toHaveLength(0)
    timers.advance(20_000) // the second copy's deadline
    await g.idle()
    expect(port.text).toBe('')
  })

  it('uses the default when given a nonsense delay', async () => {
    const g = guardOver(port)
    g.copy(HEADER, Number.NaN)
    await g.idle()
    timers.advance(29_000)
    await g.idle()
    expect(port.text).toBe(HEADER)
    timers.advance(1_000)
    await g.idle()
    expect(port.text).toBe('')
  })

  it('clearOnQuit clears our value, and only ours', async () => {
    const g = guardOver(port)
    g.copy(HEADER, 30)
    await g.clearOnQuit()
    expect(port.text).toBe('')
    expect(timers.pending).toBe(0)

    g.copy(HEADER, 30)
    await g.idle()
    port.text = 'the user copied this'
    await g.clearOnQuit()
    expect(port.text).toBe('the user copied this')

    // Nothing pending: nothing read, nothing cleared.
    const before = port.calls.length
    await g.clearOnQuit()
    expect(port.calls.length).toBe(before)
  })

  it('writes with the sensitive markers when the port can, and falls back to plain text', async () => {
    const marked: string[] = []
    const withMarks = Object.assign(new MemoryPort(), {
      writeSensitive(t: string) {
        marked.push(t)
        withMarks.text = t
      },
    })
    const g = guardOver(withMarks)
    g.copy(HEADER, 30)
    await g.idle()
    expect(marked).toEqual([HEADER])
    expect(withMarks.calls).not.toContain('write')

    const refusing = Object.assign(new MemoryPort(), {
      writeSensitive() {
        throw new Error('format refused')
      },
    })
    const g2 = guardOver(refusing)
    g2.copy(HEADER, 30)
    await g2.idle()
    expect(refusing.text).toBe(HEADER)
    expect(logs.some((l) => l.includes('plain text'))).toBe(true)
  })
})

describe('the Electron clipboard port', () => {
  beforeEach(() => {
    fake.clipboard.items = null
    fake.clipboard.writes.length = 0
  })

  it.each([
    ['darwin', ['org.nspasteboard.ConcealedType']],
    [
      'win32',
      [
        'ExcludeClipboardContentFromMonitorProcessing',
        'CanIncludeInClipboardHistory',
        'CanUploadToCloudClipboard',
      ],
    ],
    ['linux', ['x-kde-passwordManagerHint']],
  ])('on %s writes the text and the markers in one write', async (platform, names) => {
    const g = new ClipboardGuard(electronClipboardPort(platform), { timers })
    g.copy(HEADER, 30)
    await g.idle()
    expect(fake.clipboard.writes).toHaveLength(1)
    const written = fake.clipboard.writes[0]!
    expect(written['text/plain']).toBe(HEADER)
    expect(Object.keys(written).sort()).toEqual(
      ['text/plain', ...names.map((n) => osClipboardFormat(n))].sort(),
    )
    expect(await fake.clipboard.readText()).toBe(HEADER)
    timers.advance(30_000)
    await g.idle()
    expect(fake.clipboard.items).toBeNull()
  })

  it('the Windows history formats are DWORD 0, the Linux hint is "secret"', async () => {
    const win = sensitiveClipboardFormats('win32')
    expect(win[osClipboardFormat('CanIncludeInClipboardHistory')]).toEqual(new Uint8Array(4))
    expect(win[osClipboardFormat('CanUploadToCloudClipboard')]).toEqual(new Uint8Array(4))
    expect(sensitiveClipboardFormats('linux')[osClipboardFormat('x-kde-passwordManagerHint')]).toBe(
      'secret',
    )
    const port = electronClipboardPort('win32')
    await port.writeSensitive!('x')
    const blob = fake.clipboard.items![osClipboardFormat('CanIncludeInClipboardHistory')] as Blob
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array(4))
  })
})
