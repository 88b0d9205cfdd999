// `tokendeck kube-credential [L]`: kubectl's exec credential plugin (client-go's ExecCredential,
// client.authentication.k8s.io/v1): L's bare token, which kubectl sends as a Bearer token; only
// for a cluster whose server is L's, when kubectl names the server (provideClusterInfo: true).
import { fail, ok, type Result } from '../../shared/result'
import { isBelowBaseUrl, urlForMessage } from '../../shared/url-policy'
import type { Ctx } from './ctx'
import { rfc3339, splitHeader } from './commands-helpers'
import { EXIT, report } from './io'
import { accountNamed, cliConnection } from './connection'

const V1 = 'client.authentication.k8s.io/v1'
const V1BETA1 = 'client.authentication.k8s.io/v1beta1'

/** What kubectl says in $KUBERNETES_EXEC_INFO that matters here. */
interface ExecInfo {
  apiVersion?: unknown
  spec?: { cluster?: { server?: unknown } | null } | null
}

function execInfo(env: NodeJS.ProcessEnv): ExecInfo | null {
  try {
    const info = JSON.parse(env.KUBERNETES_EXEC_INFO ?? '') as unknown
    return typeof info === 'object' && info !== null ? (info as ExecInfo) : null
  } catch {
    return null
  }
}

/**
 * The apiVersion to answer in: the one kubectl announces in $KUBERNETES_EXEC_INFO (it refuses
 * an answer in another version), v1 or v1beta1 (the same status fields); v1 otherwise.
 */
export function execApiVersion(env: NodeJS.ProcessEnv): string {
  return execInfo(env)?.apiVersion === V1BETA1 ? V1BETA1 : V1
}

/**
 * The server of the cluster kubectl asks a credential for: `spec.cluster.server` in
 * $KUBERNETES_EXEC_INFO, there when the kubeconfig's exec says `provideClusterInfo: true`; null
 * when kubectl gave no cluster. Set but unreadable, or a cluster without a server: refused.
 */
export function execClusterServer(env: NodeJS.ProcessEnv): Result<string | null> {
  if (env.KUBERNETES_EXEC_INFO === undefined) return ok(null)
  const info = execInfo(env)
  if (!info) {
    return fail('VALIDATION_FAILED', 'KUBERNETES_EXEC_INFO is not the JSON object kubectl sends.')
  }
  const cluster = info.spec?.cluster
  if (cluster === undefined || cluster === null) return ok(null)
  if (typeof cluster.server !== 'string' || cluster.server === '') {
    return fail('VALIDATION_FAILED', 'KUBERNETES_EXEC_INFO names a cluster but not its server.')
  }
  return ok(cluster.server)
}

/** `tokendeck kube-credential [L]` */
export async function kubeCredential(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  const server = execClusterServer(ctx.env)
  if (!server.ok) return report(server, ctx)
  const { client } = cliConnection(ctx, 'tokendeck kube-credential')
  if (server.value !== null) {
    // The token goes to the cluster's server: it must be the account's own (below its base URL).
    const acc = await accountNamed(client, label)
    if (!acc.ok) return report(acc, ctx)
    if (!isBelowBaseUrl(server.value, acc.value.baseUrl)) {
      return report(
        fail(
          'URL_REFUSED',
          `kubectl asks for a token for the cluster at ${urlForMessage(server.value)}, which is ` +
            `not "${acc.value.label}"'s server (${acc.value.baseUrl}); no token was printed.`,
        ),
        ctx,
      )
    }
  }
  const h = await client.header({ label })
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
