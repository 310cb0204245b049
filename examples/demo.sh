#!/usr/bin/env bash
# Northwind Outfitters demo: build the example inventory in a throw-away home under
# .demo/ and show who holds what. Run it with `make demo` (which installs .venv first).
#
# The demo is a list of stages (functions below, run in order by `main`). To extend it,
# add a function and append its name to STAGES; every stage can use `run` (echo the
# command, then run accessguard) and `section` (print a heading).
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
AG="$ROOT/.venv/bin/accessguard"
DEMO_DIR="$ROOT/.demo"
EXAMPLES="$ROOT/examples"

if [ ! -x "$AG" ]; then
  echo "demo: $AG is missing; run \`make setup\` (or \`make demo\`) first" >&2
  exit 1
fi

if [ -t 1 ]; then BOLD=$'\033[1m'; DIM=$'\033[2m'; RESET=$'\033[0m'; else BOLD=; DIM=; RESET=; fi

section() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$RESET"; }
run() {
  printf '%s$ accessguard %s%s\n' "$DIM" "$*" "$RESET"
  "$AG" "$@"
}

# --- stages --------------------------------------------------------------------------

fresh_home() {
  section "A fresh accessguard home in .demo/home"
  rm -rf "$DEMO_DIR/home"
  mkdir -p "$DEMO_DIR/home"
  export ACCESSGUARD_HOME="$DEMO_DIR/home"
  export ACCESSGUARD_ACTOR="it-admin@example.com"
  unset ACCESSGUARD_CONFIG ACCESSGUARD_DATABASE_URL
  run init
}

build_inventory() {
  section "Import Northwind Outfitters: HR feed, accounts, grants"
  run people import "$EXAMPLES/people.csv" >/dev/null
  run accounts import "$EXAMPLES/accounts.csv" >/dev/null
  run accounts import-grants "$EXAMPLES/grants.csv" >/dev/null
  section "Importing the same files again changes nothing"
  run people import --dry-run "$EXAMPLES/people.csv"
}

show_inventory() {
  section "Who holds the keys"
  run accounts list
  run who-has nw-x
  run who-has nw-instagram
  run holdings liam.murphy@example.com
  section "Leavers according to the HR feed"
  run people list --status leaving
  run people list --status departed
}

verify_audit() {
  section "The audit trail is intact"
  run audit log --limit 5
  run audit verify
}

STAGES=(fresh_home build_inventory show_inventory verify_audit)

main() {
  for stage in "${STAGES[@]}"; do
    "$stage"
  done
  printf '\n%sdemo home: %s (delete it any time)%s\n' "$DIM" "$DEMO_DIR/home" "$RESET"
}

main "$@"
