// Real git with TokenDeck's built CLI as its credential helper (`git -c credential.helper=...`),
// for the tests of `tokendeck git-credential`: no system config, no terminal prompt, the vault
// and passphrase given in the environment.
import { spawn } from 'node:child_process'
import { CLI } from './cli'

export interface GitRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `git <args>` with TokenDeck as its only credential helper; `input` goes to its stdin. */
export function gitWithTokendeck(
  args: string[],
  input: string,
  o: { home: string; env: NodeJS.ProcessEnv; useHttpPath?: boolean },
): Promise<GitRun> {
  return new Promise((resolve) => {
    const child = spawn(
      'git',
      [
        ...(o.useHttpPath === false ? [] : ['-c', 'credential.useHttpPath=true']),
        '-c',
        `credential.helper=!"${process.execPath}" "${CLI}" git-credential`,
        ...args,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: o.home,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          ...o.env,
        },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}
