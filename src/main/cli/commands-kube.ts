// `tokendeck kube-credential [L]`: kubectl's exec credential plugin (client-go's ExecCredential,
// client.authentication.k8s.io/v1): L's bare token, which kubectl sends as a Bearer token.
import { fail } from '../../shared/result'
import type { Ctx } from './context'
import { rfc3339, splitHeader } from './commands-helpers'
import { EXIT, report } from './io'
import { tokenSource } from './token-source'

const V1 = 'client.authentication.k8s.io/v1'
const V1BETA1 = 'client.authentication.k8s.io/v1beta1'

/**
 * The apiVersion to answer in: the one kubectl announces in $KUBERNETES_EXEC_INFO (it refuses
 * an answer in another version), v1 or v1beta1 (the same status fields); v1 otherwise.
 */
export function execApiVersion(env: NodeJS.ProcessEnv): string {
  try {
    const info = JSON.parse(env.KUBERNETES_EXEC_INFO ?? '') as { apiVersion?: unknown }
    if (info.apiVersion === V1BETA1) return V1BETA1
  } catch {
    /* absent or not JSON: v1 */
  }
  return V1
}

/** `tokendeck kube-credential [L]` */
export async function kubeCredential(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  const h = await tokenSource(ctx, 'tokendeck kube-credential').header(label)
  if (!h.ok) return report(h, ctx)
  const { token } = splitHeader(h.value.value)
  if (token === '' || /[\s\0]/.test(token)) {
    return report(fail('BAD_RESPONSE', `The token of "${label}" cannot be a Bearer token.`), ctx)
  }
  const status: { token: string; expirationTimestamp?: string } = { token }
  if (h.value.expiresAt !== null) status.expirationTimestamp = rfc3339(h.value.expiresAt)
  const credential = { apiVersion: execApiVersion(ctx.env), kind: 'ExecCredential', status }
  process.stdout.write(`${JSON.stringify(credential)}\n`)
  return EXIT.ok
}
