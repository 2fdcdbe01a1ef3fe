# Sourced by bench/compare.sh and bench/fetch.sh: `wxcube sandbox` as its own
# process, stopped (with the work folder removed) when the script exits.
#
#   start_sandbox WXCUBE ACCOUNTS WORK   # sets $url and $sandbox_pid
sandbox_pid=""
sandbox_work=""
stop_sandbox() {
  if [ -n "$sandbox_pid" ]; then kill -INT "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  if [ -n "$sandbox_work" ]; then rm -rf "$sandbox_work"; fi
}

start_sandbox() {
  local bin="$1" accounts="$2"
  sandbox_work="$3"
  trap stop_sandbox EXIT
  "$bin" sandbox --port 0 --accounts "$accounts" >"$sandbox_work/sandbox.out" 2>"$sandbox_work/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 1 200); do
    grep -q "listening on" "$sandbox_work/sandbox.out" 2>/dev/null && break
    sleep 0.1
  done
  url="$(sed -n 's/.*listening on //p' "$sandbox_work/sandbox.out")"
  [ -n "$url" ] || { echo "the sandbox did not start:" >&2; cat "$sandbox_work/sandbox.err" >&2; exit 1; }
}
