#!/usr/bin/env bash
# The test command: set up (idempotent), run every .NET test project and the firmware bridge's
# CTest suite, and print one closing line "N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/tools/setup.sh" || { echo "setup failed"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
dotnet test EcgStream.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=1

passed=0; failed=0; skipped=0; ctest_failed_names=""
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  num() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(num total); executed=$(num executed); p=$(num passed); f=$(num failed)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - executed))
done

if [ -f firmware-bridge/build/CTestTestfile.cmake ]; then
  ctest_out=$(ctest --test-dir firmware-bridge/build --output-on-failure 2>&1); ctest_rc=$?
  echo "$ctest_out"
  line=$(echo "$ctest_out" | grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' | tail -1)
  if [ -n "$line" ]; then
    cf=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    ct=$(echo "$line" | sed -E 's/.* tests failed out of ([0-9]+).*/\1/')
    passed=$((passed + ct - cf)); failed=$((failed + cf))
  fi
  ctest_failed_names=$(echo "$ctest_out" | grep -E '^\s+[0-9]+ - .*\(Failed\)' | sed -E 's/^\s+/  ctest: /')
  [ $ctest_rc -eq 0 ] || status=1
fi

# Name every failed test again at the end, where a truncated log still shows it.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | grep -o 'testName="[^"]*"' | sed -E -e 's/testName="(.*)"/  \1/' -e 's/&quot;/"/g' -e 's/&amp;/\&/g'
  done
  echo "$ctest_failed_names"
fi
echo "Total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
