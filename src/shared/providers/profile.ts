// The provider profile format: a token API described as data. One engine runs every profile,
// built-in or imported by the user; docs/providers.md documents each key with a worked example.
import { z } from 'zod'
import { hasControls } from '../controls'
import { isSecretField } from './field-roles'
import { JSON_PATH_PATTERN } from '../json-path'
import { fail, ok, type Result } from '../result'
import {
  RESERVED_OAUTH_PARAMS,
  endpointSchema,
  oauthClientLoginSchema,
  oauthCodeLoginSchema,
  oauthDeviceLoginSchema,
  oauthFieldRefs,
  type OauthLogin,
} from './oauth-login'

export const PROFILE_FORMAT_VERSION = 1

const jsonPath = z
  .string()
  .regex(JSON_PATH_PATTERN, 'a dotted JSON path such as "success.data.access_token"')

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'letters, digits and "_", starting with a letter')

const requestPath = z
  .string()
  .max(300)
  .regex(/^\/[A-Za-z0-9\-._~/%:@!$&'()*+,;=]*$/, 'a path starting with "/", no query or fragment')

/** A probe path: a request path whose segments may hold `{field}` placeholders. */
const PROBE_PATH_PATTERN = /^\/(?:[A-Za-z0-9\-._~/%:@!$&'()*+,;=]|\{[A-Za-z][A-Za-z0-9_]{0,39}\})*$/

/** The account fields a probe path names, in order. */
export function probePathFields(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z][A-Za-z0-9_]{0,39})\}/g)].map((m) => m[1]!)
}

const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

const statusList = z.array(z.number().int().min(100).max(599)).min(1)

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()])

/**
 * A one-time code computed at login from a TOTP seed kept in a secret field (RFC 6238): 6 digits
 * every 30 seconds with HMAC-SHA1 unless the service says otherwise.
 */
export const totpValueSchema = z
  .object({
    $totp: fieldName,
    digits: z.union([z.literal(6), z.literal(7), z.literal(8)]).optional(),
    period: z.number().int().min(10).max(300).optional(),
    algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).optional(),
  })
  .strict()
export type TotpValue = z.infer<typeof totpValueSchema>

/**
 * A body value is a JSON literal sent as is, a reference to an account field, (in a `refresh`
 * request only) the refresh token itself, (in a `revoke` request only) the token being revoked,
 * or (in the login only) a TOTP code of a secret seed.
 */
export const bodyValueSchema = z.union([
  z.object({ $field: fieldName }).strict(),
  z.object({ $refreshToken: z.literal(true) }).strict(),
  z.object({ $token: z.literal(true) }).strict(),
  totpValueSchema,
  primitive,
])
export type BodyValue = z.infer<typeof bodyValueSchema>

const bodyTemplate = z.record(z.string().min(1).max(100), bodyValueSchema)

/** A condition on the parsed JSON body: the value at `path` equals `equals`. */
const bodyCondition = z.object({ path: jsonPath, equals: primitive }).strict()

export const fieldSchema = z
  .object({
    name: fieldName,
    label: z.string().min(1).max(80),
    kind: z.enum(['text', 'email', 'secret', 'checkbox']).default('text'),
    /**
     * What the field means to the vault: `username` is shown in lists, `organization` scopes
     * the token cap, `secret` is encrypted at rest and never leaves the main process.
     */
    role: z.enum(['username', 'organization', 'secret']).optional(),
    required: z.boolean().default(true),
    placeholder: z.string().max(120).optional(),
    help: z.string().max(300).optional(),
    /**
     * A code the person types at each login (an authenticator app's, a texted one): a secret
     * field that is never stored, even when the account remembers its other secrets.
     */
    oneTime: z.boolean().optional(),
  })
  .strict()
export type ProfileField = z.infer<typeof fieldSchema>

const requestSchema = z
  .object({
    method: httpMethod.default('POST'),
    path: requestPath,
    /** `json` or `form` (application/x-www-form-urlencoded); `none` sends no body. */
    encoding: z.enum(['json', 'form', 'none']).default('json'),
    body: bodyTemplate.default({}),
  })
  .strict()

const successSchema = z
  .object({
    status: statusList.default([200]),
    /** For APIs that answer failures with a success status (HTTP 200 + `success: false`). */
    when: bodyCondition.optional(),
  })
  .strict()

export const expirySchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('body'),
      path: jsonPath,
      /**
       * A date (epoch ms or s, ISO 8601), or `lifetime-s`: seconds from the moment of the answer
       * (OAuth's `expires_in`, RFC 6749 §5.1).
       */
      format: z.enum(['epoch-ms', 'epoch-s', 'iso8601', 'lifetime-s']),
      /**
       * An answer without it (absent or null): a bad response (the default), or `none`, a token
       * valid until revoked (GitHub sends `expires_in` only for apps with expiring tokens).
       */
      whenAbsent: z.enum(['error', 'none']).optional(),
    })
    .strict(),
  /** The JWT `exp` claim, decoded (not verified): used for the date only, trusted for nothing else. */
  z.object({ source: z.literal('jwt-exp') }).strict(),
  /** A lifetime the provider documents, counted from the moment the token was received. */
  z
    .object({
      source: z.literal('ttl'),
      seconds: z
        .number()
        .int()
        .min(1)
        .max(10 * 365 * 24 * 3600),
    })
    .strict(),
  /** The provider gives no expiry: the token is valid until revoked. */
  z.object({ source: z.literal('none') }).strict(),
])
export type ExpirySpec = z.infer<typeof expirySchema>

const errorsSchema = z
  .object({
    /** Where a human-readable message may be; the first string found wins (arrays: first item). */
    messagePaths: z.array(jsonPath).default([]),
    /** An object of field name -> message or list of messages (Django/DRF style). */
    fieldErrorsPath: jsonPath.optional(),
    /** Support references kept with the error, e.g. xpay's error tag and request uuid. */
    referencePaths: z.record(fieldName, jsonPath).default({}),
  })
  .strict()

const authSchema = z
  .object({
    header: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/)
      .default('Authorization'),
    /** The scheme word before the token: `Token`, `Bearer`, ... */
    scheme: z.string().regex(/^[A-Za-z][A-Za-z0-9._~+/-]{0,31}$/),
  })
  .strict()

/**
 * Where one token fact is in the login answer: a path (kept in plain sight, shown in the window),
 * or `{ "path": ..., "secret": true }` for a value kept encrypted and never shown (xpay's ticket).
 */
const metadataEntrySchema = z.union([
  jsonPath,
  z.object({ path: jsonPath, secret: z.boolean().default(false) }).strict(),
])

/**
 * Refresh tokens: where the login answer has one, the request that exchanges it for a new access
 * token (its body names the refresh token with `{ "$refreshToken": true }`), where that answer
 * has the new access token and, when the server rotates them, a new refresh token, and when
 * the refresh token itself expires.
 */
const refreshSchema = requestSchema
  .extend({
    /** A path under the base URL, or the authorization server's token URL. */
    path: endpointSchema,
    /** Where the refresh token is in the login answer. */
    tokenPath: jsonPath,
    success: successSchema,
    /** Where the new access token is in the refresh answer; default: the login's `token.path`. */
    accessTokenPath: jsonPath.optional(),
    /** Where a rotated refresh token is in the refresh answer; absent: the old one stays valid. */
    rotatedTokenPath: jsonPath.optional(),
    /** When the new access token expires; default: the profile's `expiry`. */
    accessExpiry: expirySchema.optional(),
    /** When the refresh token expires (read from the login answer and from each rotation). */
    expiry: expirySchema.default({ source: 'none' }),
  })
  .strict()

/**
 * A cheap authenticated request whose success means the token is good; 401 or 403: refused.
 * Its path may name non-secret account fields as `{field}` (TPStreams: `/api/v1/{organization_id}/
 * assets/`), each replaced by the account's value, percent-encoded as one path segment.
 */
const probeSchema = z
  .object({
    method: httpMethod.default('GET'),
    /**
     * A path under the base URL, sent with the account's header; or, for a token introspection
     * endpoint (RFC 7662) whose body sends `{ "$token": true }`, that endpoint's URL.
     */
    path: z.union([
      z
        .string()
        .max(300)
        .regex(
          PROBE_PATH_PATTERN,
          'a path starting with "/", no query or fragment; "{field}" names an account field',
        ),
      endpointSchema,
    ]),
    /** An introspection request's body: `$token`, and the client's id (and secret) by field. */
    encoding: z.enum(['json', 'form', 'none']).default('none'),
    body: bodyTemplate.default({}),
    success: successSchema.default({ status: [200] }),
    /**
     * Where the answer says whether the token is active (RFC 7662: `active`): `true` is good,
     * `false` is a refusal, anything else says nothing.
     */
    activePath: jsonPath.optional(),
  })
  .strict()

const revokeSchema = requestSchema
  .extend({
    /**
     * A path under the base URL, or an RFC 7009 revocation endpoint's URL. A body that sends
     * `{ "$token": true }` carries the token there instead of the auth header.
     */
    path: endpointSchema,
    encoding: z.enum(['json', 'form', 'none']).default('none'),
    success: successSchema,
    /** The answer that means "this token is already invalid": revoked as far as we care. */
    alreadyInvalid: z
      .object({ status: statusList.optional(), when: bodyCondition.optional() })
      .strict()
      .optional(),
  })
  .strict()

const signupSchema = requestSchema
  .extend({
    fields: z.array(fieldSchema).min(1).max(20),
    success: successSchema,
    /** Whether a successful signup also returns a usable token (at the login token path). */
    returnsToken: z.boolean().default(false),
    /** Account field name -> signup field name, to create the account after signing up. */
    accountFields: z.record(fieldName, fieldName),
  })
  .strict()

export const profileSchema = z
  .object({
    formatVersion: z.literal(PROFILE_FORMAT_VERSION),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and "-", 2 to 40 characters'),
    name: z.string().min(1).max(60),
    description: z.string().max(400).optional(),
    docsUrl: z.url({ protocol: /^https$/ }).optional(),
    /** Default base URL; an account may override it (self-hosted, sandbox). */
    baseUrl: z.url({ protocol: /^https?$/ }),
    fields: z.array(fieldSchema).min(1).max(20),
    /**
     * How a token is obtained: a `request` that posts the account's fields (the default), or an
     * OAuth 2.0 login (`oauth-code`: authorization code with PKCE in the browser; `oauth-device`:
     * the device flow; `oauth-client`: client credentials). TOTP codes go in a request.
     */
    login: z.discriminatedUnion('kind', [
      requestSchema
        .extend({ kind: z.literal('request').default('request'), success: successSchema })
        .strict(),
      oauthCodeLoginSchema,
      oauthDeviceLoginSchema,
      oauthClientLoginSchema,
    ]),
    token: z.object({ path: jsonPath }).strict(),
    auth: authSchema,
    expiry: expirySchema,
    /** Facts kept with each token (scopes, ticket), by name -> path or `{ path, secret }`. */
    metadata: z.record(fieldName, metadataEntrySchema).default({}),
    errors: errorsSchema.default({ messagePaths: [], referencePaths: {} }),
    revoke: revokeSchema.optional(),
    signup: signupSchema.optional(),
    /** How many live tokens the provider allows; `organization` needs a field with that role. */
    cap: z
      .object({
        max: z.number().int().min(1).max(100_000),
        scope: z.enum(['organization', 'account']),
        /**
         * What the server does with a login beyond the cap: `refuse` it (TPStreams), or
         * `evictOldest`: mint, and revoke the oldest live token itself (GitHub-style).
         */
        onExceed: z.enum(['refuse', 'evictOldest']).default('refuse'),
      })
      .strict()
      .optional(),
    refresh: refreshSchema.optional(),
    probe: probeSchema.optional(),
    /** TokenDeck never sends more than `max` logins in any `perSeconds` window (all processes). */
    loginRateLimit: z
      .object({
        max: z.number().int().min(1).max(10_000),
        perSeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 3600),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const names = new Set<string>()
    for (const f of p.fields) {
      if (names.has(f.name)) {
        ctx.addIssue({ code: 'custom', path: ['fields'], message: `duplicate field "${f.name}"` })
      }
      names.add(f.name)
    }
    for (const role of ['username', 'organization'] as const) {
      if (p.fields.filter((f) => f.role === role).length > 1) {
        ctx.addIssue({ code: 'custom', path: ['fields'], message: `more than one "${role}" field` })
      }
    }
    const checkSecretWords = (where: string[], fields: readonly ProfileField[]) => {
      fields.forEach((f, i) => {
        const said = secretWordIn(f)
        if (said && f.role !== 'secret') {
          ctx.addIssue({
            code: 'custom',
            path: [...where, i, 'role'],
            message: `field "${f.name}" looks like a secret (its ${said.in} says ${said.word}): give it "role": "secret"`,
          })
        }
      })
    }
    checkSecretWords(['fields'], p.fields)
    if (p.signup) checkSecretWords(['signup', 'fields'], p.signup.fields)
    p.fields.forEach((f, i) => {
      const problem = !f.oneTime
        ? null
        : f.role !== 'secret'
          ? 'a one-time code is a secret: give it "role": "secret"'
          : p.login.kind !== 'request'
            ? 'only a login request sends a typed one-time code'
            : null
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'oneTime'], message: problem })
    })
    if (p.signup?.fields.some((f) => f.oneTime)) {
      ctx.addIssue({
        code: 'custom',
        path: ['signup', 'fields'],
        message: 'a signup field cannot be a one-time code',
      })
    }
    if (p.fields.some((f) => f.kind === 'secret' && f.role !== 'secret')) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields'],
        message: 'a field of kind "secret" must have role "secret"',
      })
    }
    const secretNames = new Set(p.fields.filter(isSecretField).map((f) => f.name))
    const checkRefs = (
      where: string,
      body: Record<string, BodyValue>,
      known: Set<string>,
      refreshToken = false,
    ) => {
      for (const [key, v] of Object.entries(body)) {
        if (v !== null && typeof v === 'object' && '$token' in v) {
          if (where !== 'revoke' && where !== 'probe') {
            ctx.addIssue({
              code: 'custom',
              path: [where, 'body', key],
              message: '"$token" can only be sent by the revoke and probe requests',
            })
          }
        } else if (v !== null && typeof v === 'object' && '$totp' in v) {
          const problem =
            where !== 'login'
              ? '"$totp" can only be sent by the login'
              : !secretNames.has(v.$totp)
                ? `a TOTP seed must be a secret field of the account ("${v.$totp}" is not)`
                : null
          if (problem)
            ctx.addIssue({ code: 'custom', path: [where, 'body', key], message: problem })
        } else if (v !== null && typeof v === 'object' && '$refreshToken' in v) {
          if (!refreshToken) {
            ctx.addIssue({
              code: 'custom',
              path: [where, 'body', key],
              message: '"$refreshToken" can only be sent by the refresh request',
            })
          }
        } else if (v !== null && typeof v === 'object' && !known.has(v.$field)) {
          ctx.addIssue({
            code: 'custom',
            path: [where, 'body', key],
            message: `refers to unknown field "${v.$field}"`,
          })
        }
      }
    }
    if (p.login.kind === 'request') checkRefs('login', p.login.body, names)
    else checkOauthLogin(p.login, p.fields, ctx)
    if (p.revoke) checkRefs('revoke', p.revoke.body, names)
    if (p.refresh) {
      checkRefs('refresh', p.refresh.body, names, true)
      const sendsIt = Object.values(p.refresh.body).some(
        (v) => v !== null && typeof v === 'object' && '$refreshToken' in v,
      )
      if (!sendsIt) {
        ctx.addIssue({
          code: 'custom',
          path: ['refresh', 'body'],
          message: 'the refresh request must send the refresh token: { "$refreshToken": true }',
        })
      }
    }
    if (p.signup) {
      const signupNames = new Set(p.signup.fields.map((f) => f.name))
      checkRefs('signup', p.signup.body, signupNames)
      for (const [accountField, signupField] of Object.entries(p.signup.accountFields)) {
        if (!names.has(accountField) || !signupNames.has(signupField)) {
          ctx.addIssue({
            code: 'custom',
            path: ['signup', 'accountFields', accountField],
            message: `maps "${accountField}" to "${signupField}", but one of them is not a field`,
          })
        }
      }
    }
    if (p.probe) {
      checkRefs('probe', p.probe.body, names)
      const sendsToken = Object.values(p.probe.body).some(
        (v) => v !== null && typeof v === 'object' && '$token' in v,
      )
      if (!p.probe.path.startsWith('/') && !sendsToken) {
        ctx.addIssue({
          code: 'custom',
          path: ['probe', 'path'],
          message:
            'a probe that sends the account\'s header goes to a path under the base URL; only an introspection probe (its body sends { "$token": true }) names another URL',
        })
      }
      for (const name of probePathFields(p.probe.path)) {
        const f = p.fields.find((x) => x.name === name)
        if (!f || isSecretField(f)) {
          ctx.addIssue({
            code: 'custom',
            path: ['probe', 'path'],
            message: f
              ? `"{${name}}" is a secret field: a probe path can only name non-secret fields`
              : `"{${name}}" is not a field of this profile`,
          })
        }
      }
    }
    if (p.cap?.scope === 'organization' && !p.fields.some((f) => f.role === 'organization')) {
      ctx.addIssue({
        code: 'custom',
        path: ['cap', 'scope'],
        message: 'a cap per organization needs a field with role "organization"',
      })
    }
  })

/** An OAuth login names only fields of the account, a secret only as its client secret. */
function checkOauthLogin(login: OauthLogin, fields: readonly ProfileField[], ctx: z.RefinementCtx) {
  for (const ref of oauthFieldRefs(login)) {
    const f = fields.find((x) => x.name === ref.field)
    const problem = !f
      ? `refers to unknown field "${ref.field}"`
      : ref.secret && !isSecretField(f)
        ? `a client secret must be a secret field ("${ref.field}" is not)`
        : !ref.secret && isSecretField(f)
          ? `"${ref.field}" is a secret field: only clientSecret may name one`
          : null
    if (problem) ctx.addIssue({ code: 'custom', path: ['login', ...ref.where], message: problem })
  }
  for (const key of Object.keys(login.params)) {
    if ((RESERVED_OAUTH_PARAMS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['login', 'params', key],
        message: `"${key}" is set by TokenDeck itself`,
      })
    }
  }
  if (login.clientAuth === 'basic' && !login.clientSecret) {
    ctx.addIssue({
      code: 'custom',
      path: ['login', 'clientAuth'],
      message: '"basic" sends a client secret: name one in clientSecret',
    })
  }
}

/** A validated profile, defaults filled in. */
export type ProviderProfile = z.infer<typeof profileSchema>
/** A profile as written in a JSON file, before defaults. */
export type ProviderProfileInput = z.input<typeof profileSchema>

/**
 * Words that say a field holds a secret. A name is cut into its camelCase / snake_case / digit
 * parts ("apiKey" -> api, key; "password1" -> password, 1), a label into its words ("API-key"
 * -> api, key). A part says secret when it is one of SECRET_PART (or its plural), or holds one of
 * SECRET_INSIDE (a name written as one word: "clientsecret", "accesstoken", "apikey", "newpwd").
 * Whole parts only, so "keyboard", "monkey", "spin", "bypass", "tokenizer" or "secretary" do
 * not. A key or token part followed by a part that names something about it, not it (QUALIFIER:
 * "keyId", "tokenUrl", "token_type", "Key ID"), says nothing: those are identifiers and
 * addresses, not secrets.
 */
const SECRET_PART =
  /^(?:passwords?|passwds?|pwds?|pass|passcodes?|passphrases?|pins?|pincodes?|otps?|totps?|hotps?|secrets?|keys?|tokens?|credentials?|creds?)$/
const SECRET_INSIDE =
  /passw(?:or)?d|passphrase|passcode|pwd|credential|secret(?!ar(?:y|ies|iat))|tokens?$|(?:access|api|app|auth|client|encryption|license|master|private|secret|signing)keys?$/
const QUALIFIER = /^(?:ids?|urls?|uris?|types?|endpoints?|names?|paths?)$/
const KEY_OR_TOKEN = /^(?:keys?|tokens?)$/

function wordsOf(text: string): string[] {
  return (text.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase())
}

/** Whether a field's name or label says it holds a secret, and which word says so. */
export function secretWordIn(
  f: Pick<ProfileField, 'name' | 'label'>,
): { in: 'name' | 'label'; word: string } | null {
  for (const where of ['name', 'label'] as const) {
    const words = wordsOf(f[where])
    for (const [i, word] of words.entries()) {
      if (!SECRET_PART.test(word) && !SECRET_INSIDE.test(word)) continue
      const next = words[i + 1]
      if (KEY_OR_TOKEN.test(word) && next !== undefined && QUALIFIER.test(next)) continue
      return { in: where, word }
    }
  }
  return null
}

/** One metadata entry of a profile, either spelling normalised. */
export interface MetadataEntry {
  name: string
  path: string
  /** Kept encrypted with the token and never shown (not in `metadata`, in `secretMetadata`). */
  secret: boolean
}

export function metadataEntries(p: Pick<ProviderProfile, 'metadata'>): MetadataEntry[] {
  return Object.entries(p.metadata).map(([name, e]) =>
    typeof e === 'string'
      ? { name, path: e, secret: false }
      : { name, path: e.path, secret: e.secret },
  )
}

/** A field whose value is a secret (a password, a key): the one definition every part uses. */
/**
 * Whether the provider can revoke a token (its profile has a `revoke` request): the window's
 * Revoke button, the replace-and-revoke plan, and what a revoke does (revoked on the server, or
 * only forgotten here) all read it from this one place.
 */
export function canRevoke<P extends Pick<ProviderProfile, 'revoke'>>(
  p: P,
): p is P & { revoke: NonNullable<P['revoke']> } {
  return p.revoke !== undefined
}

export { isOneTimeField, isSecretField } from './field-roles'

export function secretFields(p: Pick<ProviderProfile, 'fields'>): ProfileField[] {
  return p.fields.filter(isSecretField)
}

export const FIELD_MAX_LENGTH = 4096

/**
 * What is wrong with one field's value, or null: the one check the vault (adding and editing
 * accounts) and the engine (before any request) apply. `required` overrides the profile's flag
 * (an edit may leave a stored secret empty). Secrets may hold any character.
 */
export function fieldProblem(
  f: Pick<ProfileField, 'kind' | 'role' | 'required'>,
  v: string | undefined,
  required = f.required,
): string | null {
  const empty = v === undefined || v === '' || (f.kind === 'checkbox' && v !== 'true')
  if (empty) {
    if (!required) return null
    return f.kind === 'checkbox' ? 'This must be checked.' : 'This field is required.'
  }
  if (v.length > FIELD_MAX_LENGTH) return `Too long (${FIELD_MAX_LENGTH} characters at most).`
  if (!isSecretField(f) && hasControls(v)) return 'Contains control characters.'
  return null
}

export function fieldWithRole(
  p: Pick<ProviderProfile, 'fields'>,
  role: 'username' | 'organization' | 'secret',
): ProfileField | undefined {
  return p.fields.find((f) => f.role === role)
}

/** Validates a profile (from a built-in file or a user's import) with readable errors. */
export function parseProfile(input: unknown): Result<ProviderProfile> {
  const proto = protoKeyPath(input)
  if (proto !== null) {
    return fail('VALIDATION_FAILED', 'This is not a valid provider profile.', {
      details: {
        problems: [`${proto}: "__proto__" cannot be a key (not a field, body or metadata name)`],
      },
    })
  }
  const parsed = profileSchema.safeParse(input)
  if (parsed.success) return ok(parsed.data)
  return fail('VALIDATION_FAILED', 'This is not a valid provider profile.', {
    details: { problems: formatIssues(parsed.error.issues) },
  })
}

/**
 * Where the first own "__proto__" key is (JSON.parse keeps it as a plain key), or null. Zod would
 * silently drop it from a record; a profile should say what it means, so it is refused instead.
 * Iterative, so a deeply nested file cannot overflow the stack.
 */
function protoKeyPath(input: unknown): string | null {
  const stack: { v: unknown; at: string }[] = [{ v: input, at: '(top level)' }]
  while (stack.length > 0) {
    const { v, at } = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    for (const [k, child] of Object.entries(v)) {
      const here = at === '(top level)' ? k : `${at}.${k.slice(0, 40)}`
      if (k === '__proto__') return here.slice(0, 120)
      stack.push({ v: child, at: here.slice(0, 200) })
    }
  }
  return null
}

/** Zod issues as short lines: "login.path: a path starting with "/"". Bounded in size. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = 12): string[] {
  const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t)
  const lines = issues.slice(0, max).map((i) => {
    const where =
      i.path.length > 0 ? i.path.map((p) => cut(String(p), 40)).join('.') : '(top level)'
    // Messages name unknown keys verbatim; a hostile payload's key can be any length.
    return `${cut(where, 120)}: ${cut(i.message, 200)}`
  })
  if (issues.length > max) lines.push(`…and ${issues.length - max} more`)
  return lines
}
