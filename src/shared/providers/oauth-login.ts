// The OAuth 2.0 login kinds of a profile: authorization code with PKCE (RFC 7636, RFC 8252) and
// device authorization (RFC 8628). Their endpoints, client and scopes, as data; the provider
// engine (main/providers/oauth-*.ts) runs them. docs/providers.md documents each key.
import { z } from 'zod'
import { checkUrl, joinUrl } from '../url-policy'

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'letters, digits and "_", starting with a letter')

/**
 * Where a request goes: a path under the account's base URL ("/oauth/token"), or an absolute
 * URL when the authorization server is not the API's origin (GitHub: github.com beside
 * api.github.com). https only, plain http only to this machine (checked again when sent).
 */
export const endpointSchema = z.union([
  z
    .string()
    .max(300)
    .regex(
      /^\/[A-Za-z0-9\-._~/%:@!$&'()*+,;=]*$/,
      'a path starting with "/", no query or fragment',
    ),
  z
    .url({ protocol: /^https?$/ })
    .max(500)
    .refine((u) => !u.includes('#') && !/^[a-z]+:\/\/[^/]*@/i.test(u), {
      message: 'an https URL with no user name, password or #fragment',
    })
    // The network policy at import, not only when sent: plain http only to this machine.
    .superRefine((u, ctx) => {
      const checked = checkUrl(u)
      if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message })
    }),
])

/** An endpoint of the profile as a URL: a path goes under the account's base URL. */
export function endpointUrl(base: string, endpoint: string): string {
  return endpoint.startsWith('/') ? joinUrl(base, endpoint) : endpoint
}

/** A value sent to the authorization server: text as written, or an account field's value. */
const clientValue = z.union([z.string().min(1).max(500), z.object({ $field: fieldName }).strict()])
export type ClientValue = z.infer<typeof clientValue>

/** The parameters TokenDeck sets itself; a profile's `params` cannot replace them. */
export const RESERVED_OAUTH_PARAMS = [
  'client_id',
  'client_secret',
  'redirect_uri',
  'response_type',
  'state',
  'code',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'grant_type',
  'device_code',
  'scope',
] as const

const oauthShared = {
  /** The token endpoint (RFC 6749 §3.2). */
  tokenUrl: endpointSchema,
  clientId: clientValue,
  /** A confidential client's secret: a secret field of the account, never text in the profile. */
  clientSecret: z.object({ $field: fieldName }).strict().optional(),
  /** How a client secret is sent: in the form body (default) or as HTTP Basic (RFC 6749 §2.3.1). */
  clientAuth: z.enum(['body', 'basic']).default('body'),
  /** Asked for as `scope`, joined with spaces. */
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, 'a scope token (RFC 6749 §3.3)'))
    .max(50)
    .default([]),
  /** Extra parameters of the authorization (or device authorization) request: audience, prompt. */
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), clientValue).default({}),
}

export const oauthDeviceLoginSchema = z
  .object({
    kind: z.literal('oauth-device'),
    /** The device authorization endpoint (RFC 8628 §3.1). */
    deviceAuthorizationUrl: endpointSchema,
    ...oauthShared,
    /** The longest TokenDeck waits for the user, whatever the server's `expires_in` says. */
    timeoutSeconds: z.number().int().min(30).max(3600).default(900),
  })
  .strict()

export const oauthCodeLoginSchema = z
  .object({
    kind: z.literal('oauth-code'),
    /** The authorization endpoint the browser opens (RFC 6749 §3.1). */
    authorizationUrl: endpointSchema,
    ...oauthShared,
    /**
     * The loopback redirect (RFC 8252 §7.3): `http://127.0.0.1:<port><path>`. Port 0 (default):
     * one the OS picks for each login; a fixed port for servers that register it exactly.
     */
    redirect: z
      .object({
        port: z.number().int().min(0).max(65535).default(0),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9\-._~/]{0,100}$/, 'a path such as "/callback"')
          .default('/callback'),
      })
      .strict()
      .default({ port: 0, path: '/callback' }),
    /** How long the browser step may take before the login ends. */
    timeoutSeconds: z.number().int().min(30).max(3600).default(300),
  })
  .strict()

/**
 * Client credentials (RFC 6749 §4.4): the client's own token, no user and no browser. Its secret
 * goes as HTTP Basic (`clientAuth: "basic"`, the method every server must take) or in the form.
 */
export const oauthClientLoginSchema = z
  .object({
    kind: z.literal('oauth-client'),
    ...oauthShared,
    clientSecret: z.object({ $field: fieldName }).strict(),
  })
  .strict()

export type OauthDeviceLogin = z.infer<typeof oauthDeviceLoginSchema>
export type OauthCodeLogin = z.infer<typeof oauthCodeLoginSchema>
export type OauthClientLogin = z.infer<typeof oauthClientLoginSchema>
export type OauthLogin = OauthDeviceLogin | OauthCodeLogin | OauthClientLogin

/** Whether a login needs a person in a browser (a code to type, a page to sign in on). */
export function needsPerson(login: { kind: string }): boolean {
  return login.kind === 'oauth-code' || login.kind === 'oauth-device'
}

/** The fields an OAuth login names (clientId, clientSecret, params), for the profile's checks. */
export function oauthFieldRefs(
  login: OauthLogin,
): { where: string[]; field: string; secret: boolean }[] {
  const refs: { where: string[]; field: string; secret: boolean }[] = []
  if (typeof login.clientId === 'object') {
    refs.push({ where: ['clientId'], field: login.clientId.$field, secret: false })
  }
  if (login.clientSecret) {
    refs.push({ where: ['clientSecret'], field: login.clientSecret.$field, secret: true })
  }
  for (const [k, v] of Object.entries(login.params)) {
    if (typeof v === 'object') refs.push({ where: ['params', k], field: v.$field, secret: false })
  }
  return refs
}
