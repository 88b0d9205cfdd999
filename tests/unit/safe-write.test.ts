// Safe file writes (attacker 1 can write the folder): a fresh O_EXCL | O_NOFOLLOW temporary name,
// the final mode from the start, and a rename that replaces a planted symlink instead of
// following it.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempNameFor, writeFileSafely } from '../../src/main/platform/safe-write'
import { tempDir } from '../helpers/vault'

describe('writeFileSafely', () => {
  const old = process.umask()
  afterEach(() => void process.umask(old))

  it('writes the bytes with exactly the mode asked for, whatever the umask', () => {
    process.umask(0o000)
    const dir = tempDir('safe-write-')
    const target = path.join(dir, 'out.txt')
    writeFileSafely(target, 'hello', { mode: 0o600 })
    expect(fs.readFileSync(target, 'utf8')).toBe('hello')
    expect(fs.statSync(target).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(dir)).toEqual(['out.txt'])
  })

  it('replaces a symlink planted at the target instead of writing through it', () => {
    const dir = tempDir('safe-write-')
    const victim = path.join(tempDir('safe-write-victim-'), 'victim.txt')
    fs.writeFileSync(victim, 'do not touch')
    const target = path.join(dir, 'out.txt')
    fs.symlinkSync(victim, target)
    writeFileSafely(target, 'new')
    expect(fs.readFileSync(victim, 'utf8')).toBe('do not touch')
    expect(fs.lstatSync(target).isSymbolicLink()).toBe(false)
    expect(fs.readFileSync(target, 'utf8')).toBe('new')
  })

  it('never opens a name that exists already (O_EXCL | O_NOFOLLOW), a dangling symlink included', () => {
    const dir = tempDir('safe-write-')
    const tmp = tempNameFor(path.join(dir, 'out.txt'))
    expect(path.dirname(tmp)).toBe(dir)
    expect(path.basename(tmp)).toMatch(/^\.out\.txt\.[0-9a-f]{24}\.tmp$/)
    // Two names in a row differ: a name cannot be predicted and planted in advance.
    expect(tempNameFor(path.join(dir, 'out.txt'))).not.toBe(tmp)
    const elsewhere = path.join(tempDir('safe-write-victim-'), 'created-by-follow')
    fs.symlinkSync(elsewhere, tmp)
    expect(() => writeFileSafely(path.join(dir, 'out.txt'), 'x', { tempName: tmp })).toThrow(
      /EEXIST/,
    )
    expect(fs.existsSync(elsewhere)).toBe(false)
    // The planted link is not ours to remove, and no target was written.
    expect(fs.lstatSync(tmp).isSymbolicLink()).toBe(true)
    expect(fs.existsSync(path.join(dir, 'out.txt'))).toBe(false)
  })

  it('leaves nothing behind when the write fails', () => {
    const dir = tempDir('safe-write-')
    const target = path.join(dir, 'sub')
    fs.mkdirSync(target)
    fs.writeFileSync(path.join(target, 'x'), '')
    // Renaming a file over a non-empty folder fails: no temporary file may stay.
    expect(() => writeFileSafely(target, 'data')).toThrow()
    expect(fs.readdirSync(dir)).toEqual(['sub'])
  })
})
