// The command table: each command's name, usage, flags and handler. Help text is built from it,
// so what `tokendeck help` says and what the parser accepts cannot drift apart.
import type { ParseArgsOptionsConfig } from 'node:util'
import type { Ctx } from './ctx'

type Run = (ctx: Ctx) => Promise<number>

// Handlers load on demand: help and usage errors stay instant, and each command pulls in only
// the code it needs (the sandbox servers, for one, load only for `tokendeck sandbox`; no vault
// code loads for a command the agent answers: connection.ts).
const accounts =
  (name: 'accountsAdd' | 'accountsList' | 'accountsRemove' | 'accountsKeepReady'): Run =>
  async (ctx) =>
    (await import('./commands-accounts'))[name](ctx)
const providers =
  (name: 'providersList' | 'providersAdd'): Run =>
  async (ctx) =>
    (await import('./commands-providers'))[name](ctx)
const tokens =
  (name: 'header' | 'token' | 'login' | 'revoke' | 'reject'): Run =>
  async (ctx) =>
    (await import('./commands-tokens'))[name](ctx)
const vault =
  (name: 'init' | 'changePassphrase' | 'upgrade' | 'acceptOlder'): Run =>
  async (ctx) =>
    (await import('./commands-vault'))[name](ctx)
const views =
  (name: 'status' | 'log'): Run =>
  async (ctx) =>
    (await import('./commands-views'))[name](ctx)
const runs =
  (name: 'run' | 'inject' | 'read'): Run =>
  async (ctx) =>
    (await import('./commands-run'))[name](ctx)
const helpers =
  (name: 'routeAdd' | 'routeList' | 'routeRemove' | 'gitCredential' | 'credentialHelper'): Run =>
  async (ctx) =>
    (await import('./commands-helpers'))[name](ctx)
const ledger =
  (name: 'ledgerConnect' | 'ledgerStatus' | 'ledgerDisconnect' | 'ledgerAskRevoke'): Run =>
  async (ctx) =>
    (await import('./commands-ledger'))[name](ctx)
const gateway =
  (name: 'gateway' | 'gatewayPolicy'): Run =>
  async (ctx) =>
    (await import('./commands-gateway'))[name](ctx)
const agent =
  (name: 'agentRun' | 'agentStart' | 'agentStop' | 'agentStatus'): Run =>
  async (ctx) =>
    (await import('./commands-agent'))[name](ctx)

/** Said by every command that may mint (header, token, login). */
const EVICT_DETAIL =
  '--yes: where minting past the cap makes the server evict the oldest token, go ahead (without it, nothing is sent and the token that would be evicted is named).'

/** One command: what it is called, what it accepts, and what runs it. */
export interface CommandSpec {
  name: string
  usage: string
  summary: string
  /** More lines for `tokendeck help <command>`. */
  details?: readonly string[]
  /**
   * One to three command lines for `tokendeck help <command>`, shown after "$ " (never wrapped;
   * tests/unit/cli-help.test.ts parses each against this table).
   */
  examples?: readonly string[]
  /** Flags besides --json and --help. */
  options: ParseArgsOptionsConfig
  /** Takes --vault DIR and --passphrase-stdin. */
  vault: boolean
  /** Positional arguments after the command name: [min, max] (before `--` when `passthrough`). */
  args: readonly [number, number]
  /**
   * The first positional is an account label. `default`: it may be left out, and the default
   * account (TOKENDECK_ACCOUNT, else the nearest .tokendeck.json: default-account.ts) fills it
   * before the command runs. `given`: it is never filled in (completion only).
   */
  account?: 'default' | 'given'
  /** The first positional is one of these words (for completion; the command checks it). */
  words?: readonly string[]
  /** Needs `--`: what follows goes to another program, after the positionals in ctx.args. */
  passthrough?: boolean
  /** Left out of help and completion (the completion scripts' own helper). */
  hidden?: boolean
  run(ctx: Ctx): Promise<number>
}

const flag = { type: 'boolean' } as const
const text = { type: 'string' } as const

/** Every flag `c` takes: its own, --json and --help, and for a vault command --vault and
 * --passphrase-stdin. */
export function optionsOf(c: CommandSpec): ParseArgsOptionsConfig {
  return {
    ...c.options,
    json: flag,
    help: { type: 'boolean', short: 'h' },
    ...(c.vault ? { vault: text, 'passphrase-stdin': flag } : {}),
  }
}

/** `as const`: the flag names and types are known to the compiler (ctx.ts `FlagName`). */
const TABLE = [
  {
    name: 'init',
    usage: 'init',
    summary: 'create a passphrase-protected vault',
    examples: ['tokendeck init', 'tokendeck init --vault ~/work-vault'],
    options: {},
    vault: true,
    args: [0, 0],
    run: vault('init'),
  },
  {
    name: 'passphrase change',
    usage: 'passphrase change',
    summary: 'set a new passphrase; rotates the vault key (old copies stay on the old one)',
    details: [
      'stdin: the current passphrase (with --passphrase-stdin, else $TOKENDECK_PASSPHRASE), then',
      'the new one (and again, at a terminal). Every record is re-encrypted with a new data key,',
      'so the old passphrase and old copies of the file open nothing written afterwards.',
      'A vault also protected by the OS keychain is changed in the app (it wraps the new key).',
    ],
    examples: ['tokendeck passphrase change'],
    options: {},
    vault: true,
    args: [0, 0],
    run: vault('changePassphrase'),
  },
  {
    name: 'vault upgrade',
    usage: 'vault upgrade [--yes]',
    summary: 'upgrade a format 1 vault, once you have checked what it holds',
    details: [
      'A format 1 vault (from an earlier TokenDeck) sealed only secrets and tokens: anyone who can',
      'write its folder could have edited its accounts, servers, routes and settings. Without',
      '--yes this lists them and changes nothing; with --yes the vault is sealed whole, and the',
      'gateway, routes, agent approval and auto-lock are reset rather than trusted.',
    ],
    examples: ['tokendeck vault upgrade', 'tokendeck vault upgrade --yes'],
    options: { yes: flag },
    vault: true,
    args: [0, 0],
    run: vault('upgrade'),
  },
  {
    name: 'vault accept-older',
    usage: 'vault accept-older [--yes]',
    summary: 'open a copy of the vault older than the newest this computer saw',
    details: [
      'Every write numbers the vault file one higher, and this computer remembers the highest it',
      'saw (outside the vault folder). An older copy (a restored backup, a synced folder that',
      'lost a write, or one put back by someone else) is refused until you accept it here: without',
      '--yes this says which copy is which and changes nothing; with --yes it becomes the newest.',
    ],
    examples: ['tokendeck vault accept-older', 'tokendeck vault accept-older --yes'],
    options: { yes: flag },
    vault: true,
    args: [0, 0],
    run: vault('acceptOlder'),
  },
  {
    name: 'providers list',
    usage: 'providers list',
    summary: 'built-in and imported providers, with their token caps',
    details: [
      'Imported providers are sealed in the vault with everything else: they are listed when the',
      'vault can be unlocked ($TOKENDECK_PASSPHRASE or --passphrase-stdin); the built-in ones always.',
    ],
    examples: ['tokendeck providers list', 'tokendeck providers list --json'],
    options: {},
    vault: true,
    args: [0, 0],
    run: providers('providersList'),
  },
  {
    name: 'providers add',
    usage: 'providers add FILE.json',
    summary: 'import a provider profile (see docs/providers.md)',
    examples: ['tokendeck providers add ./acme-api.json'],
    options: {},
    vault: true,
    args: [1, 1],
    run: providers('providersAdd'),
  },
  {
    name: 'accounts add',
    usage:
      'accounts add --provider ID --label L [--username U] [--org ID] [--base-url URL]\n' +
      '               [--field NAME=VALUE]... [--remember [--no-verify]] [--secret-stdin]',
    summary: 'add an account and log in with it; the secret is typed or piped, never an argument',
    details: [
      'The secret: a hidden prompt at a terminal; with --secret-stdin, line 1 of stdin (line 2',
      'after the passphrase with --passphrase-stdin). A profile with several secret fields takes',
      'one line each, in its field order.',
      '--username and --org fill the fields with those roles; --field sets other plain fields.',
      'The account logs in at once, as in the app, and is kept only if that login works: a',
      'mistyped secret leaves nothing behind. --remember stores the secret (encrypted) so tokens',
      'can be minted again unattended; without it the secret is used for this login only.',
      '--no-verify (with --remember): add it without logging in.',
    ],
    examples: [
      'tokendeck accounts add --provider tpstreams --label acme-prod --username dev@acme.com --org acme --remember',
      'pass show xpay | tokendeck accounts add --provider xpay --label xpay-dev --username dev@acme.com --remember --secret-stdin',
    ],
    options: {
      provider: text,
      label: text,
      username: text,
      org: text,
      'base-url': text,
      field: { type: 'string', multiple: true },
      remember: flag,
      'no-verify': flag,
      'secret-stdin': flag,
    },
    vault: true,
    args: [0, 0],
    run: accounts('accountsAdd'),
  },
  {
    name: 'accounts list',
    usage: 'accounts list',
    summary: 'every account with its provider, user, organization and token state',
    examples: ['tokendeck accounts list', 'tokendeck accounts list --json'],
    options: {},
    vault: true,
    args: [0, 0],
    run: accounts('accountsList'),
  },
  {
    name: 'accounts remove',
    usage: 'accounts remove L [--force]',
    summary: 'remove an account (refused while it has live tokens, unless --force)',
    examples: [
      'tokendeck accounts remove acme-old',
      'tokendeck revoke acme-old --all && tokendeck accounts remove acme-old',
    ],
    options: { force: flag },
    vault: true,
    args: [1, 1],
    account: 'given',
    run: accounts('accountsRemove'),
  },
  {
    name: 'accounts keep-ready',
    usage: 'accounts keep-ready L on|off',
    summary: "keep a valid token ready: renew L's token before it expires, unattended",
    details: [
      'The app renews it renewBeforeMinutes (default 5) before expiry, also after sleep or unlock.',
      'An account that does not remember its secret cannot renew unattended: it is warned about',
      'warnBeforeMinutes (default 15) before expiry instead (notification, tray, tokendeck status).',
    ],
    examples: ['tokendeck accounts keep-ready acme-prod on'],
    options: {},
    vault: true,
    args: [2, 2],
    account: 'given',
    run: accounts('accountsKeepReady'),
  },
  {
    name: 'header',
    usage: 'header [L] [--yes] [--otp-stdin]',
    summary: 'print "Authorization: <Scheme> <token>", reusing a valid token or minting one',
    details: [EVICT_DETAIL],
    examples: [
      'tokendeck header acme-prod',
      'tokendeck header acme-prod | curl -H @- https://app.tpstreams.com/api/v1/acme/assets/',
      'oathtool --totp -b "$SEED" | tokendeck header corp-api --otp-stdin',
    ],
    options: { yes: flag, 'otp-stdin': flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: tokens('header'),
  },
  {
    name: 'token',
    usage: 'token [L] [--yes] [--otp-stdin]',
    summary: 'print the bare token (reusing or minting, like header)',
    details: [EVICT_DETAIL],
    examples: ['tokendeck token acme-prod', 'tokendeck token xpay-dev --json'],
    options: { yes: flag, 'otp-stdin': flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: tokens('token'),
  },
  {
    name: 'login',
    usage: 'login [L] [--force] [--yes] [--secret-stdin | --otp-stdin]',
    summary: 'ensure a valid token (--force: a new one); prints its status, never the token',
    details: [
      'An account without a stored secret (no --remember) needs it for a new token: asked for at',
      'a terminal (hidden), or read from stdin with --secret-stdin; used for this login only.',
      'A one-time code (a profile field with "oneTime") is never stored: asked for at a terminal',
      'when a new token is needed, or read from stdin with --otp-stdin (one line per code).',
      EVICT_DETAIL,
    ],
    examples: [
      'tokendeck login acme-prod',
      'tokendeck login acme-prod --force',
      'tokendeck login classic-demo --secret-stdin',
    ],
    options: { force: flag, yes: flag, 'secret-stdin': flag, 'otp-stdin': flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: tokens('login'),
  },
  {
    name: 'revoke',
    usage: 'revoke [L] [--all | --oldest | --org | --uncertain]',
    summary: "revoke L's current token, or more: see tokendeck help revoke",
    details: [
      '--all        every live token of L',
      "--oldest     the oldest live token in L's organization, whichever account holds it",
      "--org        every live token in L's organization (all its accounts)",
      "--uncertain  dismiss L's uncertain tokens (you checked the server: none was created)",
      'Tokens are revoked on the server first; providers without a revoke endpoint forget them',
      'locally and say they stay valid on the server until they expire.',
    ],
    examples: [
      'tokendeck revoke acme-prod',
      'tokendeck revoke acme-prod --oldest',
      'tokendeck revoke acme-prod --uncertain',
    ],
    options: { all: flag, uncertain: flag, oldest: flag, org: flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: tokens('revoke'),
  },
  {
    name: 'status',
    usage: 'status [L] [--probe]',
    summary: 'expiry, state and cap usage per organization',
    details: [
      "--probe  first check each live token with its provider's probe request: a 401 or 403",
      '         marks it rejected (the next request mints a new one); network errors and 5xx',
      '         answers are inconclusive, mark nothing and exit 1. Nothing is minted to check.',
    ],
    examples: ['tokendeck status', 'tokendeck status acme-prod --probe'],
    options: { probe: flag },
    vault: true,
    args: [0, 1],
    account: 'given',
    run: views('status'),
  },
  {
    name: 'log',
    usage: 'log [--limit N] [--account L] [--type TYPE]... [--surface SURFACE]...',
    summary: 'the event log, newest first (default 50 events)',
    examples: [
      'tokendeck log --limit 10',
      'tokendeck log --account acme-prod',
      'tokendeck log --type mint,revoke --surface agent',
    ],
    details: [
      '--type and --surface take one word each, repeated or comma-separated: the newest N',
      'entries of those types (mint, reuse, copy, revoke, forget, failure, account, vault,',
      'agent, gateway, refresh, refusal) from those surfaces (ui, tray, cli, agent, gateway,',
      'renewal). An entry an agent request caused names who asked.',
    ],
    options: {
      limit: text,
      account: text,
      type: { type: 'string', multiple: true },
      surface: { type: 'string', multiple: true },
    },
    vault: true,
    args: [0, 0],
    run: views('log'),
  },
  {
    name: 'reject',
    usage: 'reject [L]',
    summary: "report that L's server refused its token (a 401 seen elsewhere): it becomes suspect",
    details: [
      'A 401 or 403 does not end a token (many APIs answer so for a permission problem while the',
      "token stays valid): it becomes suspect and keeps counting toward the cap. The profile's probe,",
      'where it has one, checks it at once. Otherwise the next request replaces it, revoking it on',
      'the server first where the provider can, at most once a minute (refusalMintIntervalSeconds).',
    ],
    examples: ['tokendeck reject acme-prod'],
    options: {},
    vault: true,
    args: [1, 1],
    account: 'default',
    run: tokens('reject'),
  },
  {
    name: 'run',
    usage: 'run [--env NAME=REF]... [--env-file FILE] [--no-masking] -- CMD [ARGS...]',
    summary: "run a command with accounts' tokens in its environment only, its output masked",
    details: [
      'REF is LABEL or LABEL/token (the bare token) or LABEL/header ("<Scheme> <token>"). An env',
      'file holds NAME=value lines; a value tokendeck://LABEL/token (or /header) is a reference.',
      "Every token given is masked in the command's stdout and stderr (--no-masking: not);",
      "signals are forwarded and the command's exit code is returned. See docs/integrations.md.",
    ],
    examples: [
      'tokendeck run --env API_TOKEN=acme-prod/token -- ./deploy.sh',
      'tokendeck run --env-file .env.tokendeck -- npm test',
    ],
    options: {
      env: { type: 'string', multiple: true },
      'env-file': text,
      'no-masking': flag,
    },
    vault: true,
    args: [1, 10_000],
    run: runs('run'),
  },
  {
    name: 'inject',
    usage: 'inject [-i TEMPLATE | -i -] [-o FILE [--force]]',
    summary: 'fill {{ tokendeck://LABEL/token }} (or /header) references in a template',
    details: [
      'The template comes from stdin when -i is absent or -: the passphrase then cannot (use the',
      'agent or $TOKENDECK_PASSPHRASE). A {{ ... }} that mentions tokendeck: but is not exactly',
      'one reference is an error naming its line and column; nothing is resolved or written.',
      'With -o the file is written with mode 0600 through a fresh temporary name; otherwise the',
      'result goes to stdout. A folder another user owns or can write (also /tmp), or a target',
      "that is a symbolic link or another user's file, is refused before any token is asked",
      'for (exit 2); --force writes anyway (a link is replaced, never followed).',
    ],
    examples: ['tokendeck inject -i config.tpl.yaml -o config.yaml'],
    options: {
      in: { type: 'string', short: 'i' },
      out: { type: 'string', short: 'o' },
      force: flag,
    },
    vault: true,
    args: [0, 0],
    run: runs('inject'),
  },
  {
    name: 'read',
    usage: 'read REF [-n]',
    summary: 'print one reference: tokendeck://LABEL/token (the token) or /header (its value)',
    examples: [
      'tokendeck read tokendeck://acme-prod/token',
      'tokendeck read -n tokendeck://acme-prod/header',
    ],
    details: [
      'Like op read: the value alone on stdout, masked nowhere, through the agent when one runs.',
      'A newline follows only at a terminal; -n (--no-newline): never. REF may also be LABEL,',
      'LABEL/token or LABEL/header. --json: {"label", "kind", "value", "expiresAt"}.',
    ],
    options: { 'no-newline': { type: 'boolean', short: 'n' } },
    vault: true,
    args: [1, 1],
    run: runs('read'),
  },
  {
    name: 'ledger connect',
    usage: 'ledger connect URL | --url-stdin [--name NAME]',
    summary: "count organizations' token caps across machines in a shared PostgreSQL ledger",
    details: [
      'URL: postgres://user@host:5432/database (TLS, verified, for any host off this machine).',
      'A URL with a password comes on stdin (--url-stdin), never as an argument. The schema is',
      'created or migrated; the URL is stored sealed in the vault. --name: this machine as',
      'teammates see it (default: the host name). See docs/team.md.',
    ],
    examples: [
      'tokendeck ledger connect postgres://tokendeck@db.internal:5432/tokendeck',
      'printf \'%s\\n\' "$LEDGER_URL" | tokendeck ledger connect --url-stdin --name ci',
    ],
    options: { 'url-stdin': flag, name: text },
    vault: true,
    args: [0, 1],
    run: ledger('ledgerConnect'),
  },
  {
    name: 'ledger status',
    usage: 'ledger status',
    summary: 'the shared ledger: backend, this machine, each shared organization and its holders',
    details: ['Exit 5 when the ledger cannot be reached (LEDGER_UNAVAILABLE).'],
    examples: ['tokendeck ledger status', 'tokendeck ledger status --json'],
    options: {},
    vault: true,
    args: [0, 0],
    run: ledger('ledgerStatus'),
  },
  {
    name: 'ledger ask-revoke',
    usage: 'ledger ask-revoke MACHINE [--org ORG]',
    summary: 'ask another machine to revoke its oldest token in a shared organization',
    details: [
      'The holder revokes it (its app or agent, within a second while one runs; else when it',
      'next runs). --org: the organization id, when the vault shares more than one.',
    ],
    examples: ['tokendeck ledger ask-revoke ci-runner-3 --org acme'],
    options: { org: text },
    vault: true,
    args: [1, 1],
    run: ledger('ledgerAskRevoke'),
  },
  {
    name: 'ledger disconnect',
    usage: 'ledger disconnect',
    summary: 'stop sharing caps: this vault counts on its own again',
    examples: ['tokendeck ledger disconnect'],
    options: {},
    vault: true,
    args: [0, 0],
    run: ledger('ledgerDisconnect'),
  },
  {
    name: 'route add',
    usage: 'route add URL_PREFIX LABEL',
    summary: 'the account L serves URLs under URL_PREFIX (for the credential helpers)',
    details: ['The longest matching prefix wins; with no route, the one account covering the URL.'],
    examples: ['tokendeck route add https://app.tpstreams.com/api/v1/acme acme-prod'],
    options: {},
    vault: true,
    args: [2, 2],
    run: helpers('routeAdd'),
  },
  {
    name: 'route list',
    usage: 'route list',
    summary: 'the routes, prefix and account',
    examples: ['tokendeck route list'],
    options: {},
    vault: true,
    args: [0, 0],
    run: helpers('routeList'),
  },
  {
    name: 'route remove',
    usage: 'route remove URL_PREFIX',
    summary: 'remove the route for URL_PREFIX',
    examples: ['tokendeck route remove https://app.tpstreams.com/api/v1/acme'],
    options: {},
    vault: true,
    args: [1, 1],
    run: helpers('routeRemove'),
  },
  {
    name: 'git-credential',
    usage: 'git-credential get|store|erase',
    summary: "git's credential helper: the token of the account that serves the URL",
    details: [
      'git config --global credential.https://api.example.com.helper "!tokendeck git-credential"',
      'erase (git saw the token refused) marks it refused; the next get mints anew.',
    ],
    examples: [
      'git config --global credential.https://git.acme.com.helper "!tokendeck git-credential"',
      "printf 'protocol=https\\nhost=git.acme.com\\n\\n' | tokendeck git-credential get",
    ],
    options: {},
    vault: true,
    args: [1, 1],
    words: ['get', 'store', 'erase'],
    run: helpers('gitCredential'),
  },
  {
    name: 'setup-git',
    usage: 'setup-git [L | URL [L]] [--local]',
    summary: "make git use an account's token for its server (helper, useHttpPath, route)",
    examples: [
      'tokendeck setup-git acme-prod',
      'tokendeck setup-git https://git.example.com/team/ acme-ci --local',
    ],
    details: [
      "Like gh auth setup-git: sets git's credential helper for the server of L (or of URL),",
      'first clearing the helpers git would inherit for it (an empty value), and useHttpPath',
      'when paths decide the account (URL has a path, or accounts share the server); adds the',
      "route URL (else L's base URL) -> L. URL alone: the account that serves it. --global by",
      "default; --local: this repository's .git/config. Running it again changes nothing.",
    ],
    options: { local: flag },
    vault: true,
    args: [1, 2],
    account: 'default',
    run: async (ctx) => (await import('./commands-setup-git')).setupGit(ctx),
  },
  {
    name: 'credential-helper',
    usage: 'credential-helper get',
    summary: "Bazel's credential helper (the EngFlow spec): headers for the URI read on stdin",
    details: [
      'stdin: {"uri": "https://..."}; stdout: {"headers": {"Authorization": ["<Scheme> <token>"]},',
      '"expires": "<RFC 3339>"} for the account that serves the URI (routes, as for git).',
      'Bazel runs an executable with the single argument get: point --credential_helper at a',
      'two-line script that runs tokendeck credential-helper "$@". See docs/integrations.md.',
    ],
    examples: [`echo '{"uri": "https://api.acme.com/v1/x"}' | tokendeck credential-helper get`],
    options: {},
    vault: true,
    args: [1, 1],
    words: ['get'],
    run: helpers('credentialHelper'),
  },
  {
    name: 'kube-credential',
    usage: 'kube-credential [L]',
    summary: "kubectl's exec credential plugin: an ExecCredential with L's token",
    details: [
      'Prints {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",',
      '"status": {"token", "expirationTimestamp"?}}; kubectl sends the token as a Bearer token.',
      'kubeconfig: users[].user.exec with command tokendeck, args [kube-credential, L].',
    ],
    examples: ['tokendeck kube-credential acme-prod'],
    options: {},
    vault: true,
    args: [1, 1],
    account: 'default',
    run: async (ctx) => (await import('./commands-kube')).kubeCredential(ctx),
  },
  {
    name: 'curl',
    usage: 'curl [L] [--any-host] -- CURL_ARGS...',
    summary: "run curl with L's header, only to L's server, handed over on curl's stdin",
    details: [
      'The header reaches curl as a config on its stdin (--config -): not in its arguments or',
      "environment. Every URL curl would request must be below L's base URL, and options that",
      'send the request elsewhere (--proxy, --connect-to, --resolve, -H "Host: ..."; -L for a',
      'header other than Authorization) are refused before a token is asked for (exit 2);',
      '--any-host allows them. Always refused: options that read stdin (-d @-, -T -, -K),',
      "-k, and traces to a file or stdout. curl's exit code is returned; its stderr is masked.",
    ],
    examples: [
      'tokendeck curl acme-prod -- https://app.tpstreams.com/api/v1/acme/assets/',
      'tokendeck curl acme-prod -- -X POST --data @asset.json https://app.tpstreams.com/api/v1/acme/assets/',
    ],
    options: { 'any-host': flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    passthrough: true,
    run: async (ctx) => (await import('./commands-curl')).curl(ctx),
  },
  {
    name: 'trust',
    usage: 'trust [PATH] | trust --revoke [PATH] | trust --list',
    summary: 'let a .tokendeck.json (this path, this content) choose the default account',
    details: [
      'PATH: a .tokendeck.json or its folder; default: the nearest one from this folder up.',
      'Like direnv allow: a .tokendeck.json is used only once trusted, and again after any',
      'change only once trusted again; a moved or copied file is a new file. --revoke forgets',
      'it (like direnv deny); --list shows each trusted file and whether it still matches.',
      'TOKENDECK_ACCOUNT and a label on the command line need no trust. No vault is opened.',
    ],
    examples: ['tokendeck trust', 'tokendeck trust --list'],
    options: { revoke: flag, list: flag },
    vault: false,
    args: [0, 1],
    run: async (ctx) => (await import('./commands-trust')).trust(ctx),
  },
  {
    name: 'completion',
    usage: 'completion bash|zsh|fish',
    summary: 'print a shell completion script: commands, flags and account labels',
    details: [
      'bash: source <(tokendeck completion bash)   (in ~/.bashrc)',
      'zsh:  source <(tokendeck completion zsh)    (in ~/.zshrc, after compinit)',
      'fish: tokendeck completion fish > ~/.config/fish/completions/tokendeck.fish',
      'Labels complete while an agent (or the app) serves the vault; never a passphrase prompt.',
    ],
    examples: [
      'source <(tokendeck completion bash)',
      'tokendeck completion fish > ~/.config/fish/completions/tokendeck.fish',
    ],
    options: {},
    vault: false,
    args: [1, 1],
    words: ['bash', 'zsh', 'fish'],
    run: async (ctx) => (await import('./commands-completion')).completion(ctx),
  },
  {
    name: '__complete',
    usage: '__complete labels',
    summary: 'the account labels, one a line, from the agent only (for the completion scripts)',
    options: {},
    vault: true,
    args: [1, 1],
    words: ['labels'],
    hidden: true,
    run: async (ctx) => (await import('./commands-completion')).completeLabels(ctx),
  },
  {
    name: 'gateway',
    usage: 'gateway [--port N] [--account L]...',
    summary: 'a local reverse proxy that adds the account header: http://127.0.0.1:PORT/LABEL/...',
    details: [
      'Listens on 127.0.0.1 only and prints, per account, the URL that stands for its base URL',
      'and the access token clients send as X-TokenDeck-Gateway ($TOKENDECK_GATEWAY_TOKEN sets',
      'it; else a random one). Requests with an Origin header are refused unless allowed;',
      'an upstream 401 rejects the token and, when the request can be replayed, sends it again',
      'once with a new one. Stops on SIGINT/SIGTERM. See docs/integrations.md.',
    ],
    examples: ['tokendeck gateway --port 8787 --account acme-prod'],
    options: { port: text, account: { type: 'string', multiple: true } },
    vault: true,
    args: [0, 0],
    run: gateway('gateway'),
  },
  {
    name: 'gateway policy',
    usage: 'gateway policy L [--method M]... [--path PREFIX]... [--origin URL]... | --clear',
    summary: "what the gateway lets through for L's account (methods, paths, web origins)",
    details: [
      'Replaces the policy (sealed in the vault; the app and CLI gateways honour it). Without',
      'flags, prints it. Empty: any method and path, and no request that carries an Origin.',
    ],
    examples: [
      'tokendeck gateway policy acme-prod --method GET --path /api/v1/acme/',
      'tokendeck gateway policy acme-prod --clear',
    ],
    options: {
      method: { type: 'string', multiple: true },
      path: { type: 'string', multiple: true },
      origin: { type: 'string', multiple: true },
      clear: flag,
    },
    vault: true,
    args: [1, 1],
    run: gateway('gatewayPolicy'),
  },
  {
    name: 'agent',
    usage: 'agent [--idle-timeout MIN]',
    summary:
      'unlock once and serve the CLI and helpers over a local socket (no passphrase per call)',
    details: [
      'The passphrase: $TOKENDECK_PASSPHRASE (removed once read), --passphrase-stdin, or a hidden',
      'prompt. Prints TOKENDECK_AGENT_SOCK=<endpoint> when ready; stops after MIN idle minutes',
      "(default: the vault's auto-lock setting; 0: never), on agent stop, or on SIGINT/SIGTERM.",
      'While it runs, token and status commands for this vault ask it. See docs/agent.md.',
    ],
    examples: ['tokendeck agent --idle-timeout 60'],
    options: { 'idle-timeout': text },
    vault: true,
    args: [0, 0],
    run: agent('agentRun'),
  },
  {
    name: 'agent start',
    usage: 'agent start [--idle-timeout MIN] [-s | -c]',
    summary: 'run the agent in the background; returns once it answers',
    examples: [
      'tokendeck agent start',
      'tokendeck agent start --idle-timeout 0',
      'tokendeck agent start -s',
    ],
    details: [
      'When an agent already serves this vault, says so (its pid) and exits 0: safe in a shell',
      "profile. -s prints export TOKENDECK_AGENT_SOCK='...'; for sh, bash and zsh, -c",
      'setenv TOKENDECK_AGENT_SOCK ...; for csh, tcsh and fish:',
      '  eval "$(tokendeck agent start -s)"        (~/.bashrc, ~/.zshrc)',
      '  tokendeck agent start -c | source         (~/.config/fish/config.fish)',
    ],
    options: {
      'idle-timeout': text,
      sh: { type: 'boolean', short: 's' },
      csh: { type: 'boolean', short: 'c' },
    },
    vault: true,
    args: [0, 0],
    run: agent('agentStart'),
  },
  {
    name: 'agent stop',
    usage: 'agent stop',
    summary: 'stop the headless agent of this vault',
    examples: ['tokendeck agent stop'],
    options: {},
    vault: true,
    args: [0, 0],
    run: agent('agentStop'),
  },
  {
    name: 'agent status',
    usage: 'agent status',
    summary: 'which agent serves this vault, and whether its vault is unlocked',
    examples: ['tokendeck agent status'],
    options: {},
    vault: true,
    args: [0, 0],
    run: agent('agentStatus'),
  },
  {
    name: 'version',
    usage: 'version',
    summary: 'print the version of tokendeck (also: tokendeck --version)',
    examples: ['tokendeck version', 'tokendeck version --json'],
    options: {},
    vault: false,
    args: [0, 0],
    run: async (ctx) => (await import('./commands-version')).version(ctx),
  },
  {
    name: 'sandbox',
    usage: 'sandbox',
    summary: 'run the local sandbox providers and print their base URLs and demo users',
    examples: ['tokendeck sandbox', 'tokendeck sandbox --json'],
    options: {},
    vault: false,
    args: [0, 0],
    run: async (ctx) => (await import('./commands-sandbox')).sandbox(ctx),
  },
] as const satisfies readonly CommandSpec[]

/** Every command, as the parser, help and completion read it. */
export const COMMANDS: readonly CommandSpec[] = TABLE
/** The table's own type: each command's flags by name and type. */
export type CommandTable = typeof TABLE

/** Command groups: `tokendeck accounts` alone is not a command. */
/** Words that start two-word commands (`accounts add`, `gateway policy`), from the table. */
export const GROUPS = new Set(
  COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!),
)

export function findCommand(words: readonly string[]): CommandSpec | undefined {
  const [first, second] = words
  if (first === undefined) return undefined
  const name = GROUPS.has(first) && second !== undefined ? `${first} ${second}` : first
  // `agent` is a command of its own as well as a group (`agent start`).
  return COMMANDS.find((c) => c.name === name) ?? COMMANDS.find((c) => c.name === first)
}

const GLOBAL_HELP = [
  'Options every command takes:',
  '  --json                 machine-readable output on stdout (errors as JSON on stderr)',
  '  --vault DIR            the vault folder (default: $TOKENDECK_VAULT, else the app folder)',
  '  --passphrase-stdin     read the passphrase from the first line of stdin (default:',
  '                         $TOKENDECK_PASSPHRASE, else a hidden prompt at a terminal)',
  '  -h, --help             this help',
]

const DEFAULT_ACCOUNT_HELP = [
  'Without L, the default account: $TOKENDECK_ACCOUNT, else {"account": "L"} in the nearest',
  '.tokendeck.json (this folder or a parent) once you trusted it (tokendeck trust).',
  'An explicit L always wins.',
]

/** The top-level usage text. */
export function usageText(): string {
  const width = Math.max(...COMMANDS.filter((c) => !c.hidden).map((c) => c.name.length))
  return [
    'tokendeck: a credential vault for token-based HTTP APIs',
    '',
    'Usage: tokendeck <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.filter((c) => !c.hidden).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
    '',
    'Exit codes: 0 ok, 1 provider or network error, 2 usage error, 3 vault locked or wrong',
    'passphrase, 4 token cap reached. Secrets are read from stdin, never from arguments.',
    'Run tokendeck help <command> for details and examples.',
  ].join('\n')
}

/** Help for one command: usage, summary, details, examples, then the options. */
export function commandHelp(c: CommandSpec): string {
  const lines = [
    `Usage: tokendeck ${c.usage}`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
  ]
  if (c.details) lines.push('', ...c.details)
  if (c.examples?.length) lines.push('', 'Examples:', ...c.examples.map((e) => `  $ ${e}`))
  if (c.account === 'default') lines.push('', ...DEFAULT_ACCOUNT_HELP)
  if (c.vault) lines.push('', ...GLOBAL_HELP)
  else if (c.name === 'sandbox')
    lines.push('', 'Options:', '  --json   one JSON line with the URLs and users', '  -h, --help')
  else {
    const own = Object.keys(c.options).map((o) => `  --${o}`)
    lines.push('', 'Options:', ...own, ...(own.length > 0 ? ['  --json'] : []), '  -h, --help')
  }
  return lines.join('\n')
}
