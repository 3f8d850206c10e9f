#!/usr/bin/env bash
# Idempotent: installs what the Python tests (tests/dags, tests/charts) need from Debian packages, because PyPI is
# unreachable here, and the npm package that runs ruff's Airflow rules offline (tools/lint, from package-lock.json).
#   python3-pytest, python3-jsonschema, python3-yaml, python3-kubernetes (real V1Pod... models), yamllint
# The tests run with /usr/bin/python3 (Debian's), which sees these packages; a pyenv/venv python3 first on PATH
# would not. Run as root (apt). A second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(python3-pytest python3-jsonschema python3-yaml python3-kubernetes yamllint)
log() { printf 'provision-python: %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || { log "ERROR: missing ${missing[*]}; run as root"; exit 1; }
    log "installing ${missing[*]} (apt)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
/usr/bin/python3 -c 'import pytest, jsonschema, yaml, kubernetes' ||
    { log "ERROR: /usr/bin/python3 cannot import the test packages"; exit 1; }

# ruff (WebAssembly build) for the AIR rules: reinstall only when the lock file changed.
lint=tools/lint
if [[ ! -f $lint/node_modules/.package-lock.json || $lint/package-lock.json -nt $lint/node_modules/.package-lock.json ]]; then
    command -v npm >/dev/null || { log "ERROR: npm is missing (Node.js 20 is part of the build machine image)"; exit 1; }
    log "npm ci in $lint"
    (cd "$lint" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
