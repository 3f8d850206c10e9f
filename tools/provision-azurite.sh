#!/usr/bin/env bash
# Idempotent: installs Azurite (the Azure Storage emulator, npm, pinned in tools/azurite/package-lock.json) for the
# Jobs.Lake blob-storage tests (tests/Jobs.Testing/Azurite.cs runs it on loopback). Reinstalls only when the lock
# file changed; a second run takes well under a second. Needs Node.js 20+ (part of the build machine image).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'provision-azurite: %s\n' "$*" >&2; }
dir=tools/azurite
if [[ ! -f $dir/node_modules/azurite/dist/src/blob/main.js || ! -f $dir/node_modules/.package-lock.json ||
      $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    command -v npm >/dev/null || { log "ERROR: npm is missing (Node.js 20 is part of the build machine image)"; exit 1; }
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
command -v node >/dev/null || { log "ERROR: node is missing (Node.js 20 is part of the build machine image)"; exit 1; }
