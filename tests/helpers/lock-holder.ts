// A child process for tests/unit/lock-takeover.test.ts, run with
// `node --import tsx tests/helpers/lock-holder.ts <lockPath> <staleMs> <mode>`:
//   hold  takes the lock, prints `held`, and on a line on stdin prints `still-held <bool>`, releases
//         it and exits;
//   loop  takes and releases it <count> times (argv[5]) as fast as it can, then prints `done`.
import { writeSync } from 'node:fs'
import { withFileLock } from '../../src/main/vault/storage/locks'

function say(line: string): void {
  writeSync(1, `${line}\n`)
}

async function main(): Promise<void> {
  const [lockPath, staleArg, mode, countArg] = process.argv.slice(2)
  const staleMs = Number(staleArg)
  if (!lockPath || !Number.isFinite(staleMs)) throw new Error('usage: lock-holder <lock> <stale>')
  if (mode === 'loop') {
    for (let i = 0; i < Number(countArg ?? 100); i++) {
      const r = await withFileLock(lockPath, { waitMs: 60_000, staleMs }, async () => {})
      if (!r.ok) say(`err ${r.code} ${r.message}`)
    }
    say('done')
    return
  }
  const r = await withFileLock(lockPath, { waitMs: 10_000, staleMs }, async (handle) => {
    say('held')
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
    process.stdin.pause()
    say(`still-held ${handle.stillHeld()}`)
  })
  if (!r.ok) say(`err ${r.code} ${r.message}`)
}

void main()
