#!/usr/bin/env bash
# Install what the tests and the demo need on a fresh machine: system packages (only
# when missing), a virtual environment in .venv with the package and its test extras,
# and the npm tools used by contract tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
if [ "${AG_WITH_BENCH:-0}" = 1 ]; then
  command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
fi
if [ "${AG_WITH_BROWSER:-1}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${need_apt[*]} with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: missing system packages: ${need_apt[*]} (run as root to install them)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
# constraints.txt pins the versions CI and the demo run (scripts/update-constraints.sh).
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
# Byte-compile the sources as pip does for a regular install: an editable install never
# does, and where PYTHONDONTWRITEBYTECODE is set every command would compile every module
# it imports again (about 60 ms of an offboarding).
.venv/bin/python -m compileall -q -j 0 src >/dev/null

if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    npm install --no-audit --no-fund --silent >/dev/null
    touch node_modules
  fi
fi
