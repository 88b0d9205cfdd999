// `tokendeck header L` and `tokendeck token L` through a running agent, on the shortest path: no
// command table, no flag parser, no zod. It is the command scripts run most ($(tokendeck header
// api) before every request), and Node's own start is most of its time, so what it loads matters.
// Taken only for exactly one of those two words and a label. The answer is checked by hand
// (client/issued-check.ts) and printed, or a failure reported, with the full CLI's own functions.
// The full CLI (index.ts) takes over where it would do more than print: no agent there (it opens
// the vault), the agent's vault locked (it may unlock here), a secret the account does not
// remember at a terminal (it asks), or an answer outside the protocol. It then asks the agent
// again, which repeats nothing: in each of those cases the agent sent nothing to any server.
// A login the agent runs meanwhile (OAuth) sends notices before the answer: they are shown here,
// and the answer is the same one the login ends with, so nothing is asked twice.
import os from 'node:os'
import { askAgentLine, AGENT_PROTOCOL } from '../agent/ask'
import { agentEndpoint } from '../agent/endpoint'
import { issuedAnswer, valueOfAnswer } from '../client/issued-check'
import type { Ctx } from './ctx'
import { resolveVaultDir } from './default-dir'
import { printHeader, printToken } from './print-token'
import { withProgress } from './progress'
import type { QuickAsk } from './quick-ask'

/** Runs it through the agent; the exit code, or null when the full CLI should run instead. */
export async function quickHeader(q: QuickAsk, env: NodeJS.ProcessEnv): Promise<number | null> {
  const dir = resolveVaultDir(undefined, { platform: process.platform, env, home: os.homedir() })
  const endpoint = agentEndpoint(dir, env)
  const ctx: Ctx = { json: false, flags: {}, args: [q.label], env }
  // A login the agent runs for this label may need the person here (a code, a page): its
  // prompts are checked and shown with the full CLI's own modules, loaded only then.
  let shown: Promise<void> = Promise.resolve()
  const onNotice = (raw: unknown) => {
    shown = shown.then(async () => {
      const [{ readNotice }, { showLoginPrompt }] = await Promise.all([
        import('../agent/client'),
        import('./login-prompt-shown'),
      ])
      const n = readNotice(raw)
      if (n) showLoginPrompt(n.loginPrompt, { env, openedElsewhere: n.browserOpened })
    })
  }
  const line = await withProgress(`Waiting for the agent (${q.label})`, ctx, () =>
    askAgentLine(
      endpoint,
      { op: q.op, label: q.label, confirmEviction: false },
      { command: `tokendeck ${q.op}`, onNotice },
    ),
  )
  await shown
  if (line === null) return null
  const answer = line.ok ? valueOfAnswer(line.value, AGENT_PROTOCOL) : undefined
  const issued = answer ? issuedAnswer(answer.value, q.op === 'token') : null
  if (issued && q.op === 'header') return printHeader(ctx, issued)
  if (issued && typeof issued.token === 'string') {
    return printToken(ctx, { ...issued, token: issued.token })
  }
  // Failures are worded by the full CLI's reporter (loaded only now).
  const out = await import('./output')
  if (!line.ok) return out.reportTokenFailure(ctx, q.label, line)
  // A failure the agent gave, read with the protocol's own schema (zod: loaded only now).
  const { readAnswer } = await import('../agent/client')
  const r = readAnswer(line.value)
  if (r.ok) return null // a value of another shape: the full CLI says AGENT_PROTOCOL
  if (r.code === 'VAULT_LOCKED' || r.code === 'AGENT_PROTOCOL') return null
  if (r.code === 'NO_SECRET' && process.stdin.isTTY === true) return null
  return out.reportTokenFailure(ctx, q.label, r)
}
