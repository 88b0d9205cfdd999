// The shell completion scripts (bash, zsh, fish), generated from the command table: command
// names, flags per command, fixed words, and account labels (asked of `tokendeck __complete
// labels`, which reads them from the agent only). Pure: text in, text out.
import { COMMANDS, GROUPS, type CommandSpec } from './commands'

/** What completion needs to know of one command. */
interface Completable {
  name: string
  flags: string[]
  /** Flags that take a value (the next word is theirs). */
  valued: string[]
  /** The first positional: `@label`, fixed words, or '' (files). */
  first: string
}

function completable(c: CommandSpec): Completable {
  const flags = ['--json', '--help']
  const valued: string[] = []
  for (const [name, o] of Object.entries(c.options)) {
    const forms = [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]
    flags.push(...forms)
    if (o.type === 'string') valued.push(...forms)
  }
  if (c.vault) {
    flags.push('--vault', '--passphrase-stdin')
    valued.push('--vault')
  }
  const first = c.account ? '@label' : (c.words ?? []).join(' ')
  return { name: c.name, flags, valued, first }
}

/** The table the scripts are made of; hidden commands are left out. */
export function completionTable() {
  const commands = COMMANDS.filter((c) => !c.hidden).map(completable)
  const top = [...new Set([...commands.map((c) => c.name.split(' ')[0]!), 'help'])]
  const subs = [...GROUPS].map((g) => ({
    group: g,
    words: commands.filter((c) => c.name.startsWith(`${g} `)).map((c) => c.name.split(' ')[1]!),
  }))
  return { commands, top, groups: [...GROUPS], subs }
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** bash and zsh share the same `case` syntax: the per-command facts, and the word loop. */
function posixShared(): string {
  const t = completionTable()
  const info = t.commands.map(
    (c) =>
      `    ${q(c.name)}) _td_flags=${q(c.flags.join(' '))} _td_valued=${q(c.valued.join(' '))} ` +
      `_td_first=${q(c.first)}; return 0 ;;`,
  )
  const subs = t.subs.map((s) => `    ${q(s.group)}) _td_cands=${q(s.words.join('\n'))} ;;`)
  return `_td_top=${q(t.top.join('\n'))}
_td_groups=${q(t.groups.join(' '))}

# Sets _td_flags, _td_valued and _td_first for a command; fails for an unknown one.
_tokendeck_info() {
  case "$1" in
${info.join('\n')}
    *) _td_flags='--json --help' _td_valued='' _td_first=''; return 1 ;;
  esac
}

_tokendeck_subs() {
  _td_cands=''
  case "$1" in
${subs.join('\n')}
  esac
}

# Labels come from the agent only (no agent: none); never a prompt, never an error shown.
_tokendeck_labels() {
  if [[ -n $_td_vault ]]; then
    "$1" __complete labels --vault "$_td_vault" </dev/null 2>/dev/null
  else
    "$1" __complete labels </dev/null 2>/dev/null
  fi
}

# Reads _td_words (the words between the program and the current word).
_tokendeck_context() {
  _td_cmd='' _td_group='' _td_npos=0 _td_vault='' _td_after=0
  _tokendeck_info ''
  local w skip='' sub
  for w in "\${_td_words[@]}"; do
    if [[ -n $skip ]]; then
      [[ $skip == vault ]] && _td_vault=$w
      skip=''
      continue
    fi
    if [[ $w == -- ]]; then _td_after=1; return 0; fi
    if [[ $w == -* ]]; then
      if [[ $w == --vault ]]; then skip=vault
      elif [[ " $_td_valued " == *" $w "* ]]; then skip=1
      fi
      continue
    fi
    if [[ -n $_td_group ]]; then
      sub="$_td_group $w"
      _td_group=''
      if _tokendeck_info "$sub"; then _td_cmd=$sub; continue; fi
      _tokendeck_info "$_td_cmd"
    fi
    if [[ -z $_td_cmd ]]; then
      _td_cmd=$w
      _tokendeck_info "$w"
      [[ " $_td_groups " == *" $w "* ]] && _td_group=$w
      continue
    fi
    _td_npos=$((_td_npos + 1))
  done
  return 0
}

# Sets _td_kind (words, files or dirs) and _td_cands (one a line). $1 program, $2 cur, $3 prev.
_tokendeck_candidates() {
  _td_kind=words _td_cands=''
  if (( _td_after )); then _td_kind=files; return 0; fi
  case "$3" in
    --vault) _td_kind=dirs; return 0 ;;
    --account) _td_cands=$(_tokendeck_labels "$1"); return 0 ;;
  esac
  if [[ $3 == -* && " $_td_valued " == *" $3 "* ]]; then _td_kind=files; return 0; fi
  if [[ $2 == -* ]]; then _td_cands=\${_td_flags// /$'\\n'}; return 0; fi
  if [[ -n $_td_group ]]; then _tokendeck_subs "$_td_group"; return 0; fi
  if [[ -z $_td_cmd || $_td_cmd == help ]]; then _td_cands=$_td_top; return 0; fi
  if (( _td_npos == 0 )); then
    case "$_td_first" in
      @label) _td_cands=$(_tokendeck_labels "$1") ;;
      '') _td_kind=files ;;
      *) _td_cands=\${_td_first// /$'\\n'} ;;
    esac
    return 0
  fi
  _td_kind=files
}
`
}

export function bashScript(): string {
  return `# tokendeck completion for bash: source <(tokendeck completion bash)
${posixShared()}
_tokendeck() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=''
  (( COMP_CWORD > 1 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  local -a _td_words=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
  local _td_cmd _td_group _td_npos _td_vault _td_flags _td_valued _td_first _td_after
  local _td_kind _td_cands
  _tokendeck_context
  _tokendeck_candidates "$1" "$cur" "$prev"
  COMPREPLY=()
  case $_td_kind in
    files) compopt -o default 2>/dev/null ;;
    dirs) COMPREPLY=($(compgen -d -- "$cur")) ;;
    *) local IFS=$'\\n'; COMPREPLY=($(compgen -W "$_td_cands" -- "$cur")) ;;
  esac
}
complete -F _tokendeck tokendeck
`
}

export function zshScript(): string {
  return `#compdef tokendeck
# tokendeck completion for zsh: source <(tokendeck completion zsh), after compinit
${posixShared()}
_tokendeck() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local -a _td_words
  _td_words=("\${(@)words[2,CURRENT-1]}")
  local _td_cmd _td_group _td_npos _td_vault _td_flags _td_valued _td_first _td_after
  local _td_kind _td_cands
  _tokendeck_context
  _tokendeck_candidates "\${words[1]}" "$cur" "$prev"
  case $_td_kind in
    files) _files ;;
    dirs) _directories ;;
    *) [[ -n $_td_cands ]] && compadd -- "\${(@f)_td_cands}" ;;
  esac
}
(( $+functions[compdef] )) && compdef _tokendeck tokendeck
`
}

export function fishScript(): string {
  const t = completionTable()
  const info = t.commands.map(
    (c) => `        case ${q(c.name)}
            set -g __td_flags ${c.flags.join(' ')}
            set -g __td_valued ${c.valued.join(' ')}
            set -g __td_first ${c.first}
            return 0`,
  )
  const subs = t.subs.map(
    (s) => `        case ${q(s.group)}
            printf '%s\\n' ${s.words.map(q).join(' ')}`,
  )
  return `# tokendeck completion for fish: tokendeck completion fish > ~/.config/fish/completions/tokendeck.fish
set -g __td_top ${t.top.map(q).join(' ')}
set -g __td_groups ${t.groups.map(q).join(' ')}

function __tokendeck_info
    switch "$argv[1]"
${info.join('\n')}
        case '*'
            set -g __td_flags --json --help
            set -g __td_valued
            set -g __td_first
            return 1
    end
end

function __tokendeck_subs
    switch "$argv[1]"
${subs.join('\n')}
    end
end

# Labels come from the agent only (no agent: none); never a prompt, never an error shown.
function __tokendeck_labels
    if test -n "$argv[2]"
        $argv[1] __complete labels --vault $argv[2] </dev/null 2>/dev/null
    else
        $argv[1] __complete labels </dev/null 2>/dev/null
    end
end

function __tokendeck_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $words[1]
    set -e words[1]
    set -l cmd ''
    set -l group ''
    set -l npos 0
    set -l vault ''
    set -l skip ''
    __tokendeck_info ''
    for w in $words
        if test -n "$skip"
            test "$skip" = vault; and set vault $w
            set skip ''
            continue
        end
        if test "$w" = --
            __fish_complete_path "$cur"
            return 0
        end
        if string match -q -- '-*' "$w"
            if test "$w" = --vault
                set skip vault
            else if contains -- "$w" $__td_valued
                set skip 1
            end
            continue
        end
        if test -n "$group"
            set -l sub "$group $w"
            set group ''
            if __tokendeck_info "$sub"
                set cmd "$sub"
                continue
            end
            __tokendeck_info "$cmd"
        end
        if test -z "$cmd"
            set cmd "$w"
            __tokendeck_info "$w"
            contains -- "$w" $__td_groups; and set group "$w"
            continue
        end
        set npos (math $npos + 1)
    end
    set -l prev ''
    test (count $words) -gt 0; and set prev $words[-1]
    switch "$prev"
        case --vault
            __fish_complete_directories "$cur"
            return 0
        case --account
            __tokendeck_labels $prog $vault
            return 0
    end
    if string match -q -- '-*' "$prev"; and contains -- "$prev" $__td_valued
        __fish_complete_path "$cur"
        return 0
    end
    if string match -q -- '-*' "$cur"
        printf '%s\\n' $__td_flags
        return 0
    end
    if test -n "$group"
        __tokendeck_subs "$group"
        return 0
    end
    if test -z "$cmd"; or test "$cmd" = help
        printf '%s\\n' $__td_top
        return 0
    end
    if test $npos -eq 0
        switch "$__td_first"
            case @label
                __tokendeck_labels $prog $vault
            case ''
                __fish_complete_path "$cur"
            case '*'
                printf '%s\\n' $__td_first
        end
        return 0
    end
    __fish_complete_path "$cur"
end

complete -c tokendeck -f -a '(__tokendeck_complete)'
`
}
