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
  export ACCESSGUARD_COMPANY_NAME="Northwind Outfitters"
  # `init` writes the company's domains and phone prefixes commented out: the demo's own.
  export ACCESSGUARD_COMPANY_DOMAINS="example.com" ACCESSGUARD_COMPANY_PHONE_PREFIXES="+1555"
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


# --- offboarding against a local OpenBao and SCIM server ---------------------------------

LEAVER=liam.murphy@example.com
SERVER_PIDS=()

stop_servers() {
  for pid in "${SERVER_PIDS[@]}"; do
    kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

free_port() { "$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for() {  # URL [HEADER]
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null ${2:+-H "$2"} "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo: $1 did not come up" >&2
  return 1
}

start_servers() {
  section "Start a local OpenBao dev server and a SCIM server (stopped when the demo ends)"
  trap stop_servers EXIT
  local bao_port scim_port
  bao_port=$(free_port)
  scim_port=$(free_port)
  mkdir -p "$DEMO_DIR/bao-home"
  HOME="$DEMO_DIR/bao-home" setsid "$ROOT/.venv/bin/bao" server -dev -dev-no-store-token \
    -dev-listen-address="127.0.0.1:$bao_port" -dev-root-token-id=demo-root-token \
    >"$DEMO_DIR/bao.log" 2>&1 &
  SERVER_PIDS+=($!)
  setsid "$ROOT/.venv/bin/scim2-server" --hostname 127.0.0.1 --port "$scim_port" \
    --bearer-token demo-scim-token >"$DEMO_DIR/scim.log" 2>&1 &
  SERVER_PIDS+=($!)
  export VAULT_ADDR="http://127.0.0.1:$bao_port" VAULT_TOKEN=demo-root-token
  SCIM_URL="http://127.0.0.1:$scim_port"
  wait_for "$VAULT_ADDR/v1/sys/health"
  wait_for "$SCIM_URL/ServiceProviderConfig" "Authorization: Bearer demo-scim-token"
  echo "OpenBao at $VAULT_ADDR, SCIM at $SCIM_URL"
}

prepare_offboarding() {
  section "Point the accounts at the local servers (no Meta or TikTok tokens here: manual steps)"
  "$ROOT/.venv/bin/python" - "$EXAMPLES/accounts.csv" "$DEMO_DIR/accounts.csv" "$SCIM_URL" <<'PY'
import csv, json, sys
src, dst, scim = sys.argv[1:]
rows = list(csv.DictReader(open(src, newline="")))
for row in rows:
    if row["name"] == "nw-hootsuite":
        row["settings"] = json.dumps({**json.loads(row["settings"] or "{}"), "base_url": scim})
    elif row["connector"] in ("meta", "tiktok"):
        row["connector"] = "manual"
with open(dst, "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
PY
  run accounts import "$DEMO_DIR/accounts.csv" >/dev/null
  # The admin allows the local SCIM server: an account's base_url alone cannot send a token
  # anywhere. [connectors] is the last section of the file `init` wrote.
  printf 'allowed_hosts = ["%s"]\n' "${SCIM_URL#http://}" >>"$ACCESSGUARD_HOME/config.toml"
  section "Vault: bootstrap, shared logins, a 2FA seed, people's own Vault logins"
  run vault bootstrap >/dev/null
  "$ROOT/.venv/bin/bao" kv put -mount=secret accessguard/connectors/accounts/nw-hootsuite token=demo-scim-token >/dev/null
  # Step-up is on: a person at a terminal gives their own TOTP code; this script runs as a
  # scheduled job does, with a service token (tool policy + ag-accessguard-service), and
  # every run it passes is audited as `stepup.service`.
  VAULT_TOKEN=$("$ROOT/.venv/bin/bao" token create -policy=ag-accessguard-tool \
    -policy=ag-accessguard-service -display-name=demo-runner -ttl=2h -field=token)
  export VAULT_TOKEN
  for account in nw-x nw-youtube; do
    printf '{"username": "northwind-%s", "password": "initial-%s-password"}' "$account" "$RANDOM$RANDOM" \
      | run creds set "$account" --reason "demo set-up" >/dev/null
  done
  run totp enroll nw-x --generate >/dev/null 2>&1
  printf 'liam-demo-vault-password\n' | run vault user "$LEAVER" >/dev/null
  run vault sync >/dev/null
  # The leaver looks at the YouTube login once (an observed exposure, recorded against
  # whoever reveals: here the leaver acting for themself).
  ACCESSGUARD_ACTOR="$LEAVER" run creds reveal nw-youtube --reason "scheduled a video" >/dev/null
  curl -fsS -o /dev/null -X POST "$SCIM_URL/Users" -H "Authorization: Bearer demo-scim-token" \
    -H "Content-Type: application/scim+json" \
    -d "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"$LEAVER\", \"active\": true}"
  echo "SCIM user $LEAVER: active=$(scim_active)"
}

scim_active() {
  curl -fsS -G "$SCIM_URL/Users" -H "Authorization: Bearer demo-scim-token" \
    --data-urlencode "filter=userName eq \"$LEAVER\"" \
    | "$ROOT/.venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["Resources"][0]["active"])'
}

offboard_leaver() {
  section "Offboarding $LEAVER: the plan first (nothing changes)"
  run offboard "$LEAVER" --successor priya.nair@example.com --dry-run
  section "Run it (--yes: no prompt in a script)"
  set +e
  run offboard "$LEAVER" --successor priya.nair@example.com --yes --concurrency 4 >"$DEMO_DIR/run.txt"
  local code=$?
  set -e
  cat "$DEMO_DIR/run.txt"
  echo "exit code $code (5: waiting for manual steps)"
  echo "SCIM user $LEAVER: active=$(scim_active)"
  RUN_ID=$(sed -n 's/^run \(run-[0-9a-f]*\) .*/\1/p' "$DEMO_DIR/run.txt" | head -1)
}

confirm_manual_steps() {
  section "An admin completes the manual steps with evidence"
  local steps
  steps=$("$AG" runs show "$RUN_ID" --json | "$ROOT/.venv/bin/python" -c '
import json, sys
run = json.load(sys.stdin)
print(" ".join(sorted({s["id"] for s in run["steps"] for i in s["items"] if i["status"] == "waiting"})))')
  for step in $steps; do
    set +e
    run runs confirm "$RUN_ID" "$step" --all --yes --evidence "demo: done by hand, ticket IT-2001"
    set -e
  done
  section "The run summary"
  run runs show "$RUN_ID"
  section "Offboarding again changes nothing"
  run offboard "$LEAVER" --yes | tail -1
}

offboarding_report() {
  section "Access review after the offboarding"
  run report access -o md --out "$DEMO_DIR/access-review.md"
  run report access -o html --out "$DEMO_DIR/access-review.html"
  head -40 "$DEMO_DIR/access-review.md"
  printf '%s... full report: %s (and %s)%s\n' "$DIM" "$DEMO_DIR/access-review.md" "$DEMO_DIR/access-review.html" "$RESET"
}

STAGES=(fresh_home build_inventory show_inventory start_servers prepare_offboarding offboard_leaver
  confirm_manual_steps offboarding_report verify_audit)

main() {
  for stage in "${STAGES[@]}"; do
    "$stage"
  done
  printf '\n%sdemo home: %s (delete it any time)%s\n' "$DIM" "$DEMO_DIR/home" "$RESET"
}

main "$@"
