#!/usr/bin/env bash
# Runs every test project of the solution (Microsoft.Testing.Platform via `dotnet test --solution`) and ends
# with one plain summary line, "N passed, N failed, N skipped", taken from the runner's own totals.
set -uo pipefail
config=${1:-Debug}
cd "$(dirname "$0")/.."
mkdir -p .artifacts
log=.artifacts/test-output.log

dotnet test --solution Jobs.sln -c "$config" --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The runner prints one "Test run summary" block; its total/failed/skipped lines are summed here.
read -r total failed skipped < <(awk '
  /^ *total: *[0-9]+/   { t += $2 }
  /^ *failed: *[0-9]+/  { f += $2 }
  /^ *skipped: *[0-9]+/ { s += $2 }
  END { print t+0, f+0, s+0 }' "$log")
if [ "$total" -eq 0 ]; then
  echo "no test ran (exit $status)" >&2
  exit 1
fi
echo
echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit "$status"
