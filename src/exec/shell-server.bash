# A shell server of src/exec/shell-server.ts (its header explains the protocol). Started as
# `bash --norc --noprofile -c "$(this file)" bash`; stdin: requests, stdout: replies, fd 3: coin's
# liveness pipe. It runs one command at a time. Every name it sets starts with __coin_, as
# commands run in its subshells and see them.
set -m
exec 5>&1 1>/dev/null 2>/dev/null
__coin_job=
__coin_stop() {
  [[ -n $__coin_job ]] && kill -TERM -- "-$__coin_job" 2>/dev/null
  kill "$__coin_watchdog" 2>/dev/null
  exit 0
}
trap __coin_stop USR2 TERM HUP
# The watchdog: coin never writes fd 3, so this read returns only when coin has exited or died
# (the server itself waits for its command then, and would not see its stdin end).
( read -r -u 3 __coin_x; kill -USR2 $$ ) </dev/null 5>&- &
__coin_watchdog=$!
while IFS= read -r -d '' __coin_id; do
  IFS= read -r -d '' __coin_cwd
  IFS= read -r -d '' __coin_out
  IFS= read -r -d '' __coin_err
  IFS= read -r -d '' __coin_n
  __coin_env=() __coin_saved=() __coin_unset=()
  for (( __coin_i = 0; __coin_i < __coin_n; __coin_i++ )); do
    IFS= read -r -d '' __coin_kv
    __coin_env+=("$__coin_kv")
    __coin_name=${__coin_kv%%=*}
    if [[ -v $__coin_name ]]; then
      __coin_saved+=("$__coin_name=${!__coin_name}")
    else
      __coin_unset+=("$__coin_name")
    fi
  done
  IFS= read -r -d '' __coin_cmd
  # Parsed as a function body first: a syntax error must not reach the eval below, where errexit
  # is on and would end the server. (Quietly; on failure again, into the stderr file.)
  __coin_check="__coin_check() { $__coin_cmd
}"
  if ! eval "$__coin_check" 2>/dev/null; then
    eval "$__coin_check" 2>"$__coin_err"
    echo "x $__coin_id 2" >&5
    continue
  fi
  if ! cd -- "$__coin_cwd" 2>/dev/null; then
    cd -- "$__coin_cwd" 2>"$__coin_err"
    echo "x $__coin_id 1" >&5
    continue
  fi
  (( ${#__coin_env[@]} )) && export -- "${__coin_env[@]}"
  # The command alone in a background subshell: its own process group (set -m), and bash execs a
  # simple command in place (one fork in all). The options are those of
  # `bash -c 'set -euo pipefail;…'`, from the fork on.
  set -euo pipefail
  eval "( $__coin_cmd
) >\"\$__coin_out\" 2>\"\$__coin_err\" </dev/null 3<&- 5>&- &"
  set +euo pipefail
  __coin_job=$!
  echo "s $__coin_id $__coin_job" >&5
  (( ${#__coin_saved[@]} )) && export -- "${__coin_saved[@]}"
  (( ${#__coin_unset[@]} )) && unset -v -- "${__coin_unset[@]}"
  wait "$__coin_job"
  __coin_s=$?
  __coin_job=
  echo "x $__coin_id $__coin_s" >&5
done
__coin_stop
