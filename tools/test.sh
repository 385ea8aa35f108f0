#!/usr/bin/env bash
# The test command: set up (idempotent), run every .NET test project and the firmware bridge's
# CTest suite, and print one closing line "N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# No build server outlives the run: MSBuild's reused nodes, its build server and the compiler server inherit the output
# of the command that started them and would hold a CI log's pipe open after the tests end.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
"$root/tools/setup.sh" || { echo "setup failed"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
stamp() { echo "test.sh: $(date -u +%H:%M:%S) $*"; }
# Bounds, so a hang fails in minutes and names itself instead of running into CI's limit:
# - a test that is silent for 5 minutes is stopped by the blame collector, which names it (the slowest test takes ~1 min);
# - the whole of `dotnet test` gets 30 minutes (it takes about 4 here), in case something outside a test waits.
stamp "dotnet test starts"
# what is running when the limit nears, for the log (kernel threads left out): a process that outlives its test and
# holds an output pipe
( sleep 1790 >/dev/null 2>&1 && { echo "test.sh: dotnet test still running after 30 minutes:";
  ps -eo pid,ppid,etimes,args --forest | grep -vE '(^|[[:space:]])(\\_ )?\[[^]]*\]$' | cut -c1-220; } ) &
watchdog=$!
# in the background with its own process group (timeout's), so Ctrl-C or a cancelled CI job is passed on to it
timeout -k 30s 30m dotnet test EcgStream.sln -c Release --no-build -nologo \
  --blame-hang-timeout 5m --blame-hang-dump-type none \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" &
tests=$!
trap 'kill -TERM $tests 2>/dev/null' INT TERM
while :; do wait $tests; dotnet_rc=$?; kill -0 $tests 2>/dev/null || break; done
trap - INT TERM
pkill -P $watchdog 2>/dev/null; kill $watchdog 2>/dev/null
stamp "dotnet test ended with status $dotnet_rc"
[ $dotnet_rc -eq 0 ] || status=1
# a project with no results when the limit struck counts as one failure
unfinished_projects=""
if [ $dotnet_rc -eq 124 ] || [ $dotnet_rc -eq 137 ]; then
  for proj in tests/*/*.Tests.csproj; do
    name=$(basename "$proj" .csproj)
    grep -qil "${name}.dll" "$results"/*.trx 2>/dev/null || unfinished_projects+="  $name (no results: dotnet test stopped after 30 minutes)"$'\n'
  done
  echo "dotnet test did not end within 30 minutes; test projects without results:"
  echo -n "$unfinished_projects"
fi

passed=0; failed=0; skipped=0; ctest_failed_names=""
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  num() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(num total); executed=$(num executed); p=$(num passed); f=$(num failed)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - executed))
done

if [ -f firmware-bridge/build/CTestTestfile.cmake ]; then
  stamp "ctest starts"
  ctest_out=$(ctest --test-dir firmware-bridge/build --output-on-failure --timeout 120 2>&1); ctest_rc=$?
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

# A test the blame collector stopped (or that crashed its host) has no result in the .trx: the collector's sequence
# file marks it not completed. Each counts as a failure.
unfinished=$(grep -ho '<Test Name="[^"]*"[^>]*Completed="False"' "$results"/*/Sequence_*.xml 2>/dev/null | sed -E 's/<Test Name="([^"]*)".*/  \1 (did not finish: hung or crashed its test host)/')
if [ -n "$unfinished" ]; then failed=$((failed + $(echo "$unfinished" | wc -l))); fi
if [ -n "$unfinished_projects" ]; then failed=$((failed + $(echo -n "$unfinished_projects" | wc -l))); fi
# dotnet test failed but named no failed test (a hang after every project had its results, a test host that crashed
# outside a test): that is one failure too, so the closing line never says "0 failed" for a failed run
dotnet_unnamed=""
if [ $dotnet_rc -ne 0 ] && [ "$failed" -eq 0 ]; then
  dotnet_unnamed="  dotnet test: status $dotnet_rc (124 or 137: still running after 30 minutes) with no failed test named"
  failed=1
fi

# Name every failed test again at the end, where a truncated log still shows it.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | grep -o 'testName="[^"]*"' | sed -E -e 's/testName="(.*)"/  \1/' -e 's/&quot;/"/g' -e 's/&amp;/\&/g'
  done
  [ -z "$ctest_failed_names" ] || echo "$ctest_failed_names"
  [ -z "$unfinished" ] || echo "$unfinished"
  [ -z "$unfinished_projects" ] || echo -n "$unfinished_projects"
  [ -z "$dotnet_unnamed" ] || echo "$dotnet_unnamed"
fi
echo "Total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
