// After the suite: no token, password, passphrase or secret key from ANY test appears in any
// answer the page received in any test (each test also checks its own at its end).
import fs from 'node:fs'
import path from 'node:path'
import { HARNESS_DIR, IPC_LOG_DIR } from './paths'

interface Log {
  secrets: string[]
  recorded: { channel: string; json: string }[]
}

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(IPC_LOG_DIR)) return
  const logs = fs
    .readdirSync(IPC_LOG_DIR)
    .map((f) => JSON.parse(fs.readFileSync(path.join(IPC_LOG_DIR, f), 'utf8')) as Log)
  const secrets = [...new Set(logs.flatMap((l) => l.secrets))].filter((s) => s.length >= 4)
  let answers = 0
  const leaks: string[] = []
  for (const log of logs) {
    for (const r of log.recorded) {
      answers++
      if (secrets.some((s) => r.json.includes(s))) leaks.push(r.channel)
    }
  }
  const summary = { tests: logs.length, answers, secretsChecked: secrets.length, leaks }
  fs.writeFileSync(path.join(HARNESS_DIR, 'no-secrets.json'), JSON.stringify(summary, null, 2))
  console.log(
    `no-secrets invariant: ${answers} answers from ${logs.length} tests checked against ${secrets.length} secrets, ${leaks.length} leaks`,
  )
  if (leaks.length > 0) throw new Error(`secrets reached the page on: ${leaks.join(', ')}`)
}
