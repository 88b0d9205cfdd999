// TOKENDECK_PASSPHRASE leaves the CLI's environment once read, so no child process inherits it.
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { readPassphraseAndSecrets, type Ctx } from '../../src/main/cli/context'

const VAR = 'TOKENDECK_PASSPHRASE'

/** What a child started now, with the default environment, sees of the variable. */
function childSees(): string {
  const r = spawnSync(
    process.execPath,
    ['-e', `process.stdout.write(process.env.${VAR} ?? '<unset>')`],
    { encoding: 'utf8' },
  )
  return r.stdout
}

function ctxWith(env: NodeJS.ProcessEnv): Ctx {
  return { json: false, flags: {}, args: [], env }
}

afterEach(() => {
  delete process.env[VAR]
})

describe('TOKENDECK_PASSPHRASE', () => {
  it('is removed from process.env once read, so a child spawned afterwards cannot see it', async () => {
    process.env[VAR] = 'a passphrase from the environment'
    // Before: a child inherits it (the default env of spawn is process.env).
    expect(childSees()).toBe('a passphrase from the environment')
    const r = await readPassphraseAndSecrets(ctxWith(process.env))
    expect(r).toEqual({
      ok: true,
      value: { passphrase: 'a passphrase from the environment', secrets: [] },
    })
    expect(VAR in process.env).toBe(false)
    // `delete process.env.X` unsets the variable in the process's real environment (libuv
    // unsetenv), which is what spawn/exec hand to a child by default: the child finds nothing.
    expect(childSees()).toBe('<unset>')
  })

  it('is removed from both the context copy and process.env', async () => {
    process.env[VAR] = 'another passphrase, long enough'
    const copy: NodeJS.ProcessEnv = { [VAR]: 'another passphrase, long enough' }
    const r = await readPassphraseAndSecrets(ctxWith(copy))
    expect(r.ok && r.value.passphrase).toBe('another passphrase, long enough')
    expect(VAR in copy).toBe(false)
    expect(VAR in process.env).toBe(false)
    expect(childSees()).toBe('<unset>')
  })
})
