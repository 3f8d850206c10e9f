#!/usr/bin/env bash
# Runs every test: the .NET test projects of the solution (Microsoft.Testing.Platform via `dotnet test --solution`)
# and the Python tests of the DAGs and the Helm chart (pytest on Debian's /usr/bin/python3, packages from
# tools/provision-python.sh). Ends with one plain summary line, "N passed, N failed, N skipped", the sum of both
# runners' own totals; exits non-zero when either runner fails or runs no test at all.
set -uo pipefail
config=${1:-Debug}
cd "$(dirname "$0")/.." || exit 1
mkdir -p .artifacts
log=.artifacts/test-output.log
junit=.artifacts/pytest-junit.xml
python=${JOBS_PYTHON:-/usr/bin/python3}

dotnet test --solution Jobs.sln -c "$config" --no-build 2>&1 | tee "$log"
dotnet_status=${PIPESTATUS[0]}

# The runner prints one "Test run summary" block; its total/failed/skipped lines are summed here.
read -r total failed skipped < <(awk '
  /^ *total: *[0-9]+/   { t += $2 }
  /^ *failed: *[0-9]+/  { f += $2 }
  /^ *skipped: *[0-9]+/ { s += $2 }
  END { print t+0, f+0, s+0 }' "$log")
if [ "$total" -eq 0 ]; then
  echo "no .NET test ran (exit $dotnet_status)" >&2
  dotnet_status=1
fi

echo
echo "pytest: tests/dags tests/charts (Airflow stand-in, not Airflow: see dags/README.md)"
rm -f "$junit"
JOBS_TEST_CONFIG=$config PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest tests/dags tests/charts -q -p no:cacheprovider \
  --junitxml="$junit" 2>&1 | tee -a "$log"
py_status=${PIPESTATUS[0]}   # 5 = no tests collected: a failure too
read -r py_total py_failed py_skipped < <("$python" - "$junit" <<'PY' 2>/dev/null || echo "0 0 0"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
n = lambda key: sum(int(s.get(key, 0)) for s in suites)
print(n("tests"), n("failures") + n("errors"), n("skipped"))
PY
)
if [ "$py_total" -eq 0 ]; then
  echo "no Python test ran (pytest exit $py_status)" >&2
  [ "$py_status" -ne 0 ] || py_status=1
fi

# Failed .NET tests again, next to the summary, so a log's tail names them (first lines of each message).
if [ "$failed" -gt 0 ]; then
  echo
  echo "failed .NET tests (see $log for the whole output):"
  awk '/^ *failed [A-Za-z_]/ { n = 18; shown++ } n > 0 && shown <= 6 { print; n-- }' "$log"
fi

total=$((total + py_total))
failed=$((failed + py_failed))
skipped=$((skipped + py_skipped))
echo
echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
if [ "$dotnet_status" -ne 0 ]; then exit "$dotnet_status"; fi
exit "$py_status"
