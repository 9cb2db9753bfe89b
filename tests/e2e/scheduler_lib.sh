# Helpers for the scheduler tests (test_slurm.sh, test_parallel.sh); sourced, not run.

# Installs the Debian packages given when a command of theirs is missing: as root with
# apt-get (services are not started: RUNLEVEL=1), after an apt-get update when the first try
# fails. Exits 77 (ctest: skipped) with the reason only when they truly cannot be installed.
need_packages() { # COMMAND... -- PACKAGE...
  local cmds=() pkgs=() missing=0 c
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do cmds+=("$1"); shift; done
  shift
  pkgs=("$@")
  for c in "${cmds[@]}"; do command -v "$c" > /dev/null 2>&1 || missing=1; done
  [ "$missing" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null 2>&1; then
    echo "SKIP: ${pkgs[*]} missing and cannot be installed here (not root, or no apt-get)" >&2
    exit 77
  fi
  echo "installing ${pkgs[*]}" >&2
  local log
  log=$(mktemp)
  if ! RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${pkgs[@]}" > "$log" 2>&1; then
    apt-get update -qq > "$log" 2>&1 || true
    if ! RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${pkgs[@]}" >> "$log" 2>&1; then
      echo "SKIP: cannot install ${pkgs[*]}:" >&2
      tail -5 "$log" >&2
      rm -f "$log"
      exit 77
    fi
  fi
  rm -f "$log"
  for c in "${cmds[@]}"; do
    command -v "$c" > /dev/null 2>&1 || { echo "FAIL: $c missing after installing ${pkgs[*]}" >&2; exit 1; }
  done
}

# Two free TCP ports on the loopback interface, printed on one line.
free_ports() {
  python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
}

# The merged folder holds exactly the single run's files, byte for byte, and shards.json.
same_as_single() { # SINGLE MERGED WHAT
  if ! diff -r -q -x shards.json "$1" "$2" >&2; then
    echo "FAIL: $3: the merged folder differs from the single run" >&2
    exit 1
  fi
  [ -s "$2/shards.json" ] || { echo "FAIL: $3: no shards.json" >&2; exit 1; }
}
