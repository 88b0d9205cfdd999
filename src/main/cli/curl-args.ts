// What curl would do with the arguments `tokendeck curl` passes on, read the way curl reads them
// (its option table, src/tool_getparam.c): every URL it would request, per `--next` group, and
// every option that would read stdin (which carries the header), send the request somewhere else,
// or write the header where TokenDeck cannot mask it. Strict: an option curl's table does not
// have (an abbreviation, a newer option) is refused, since its argument could be a URL. Pure.
import { fail, ok, type Result } from '../../shared/result'
import { isBelowBaseUrl, urlForMessage } from '../../shared/url-policy'

/** curl's long options that take a value (ARG_STRG, ARG_FILE, ARG_SECS, ARG_UNUM). */
const VALUED = new Set(
  `abstract-unix-socket alt-svc aws-sigv4 cacert capath cert cert-type ciphers config
  connect-timeout connect-to continue-at cookie cookie-jar create-file-mode crlfile curves data
  data-ascii data-binary data-raw data-urlencode delegation dns-interface dns-ipv4-addr
  dns-ipv6-addr dns-servers doh-url dump-header ech egd-file engine etag-compare etag-save
  expect100-timeout form form-string ftp-account ftp-alternative-to-user ftp-method ftp-port
  ftp-ssl-ccc-mode happy-eyeballs-timeout-ms haproxy-clientip header hostpubmd5 hostpubsha256
  hsts httpsig-algo httpsig-headers httpsig-key httpsig-keyid interface ip-tos ipfs-gateway json
  keepalive-cnt keepalive-time key key-type knownhosts krb krb4 libcurl limit-rate local-port
  login-options mail-auth mail-from mail-rcpt max-filesize max-redirs max-time netrc-file noproxy
  oauth2-bearer output output-dir parallel-max parallel-max-host pass pinnedpubkey preproxy proto
  proto-default proto-redir proxy proxy-cacert proxy-capath proxy-cert proxy-cert-type
  proxy-ciphers proxy-crlfile proxy-header proxy-key proxy-key-type proxy-pass proxy-pinnedpubkey
  proxy-service-name proxy-tls13-ciphers proxy-tlsauthtype proxy-tlspassword proxy-tlsuser
  proxy-user proxy1.0 pubkey quote random-file range rate referer request request-target resolve
  retry retry-delay retry-max-time sasl-authzid service-name sigalgs socks4 socks4a socks5
  socks5-gssapi-service socks5-hostname speed-limit speed-time ssl-sessions stderr telnet-option
  tftp-blksize time-cond tls-max tls13-ciphers tlsauthtype tlspassword tlsuser trace trace-ascii
  trace-config unix-socket upload-file upload-flags url url-query user user-agent variable
  vlan-priority write-out`.split(/\s+/),
)

/**
 * curl's long options that take none (ARG_BOOL, ARG_NONE; `--no-X` turns a boolean off). `help`
 * is here although newer curl takes a topic: curl then prints help and requests nothing.
 */
const FLAGS = new Set(
  `alpn anyauth append basic buffer ca-native cert-status clobber compressed compressed-ssh
  create-dirs crlf digest disable disable-eprt disable-epsv disallow-username-in-url
  doh-cert-status doh-insecure dump-ca-embed eprt epsv fail fail-early fail-with-body false-start
  follow form-escape ftp-create-dirs ftp-pasv ftp-pret ftp-skip-pasv-ip ftp-ssl ftp-ssl-ccc
  ftp-ssl-control ftp-ssl-reqd get globoff haproxy-protocol head help http0.9 http1.0 http1.1
  http2 http2-prior-knowledge http3 http3-only ignore-content-length include insecure ipv4 ipv6
  junk-session-cookies keepalive list-only location location-trusted mail-rcpt-allowfails manual
  metalink mptcp negotiate netrc netrc-optional next npn ntlm ntlm-wb out-null parallel
  parallel-immediate path-as-is post301 post302 post303 progress-bar progress-meter
  proxy-anyauth proxy-basic proxy-ca-native proxy-digest proxy-http2 proxy-http3 proxy-insecure
  proxy-negotiate proxy-ntlm proxy-ssl-allow-beast proxy-ssl-auto-client-cert proxy-tlsv1
  proxytunnel raw remote-header-name remote-name remote-name-all remote-time remove-on-error
  retry-all-errors retry-connrefused sasl-ir sessionid show-error show-headers silent
  skip-existing socks5-basic socks5-gssapi socks5-gssapi-nec ssl ssl-allow-beast
  ssl-auto-client-cert ssl-no-revoke ssl-reqd ssl-revoke-best-effort sslv2 sslv3 styled-output
  suppress-connect-headers tcp-fastopen tcp-nodelay tftp-no-options tls-earlydata tlsv1 tlsv1.0
  tlsv1.1 tlsv1.2 tlsv1.3 tr-encoding trace-ids trace-time use-ascii verbose version xattr`.split(
    /\s+/,
  ),
)

/** curl's one-letter options and their long names. */
const SHORT: Record<string, string> = Object.fromEntries(
  `#progress-bar 0http1.0 1tlsv1 2sslv2 3sslv3 4ipv4 6ipv6 :next Auser-agent Buse-ascii
  Ccontinue-at Ddump-header Ecert Fform Gget Hheader Ihead Jremote-header-name Kconfig Llocation
  Mmanual Nbuffer Oremote-name Pftp-port Qquote Rremote-time Sshow-error Tupload-file
  Uproxy-user Vversion Xrequest Yspeed-limit Zparallel aappend bcookie ccookie-jar ddata
  ereferer ffail ggloboff hhelp ishow-headers jjunk-session-cookies kinsecure llist-only
  mmax-time nnetrc ooutput pproxytunnel qdisable rrange ssilent ttelnet-option uuser vverbose
  wwrite-out xproxy yspeed-time ztime-cond`
    .split(/\s+/)
    .map((w) => [w[0]!, w.slice(1)]),
)

/** Options whose file argument `-` is stdin. */
const DASH_FILE = new Set(['config', 'upload-file', 'cookie'])
/** Options whose `@-` (or `name@-`, `name=<-`) reads stdin. */
const AT_FILE = new Set([
  'data',
  'data-ascii',
  'data-binary',
  'data-urlencode',
  'json',
  'header',
  'proxy-header',
  'write-out',
  'url-query',
  'variable',
  'form',
  'url',
])

/** Options that send the request (and so the header) somewhere other than the URL's host. */
const ELSEWHERE = new Set([
  'connect-to',
  'resolve',
  'proxy',
  'preproxy',
  'socks4',
  'socks4a',
  'socks5',
  'socks5-hostname',
  'proxy1.0',
  'doh-url',
  'dns-servers',
  'unix-socket',
  'abstract-unix-socket',
  'request-target',
])

/** Options that would write the header where TokenDeck cannot mask it (a file, stdout). */
const UNMASKED = new Set(['trace', 'trace-ascii', 'stderr', 'libcurl'])

/** One `--next` group of curl's command line: its URLs, and whether it turns globbing off. */
export interface CurlGroup {
  urls: string[]
  globoff: boolean
}

export interface CurlArgsOptions {
  /** `--any-host`: any URL, proxy or resolver; still no stdin readers, -k or unmasked traces. */
  anyHost: boolean
  /** The name of the header TokenDeck adds (curl -L drops only Authorization on a new host). */
  headerName: string
}

const ANY_HOST =
  'TokenDeck refuses it unless you pass --any-host (tokendeck curl L --any-host -- ...).'

function readsStdin(option: string, value: string): boolean {
  if (DASH_FILE.has(option)) return value === '-' || (option === 'upload-file' && value === '.')
  return AT_FILE.has(option) && /(^|[=\w])[@<]-(;|$)/.test(value)
}

/** Why an option with its value is refused (null: it is fine). */
function valueProblem(name: string, shown: string, value: string, o: CurlArgsOptions) {
  if (readsStdin(name, value)) {
    return `curl's stdin carries the header, so ${shown} cannot read it: give curl a file instead (-d @body.json, -T file.bin).`
  }
  if (name === 'config') {
    return `${shown}: TokenDeck cannot see what a config file tells curl to do; put those options on the command line.`
  }
  if (UNMASKED.has(name) && !(name.startsWith('trace') && value === '%')) {
    return `${shown} would write the header, token and all, where TokenDeck cannot mask it; use -v or --trace-ascii % (stderr, masked).`
  }
  if (o.anyHost) return null
  // `-x ""` is curl's way to use no proxy at all (not even one from the environment).
  if (ELSEWHERE.has(name) && !(name === 'proxy' && value === '')) {
    return `${shown} changes where curl sends the request and its header: ${ANY_HOST}`
  }
  if (name === 'url' && value.startsWith('@')) {
    return `${shown} @FILE reads URLs TokenDeck cannot check: ${ANY_HOST}`
  }
  if (name === 'header' && value.startsWith('@')) {
    return `${shown} @FILE reads headers TokenDeck cannot check (a Host header would send the request to another site): ${ANY_HOST}`
  }
  if (name === 'header' && /^\s*host\s*[:;]/i.test(value)) {
    return `${shown} "Host: ..." sends the request to another site on the same server: ${ANY_HOST}`
  }
  return null
}

/** Why a boolean option, turned on, is refused (null: it is fine). */
function flagProblem(name: string, shown: string, o: CurlArgsOptions): string | null {
  if (name === 'insecure') {
    return `${shown} turns off certificate checks, so anyone on the network path could take the token: give curl the server's CA with --cacert FILE instead.`
  }
  if (o.anyHost) return null
  if (name === 'location-trusted') {
    return `${shown} sends the header to every host a redirect names: ${ANY_HOST}`
  }
  if (
    (name === 'location' || name === 'follow') &&
    o.headerName.toLowerCase() !== 'authorization'
  ) {
    return `${shown}: curl sends a ${o.headerName} header on to whichever host a redirect names (it drops only Authorization): ${ANY_HOST}`
  }
  return null
}

/**
 * Reads curl's arguments as curl does (options and their values, bundled short options,
 * `--name=value`, `--no-`, `--expand-`, `--`, `-:`/`--next` groups, `@-` positionals) and returns
 * the URLs per group, or the first argument that is refused, in words naming the option only.
 */
export function curlGroups(args: readonly string[], o: CurlArgsOptions): Result<CurlGroup[]> {
  const groups: CurlGroup[] = [{ urls: [], globoff: false }]
  const group = () => groups[groups.length - 1]!
  const refuse = (why: string) => fail('VALIDATION_FAILED', why)
  const unknown = (shown: string) =>
    refuse(
      `tokendeck curl does not know curl's option ${shown}, so it cannot tell where curl would send the header; spell curl's options out in full.`,
    )
  const onFlag = (name: string, shown: string, on: boolean): string | null => {
    if (name === 'next') groups.push({ urls: [], globoff: false })
    if (name === 'globoff') group().globoff = on
    return on ? flagProblem(name, shown, o) : null
  }
  const onValue = (name: string, shown: string, value: string): string | null => {
    const why = valueProblem(name, shown, value, o)
    if (!why && name === 'url') group().urls.push(value)
    return why
  }
  let options = true
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (!options || !a.startsWith('-')) {
      if (a === '@-')
        return refuse(`curl's stdin carries the header, so @- cannot read URLs from it.`)
      const why = onValue('url', 'an argument', a)
      if (why) return refuse(why)
      continue
    }
    if (a === '--') {
      options = false
      continue
    }
    if (a.startsWith('--')) {
      let word = a.slice(2)
      let negated = false
      if (word.startsWith('no-')) {
        word = word.slice(3)
        negated = true
      } else if (word.startsWith('expand-')) word = word.slice(7)
      const eq = word.indexOf('=')
      const inline = eq >= 0 ? word.slice(eq + 1) : undefined
      if (eq >= 0) word = word.slice(0, eq)
      const shown = `--${word}`
      if (VALUED.has(word) && !negated) {
        const value = inline ?? args[i + 1]
        // No value: curl stops with a usage error and requests nothing.
        if (value === undefined) continue
        if (inline === undefined) i++
        const why = onValue(word, shown, value)
        if (why) return refuse(why)
        continue
      }
      if (FLAGS.has(word) && inline === undefined) {
        const why = onFlag(word, shown, !negated)
        if (why) return refuse(why)
        continue
      }
      return unknown(a.split('=')[0]!)
    }
    // Bundled short options: a letter that takes a value takes the rest, or the next argument.
    if (a.length === 1) return unknown(a)
    for (let j = 1; j < a.length; j++) {
      const long = SHORT[a[j]!]
      const shown = `-${a[j]!}`
      if (!long) return unknown(shown)
      if (VALUED.has(long)) {
        const value = j + 1 < a.length ? a.slice(j + 1) : args[i + 1]
        if (value === undefined) break
        if (j + 1 >= a.length) i++
        const why = onValue(long, shown, value)
        if (why) return refuse(why)
        break
      }
      const why = onFlag(long, shown, long !== 'buffer')
      if (why) return refuse(why)
    }
  }
  return ok(groups)
}

/** RFC 3986's characters, no more: what curl and WHATWG URL read alike. */
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/

/**
 * Why curl could read `raw` differently from TokenDeck's URL check (null: it cannot): no scheme
 * (curl guesses one), characters outside RFC 3986, globbing brackets, a bad escape, a user name,
 * or a host that is not written the way URL normalises it (127.1, 0x7f.0.0.1, %-escapes).
 */
export function curlUrlProblem(raw: string, globoff: boolean): string | null {
  const m = /^(https?):\/\/([^/?#]*)/i.exec(raw)
  if (!m) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
      ? 'is not an http(s) URL'
      : 'has no https:// (curl would guess the scheme)'
  }
  if (!URL_CHARS.test(raw)) return 'has characters curl and TokenDeck could read differently'
  if (!globoff && /[[\]{}]/.test(raw)) {
    return 'has [ or ], which curl expands (globbing): add -g, or write each URL out'
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return 'has a % that is not an escape'
  const authority = m[2]!
  if (authority.includes('@')) return 'has a user name in it'
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(authority)
  if (!hp) return 'has a host TokenDeck cannot read the way curl does'
  let hostname: string
  try {
    hostname = new URL(raw).hostname
  } catch {
    return 'is not a valid URL'
  }
  if (hp[1]!.toLowerCase() !== hostname)
    return 'has a host that curl and URL could read differently'
  return null
}

/**
 * The first URL of `groups` that is not below the account's base URL, or that curl could read
 * differently (a message naming it without user, password or query), or null when all are fine.
 */
export function urlOutside(groups: readonly CurlGroup[], baseUrl: string): string | null {
  for (const g of groups) {
    for (const url of g.urls) {
      const problem = curlUrlProblem(url, g.globoff)
      if (problem) return `${urlForMessage(url)} ${problem}: ${ANY_HOST}`
      if (!isBelowBaseUrl(url, baseUrl)) {
        return `${urlForMessage(url)} is not below the account's base URL ${baseUrl}: ${ANY_HOST}`
      }
    }
  }
  return null
}
