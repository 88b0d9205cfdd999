// Test fixture: a program run in a real pseudo-terminal (Python's pty module), as a person at a
// terminal runs it: stdin, stdout and stderr are the terminal, of a given size. Keys are typed
// when the screen shows given text; the result is the exit code and everything the terminal
// showed (what the program wrote; a terminal in raw mode echoes nothing itself).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from './vault'

/** Type `keys` once the terminal has shown `after` (its `nth` appearance, default the first). */
export interface Keystrokes {
  after: string
  nth?: number
  keys: string
}

export interface TerminalRun {
  /** The exit code, or 128 + the signal's number for a process a signal ended. */
  code: number
  /** Everything the terminal showed, "\r\n" line ends as a terminal writes them. */
  out: string
}

/** Keys as a terminal sends them. */
export const KEY = {
  enter: '\r',
  left: '\x1b[D',
  right: '\x1b[C',
  home: '\x1b[H',
  end: '\x1b[F',
  backspace: '\x7f',
  ctrlA: '\x01',
  ctrlC: '\x03',
  ctrlD: '\x04',
  ctrlU: '\x15',
  ctrlW: '\x17',
} as const

const DRIVER = `
import json, os, pty, signal, struct, sys, fcntl, termios
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', spec['rows'], spec['cols'], 0, 0))
    os.execvp(spec['argv'][0], spec['argv'])
def give_up(*_):
    os.kill(pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, give_up)
signal.alarm(spec['timeout'])
out = b''
steps = spec['steps']
i = 0
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    text = out.decode('utf8', 'replace')
    while i < len(steps) and text.count(steps[i]['after']) >= steps[i].get('nth', 1):
        os.write(fd, steps[i]['keys'].encode('utf8'))
        i += 1
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({'code': code if code >= 0 else 128 - code, 'out': out.decode('utf8', 'replace')}))
`

/** Runs `argv` in a new pseudo-terminal of `cols` x `rows`, typing `steps` as their text shows. */
export function atTerminal(
  argv: string[],
  o: { env: NodeJS.ProcessEnv; steps?: Keystrokes[]; cols?: number; rows?: number },
): Promise<TerminalRun> {
  const driver = path.join(tempDir('tokendeck-pty-'), 'driver.py')
  fs.writeFileSync(driver, DRIVER)
  const spec = {
    argv,
    steps: o.steps ?? [],
    cols: o.cols ?? 100,
    rows: o.rows ?? 30,
    timeout: 60,
  }
  const env = Object.fromEntries(Object.entries(o.env).filter(([, v]) => v !== undefined))
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [driver, JSON.stringify(spec)], { env })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.once('error', reject)
    child.once('close', () => {
      try {
        resolve(JSON.parse(out) as TerminalRun)
      } catch {
        reject(new Error(`the terminal driver failed: ${(err || out).slice(0, 300)}`))
      }
    })
  })
}
