# The shell server of src/exec/shell-server.ts (its header explains the protocol). Started as
# `bash --norc --noprofile -c "$(this file)" bash`; stdin: requests, stdout: replies. Every name it
# sets starts with __coin_, as commands run in its subshells and see them.
set -m
exec 5>&1 1>/dev/null 2>/dev/null
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
  # Two processes: the job's leader reports the status (its EXIT trap also runs when errexit ends
  # it; SIGTERM to the group waits for the command, which gets it too); the command alone in the
  # inner subshell, where bash execs a simple command in place. The options are those of
  # `bash -c 'set -euo pipefail;…'`, from the fork on.
  set -euo pipefail
  eval "( trap 'echo \"x $__coin_id \$?\" >&5' EXIT; trap : TERM INT HUP
( $__coin_cmd
) >\"\$__coin_out\" 2>\"\$__coin_err\" </dev/null 5>&- ) &"
  set +euo pipefail
  echo "s $__coin_id $!" >&5
  (( ${#__coin_saved[@]} )) && export -- "${__coin_saved[@]}"
  (( ${#__coin_unset[@]} )) && unset -v -- "${__coin_unset[@]}"
done
# coin closed stdin: it is stopping the server (nothing runs), or it died: end what still runs.
for __coin_p in $(jobs -p); do kill -TERM -- "-$__coin_p"; done
