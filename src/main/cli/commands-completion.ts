// `tokendeck completion bash|zsh|fish` (prints the script) and the hidden `tokendeck __complete
// labels`, which the scripts call: account labels from the agent of the vault, one a line. It
// never opens the vault itself, so it never needs (or asks for) a passphrase; no agent, no labels.
import { fail } from '../../shared/result'
import { askOp } from '../client/over-agent'
import { bashScript, fishScript, zshScript } from './completion-scripts'
import type { Ctx } from './ctx'
import { EXIT, report } from './io'
import { endpointFor } from './connection'

const SCRIPTS: Record<string, () => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
}

/** `tokendeck completion bash|zsh|fish` */
export async function completion(ctx: Ctx): Promise<number> {
  const script = SCRIPTS[ctx.args[0] ?? '']
  if (!Object.hasOwn(SCRIPTS, ctx.args[0] ?? '') || !script) {
    return report(fail('VALIDATION_FAILED', 'completion takes bash, zsh or fish.'), ctx)
  }
  process.stdout.write(script())
  return EXIT.ok
}

/** A Tab press should not wait long for an agent that does not answer. */
const LABELS_TIMEOUT_MS = 3000

/** `tokendeck __complete labels`: silent on every failure (completion shows nothing). */
export async function completeLabels(ctx: Ctx): Promise<number> {
  if (ctx.args[0] !== 'labels' || ctx.env.TOKENDECK_AGENT === 'off') return EXIT.ok
  const r = await askOp(
    endpointFor(ctx),
    'accounts',
    {},
    { command: 'tokendeck completion', timeoutMs: LABELS_TIMEOUT_MS },
  )
  if (!r?.ok) return EXIT.ok
  const labels = r.value.map((a) => a.label)
  // One a line: a label that holds a newline or a control character is not offered.
  // eslint-disable-next-line no-control-regex
  const safe = labels.filter((l) => !/[\x00-\x1f\x7f-\x9f]/.test(l))
  if (safe.length > 0) process.stdout.write(`${safe.join('\n')}\n`)
  return EXIT.ok
}
