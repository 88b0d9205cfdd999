// The command table: each command's name, usage, flags and handler. Help text is built from it,
// so what `tokendeck help` says and what the parser accepts cannot drift apart.
import type { ParseArgsOptionsConfig } from 'node:util'
import type { Ctx } from './context'

type Run = (ctx: Ctx) => Promise<number>

// Handlers load on demand: help and usage errors stay instant, and each command pulls in only
// the code it needs (the sandbox servers, for one, load only for `tokendeck sandbox`).
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
  (name: 'init' | 'status' | 'log' | 'changePassphrase' | 'upgrade' | 'acceptOlder'): Run =>
  async (ctx) =>
    (await import('./commands-vault'))[name](ctx)
const runs =
  (name: 'run' | 'inject'): Run =>
  async (ctx) =>
    (await import('./commands-run'))[name](ctx)
const helpers =
  (name: 'routeAdd' | 'routeList' | 'routeRemove' | 'gitCredential' | 'credentialHelper'): Run =>
  async (ctx) =>
    (await import('./commands-helpers'))[name](ctx)
const gateway =
  (name: 'gateway' | 'gatewayPolicy'): Run =>
  async (ctx) =>
    (await import('./commands-gateway'))[name](ctx)
const agent =
  (name: 'agentRun' | 'agentStart' | 'agentStop' | 'agentStatus'): Run =>
  async (ctx) =>
    (await import('./commands-agent'))[name](ctx)

/**
 * Asks the vault's agent first (via-agent.ts, which loads no vault code); runs `direct` when no
 * agent answers for this vault, or this run reads a passphrase or secrets from stdin.
 */
const agentFirst =
  (name: string, direct: Run): Run =>
  async (ctx) => {
    const viaAgent = (await import('./via-agent')).AGENT_COMMANDS[name]
    return (await viaAgent?.(ctx)) ?? direct(ctx)
  }

/** Said by every command that may mint (header, token, login). */
const EVICT_DETAIL =
  '--yes: where minting past the cap makes the server evict the oldest token, go ahead (without it, nothing is sent and the token that would be evicted is named).'

/** One command: what it is called, what it accepts, and what runs it. */
export interface CommandSpec {
  name: string
  usage: string
  summary: string
  /** More lines for `tokendeck help <command>`. */
  details?: string[]
  /** Flags besides --json and --help. */
  options: ParseArgsOptionsConfig
  /** Takes --vault DIR and --passphrase-stdin. */
  vault: boolean
  /** Positional arguments after the command name: [min, max] (before `--` when `passthrough`). */
  args: [number, number]
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

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    usage: 'init',
    summary: 'create a passphrase-protected vault',
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
    options: {},
    vault: true,
    args: [0, 0],
    run: providers('providersList'),
  },
  {
    name: 'providers add',
    usage: 'providers add FILE.json',
    summary: 'import a provider profile (see docs/providers.md)',
    options: {},
    vault: true,
    args: [1, 1],
    run: providers('providersAdd'),
  },
  {
    name: 'accounts add',
    usage:
      'accounts add --provider ID --label L [--username U] [--org ID] [--base-url URL]\n' +
      '               [--field NAME=VALUE]... [--remember] --secret-stdin',
    summary: 'add an account; the secret comes from stdin, never from arguments',
    details: [
      'stdin: the secret on line 1 (line 2 after the passphrase with --passphrase-stdin);',
      'a profile with several secret fields takes one line each, in its field order.',
      '--username and --org fill the fields with those roles; --field sets other plain fields.',
      '--remember stores the secret (encrypted) so tokens can be minted again unattended.',
      'Without it, the account logs in now and is kept only if that login works.',
    ],
    options: {
      provider: text,
      label: text,
      username: text,
      org: text,
      'base-url': text,
      field: { type: 'string', multiple: true },
      remember: flag,
      'secret-stdin': flag,
    },
    vault: true,
    args: [0, 0],
    run: agentFirst('accounts add', accounts('accountsAdd')),
  },
  {
    name: 'accounts list',
    usage: 'accounts list',
    summary: 'every account with its provider, user, organization and token state',
    options: {},
    vault: true,
    args: [0, 0],
    run: agentFirst('accounts list', accounts('accountsList')),
  },
  {
    name: 'accounts remove',
    usage: 'accounts remove L [--force]',
    summary: 'remove an account (refused while it has live tokens, unless --force)',
    options: { force: flag },
    vault: true,
    args: [1, 1],
    account: 'given',
    run: agentFirst('accounts remove', accounts('accountsRemove')),
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
    options: {},
    vault: true,
    args: [2, 2],
    account: 'given',
    run: accounts('accountsKeepReady'),
  },
  {
    name: 'header',
    usage: 'header [L] [--yes]',
    summary: 'print "Authorization: <Scheme> <token>", reusing a valid token or minting one',
    details: [EVICT_DETAIL],
    options: { yes: flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: agentFirst('header', tokens('header')),
  },
  {
    name: 'token',
    usage: 'token [L] [--yes]',
    summary: 'print the bare token (reusing or minting, like header)',
    details: [EVICT_DETAIL],
    options: { yes: flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: agentFirst('token', tokens('token')),
  },
  {
    name: 'login',
    usage: 'login [L] [--force] [--yes] [--secret-stdin]',
    summary: 'ensure a valid token (--force: a new one); prints its status, never the token',
    details: [
      '--secret-stdin reads the secret for this login only (accounts without --remember).',
      EVICT_DETAIL,
    ],
    options: { force: flag, yes: flag, 'secret-stdin': flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: agentFirst('login', tokens('login')),
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
    options: { all: flag, uncertain: flag, oldest: flag, org: flag },
    vault: true,
    args: [1, 1],
    account: 'default',
    run: agentFirst('revoke', tokens('revoke')),
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
    options: { probe: flag },
    vault: true,
    args: [0, 1],
    account: 'given',
    run: agentFirst('status', vault('status')),
  },
  {
    name: 'log',
    usage: 'log [--limit N] [--account L]',
    summary: 'the event log, newest first (default 50 events)',
    options: { limit: text, account: text },
    vault: true,
    args: [0, 0],
    run: agentFirst('log', vault('log')),
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
    options: {},
    vault: true,
    args: [1, 1],
    account: 'default',
    run: agentFirst('reject', tokens('reject')),
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
    usage: 'inject -i TEMPLATE [-o FILE [--force]]',
    summary: 'fill {{ tokendeck://LABEL/token }} (or /header) references in a template',
    details: [
      'With -o the file is written with mode 0600 through a fresh temporary name; otherwise the',
      'result goes to stdout. A folder another user owns or can write (also /tmp), or a target',
      "that is a symbolic link or another user's file, is refused before any token is asked",
      'for (exit 2); --force writes anyway (a link is replaced, never followed).',
    ],
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
    name: 'route add',
    usage: 'route add URL_PREFIX LABEL',
    summary: 'the account L serves URLs under URL_PREFIX (for the credential helpers)',
    details: ['The longest matching prefix wins; with no route, the one account covering the URL.'],
    options: {},
    vault: true,
    args: [2, 2],
    run: helpers('routeAdd'),
  },
  {
    name: 'route list',
    usage: 'route list',
    summary: 'the routes, prefix and account',
    options: {},
    vault: true,
    args: [0, 0],
    run: helpers('routeList'),
  },
  {
    name: 'route remove',
    usage: 'route remove URL_PREFIX',
    summary: 'remove the route for URL_PREFIX',
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
    options: {},
    vault: true,
    args: [1, 1],
    words: ['get', 'store', 'erase'],
    run: helpers('gitCredential'),
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
    options: { 'idle-timeout': text },
    vault: true,
    args: [0, 0],
    run: agent('agentRun'),
  },
  {
    name: 'agent start',
    usage: 'agent start [--idle-timeout MIN]',
    summary: 'run the agent in the background; returns once it answers',
    options: { 'idle-timeout': text },
    vault: true,
    args: [0, 0],
    run: agent('agentStart'),
  },
  {
    name: 'agent stop',
    usage: 'agent stop',
    summary: 'stop the headless agent of this vault',
    options: {},
    vault: true,
    args: [0, 0],
    run: agent('agentStop'),
  },
  {
    name: 'agent status',
    usage: 'agent status',
    summary: 'which agent serves this vault, and whether its vault is unlocked',
    options: {},
    vault: true,
    args: [0, 0],
    run: agent('agentStatus'),
  },
  {
    name: 'version',
    usage: 'version',
    summary: 'print the version of tokendeck (also: tokendeck --version)',
    options: {},
    vault: false,
    args: [0, 0],
    run: async (ctx) => (await import('./commands-version')).version(ctx),
  },
  {
    name: 'sandbox',
    usage: 'sandbox',
    summary: 'run the local sandbox providers and print their base URLs and demo users',
    options: {},
    vault: false,
    args: [0, 0],
    run: async (ctx) => (await import('./commands-sandbox')).sandbox(ctx),
  },
]

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
  '  --passphrase-stdin     read the passphrase from the first line of stdin',
  '                         (default: $TOKENDECK_PASSPHRASE)',
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
    'Run tokendeck help <command> for details.',
  ].join('\n')
}

/** Help for one command. */
export function commandHelp(c: CommandSpec): string {
  const lines = [
    `Usage: tokendeck ${c.usage}`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
  ]
  if (c.details) lines.push('', ...c.details)
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
