# bash completion for holobroker, holobrokerd and thing-sim.
# Installed to share/bash-completion/completions/ (bash-completion loads it
# on first use of each command). Thing ids are asked from the broker
# (`holobroker things`, 1 s timeout) and property names from the Thing's
# description, so completion follows the running fleet.

_holobroker_global_opts="--timeout --invokation-timeout --execution-timeout --broker --broker-id
  --direct --server-id --temp-dir --client-id --log-level --pretty --help"
_holobroker_commands="read write invoke subscribe describe things status watch"

# The broker / server options already on the command line, for the queries.
_holobroker_target_args() {
  local i args=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --broker|--broker-id|--direct|--server-id|--temp-dir)
        args+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}") ;;
    esac
  done
  [[ ${#args[@]} -gt 0 ]] && printf '%s\n' "${args[@]}"
  return 0
}

_holobroker_things() {
  local -a target
  mapfile -t target < <(_holobroker_target_args)
  holobroker "${target[@]}" --timeout 1 things 2>/dev/null \
    | grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/\1/'
}

# Property names of a Thing (describe --json lists them under "properties").
_holobroker_properties() {
  local -a target
  mapfile -t target < <(_holobroker_target_args)
  holobroker "${target[@]}" --timeout 1 describe "$1" --json 2>/dev/null \
    | sed -n 's/.*"properties":\[\([^]]*\)\].*/\1/p' \
    | grep -o '"name":"[^"]*"' | sed 's/"name":"\(.*\)"/\1/'
}

_holobroker() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  case "$prev" in
    --log-level)
      COMPREPLY=($(compgen -W "trace debug info warn error off" -- "$cur")); return ;;
    --temp-dir)
      COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --timeout|--invokation-timeout|--execution-timeout|--broker|--broker-id|--direct|\
    --server-id|--client-id|--interval|--count)
      return ;;
  esac
  # The command and the positional arguments after it.
  local i cmd="" npos=0 thing=""
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --timeout|--invokation-timeout|--execution-timeout|--broker|--broker-id|--direct|\
      --server-id|--temp-dir|--client-id|--log-level|--interval|--count)
        ((i++)) ;;
      -*) ;;
      *)
        if [[ -z "$cmd" ]]; then
          cmd="${words[i]}"
        else
          ((npos++))
          [[ $npos -eq 1 ]] && thing="${words[i]}"
        fi ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "$_holobroker_global_opts" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_holobroker_commands" -- "$cur"))
    fi
    return
  fi
  case "$cmd" in
    subscribe) [[ "$cur" == -* ]] && { COMPREPLY=($(compgen -W "--count" -- "$cur")); return; } ;;
    describe) [[ "$cur" == -* ]] && { COMPREPLY=($(compgen -W "--json" -- "$cur")); return; } ;;
    watch) COMPREPLY=($(compgen -W "--interval --count" -- "$cur")); return ;;
    things|status) return ;;
  esac
  if [[ $npos -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$(_holobroker_things)" -- "$cur"))
  elif [[ $npos -eq 1 && ( "$cmd" == read || "$cmd" == write ) ]]; then
    COMPREPLY=($(compgen -W "$(_holobroker_properties "$thing")" -- "$cur"))
  elif [[ $npos -eq 2 && ( "$cmd" == write || "$cmd" == invoke ) ]]; then
    # A payload: @FILE completes file names; - is standard input.
    if [[ "$cur" == @* ]]; then
      COMPREPLY=($(compgen -f -- "${cur#@}"))
      COMPREPLY=("${COMPREPLY[@]/#/@}")
    else
      COMPREPLY=($(compgen -W "- @" -- "$cur"))
    fi
    compopt -o nospace 2>/dev/null
  fi
}
complete -F _holobroker holobroker

_holobrokerd() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    -c|--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level)
      COMPREPLY=($(compgen -W "trace debug info warn error critical off" -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "--config --check-config --log-level --version --help" -- "$cur"))
}
complete -F _holobrokerd holobrokerd

_thing_sim() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --temp-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "$(thing-sim --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
}
complete -F _thing_sim thing-sim
