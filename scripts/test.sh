#!/usr/bin/env bash
# One command: install what is missing, build, run every test (GPU tests skip without a GPU;
# GUI tests run on Qt's offscreen platform). Fails when the desktop app or its tests were not
# built, and ends with one summary: how many tests ran, passed, failed and skipped, and why.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build=build/release

# The desktop app is the product: a green run that quietly built without it proves nothing.
for f in "$build/gui/attnsweep" "$build/tests/gui/gui_tests"; do
  [ -x "$f" ] || { echo "test.sh: $f was not built (is Qt 6 installed? scripts/install-deps.sh)" >&2; exit 1; }
done
export QT_QPA_PLATFORM=offscreen
gui_count=$(ctest --preset release -N -L '^gui$' | sed -n 's/^Total Tests: //p')
[ "${gui_count:-0}" -gt 0 ] || { echo "test.sh: ctest found no GUI tests" >&2; exit 1; }

junit="$PWD/$build/test-results.xml"
status=0
ctest --preset release -j "$(nproc)" --output-junit "$junit" || status=$?

# The summary, from ctest's JUnit file: totals, then each reason for a skip (the message the test
# gave to GTEST_SKIP) with its count.
awk -v gui="$gui_count" '
  function unescape(s) { gsub(/&quot;/, "\"", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s); return s }
  /<testcase / { total++; state = $0 ~ /status="run"/ ? "run" : ($0 ~ /status="fail"/ ? "fail" : "skip"); pending = (state == "skip") }
  /<testcase / && state == "run" { passed++ }
  /<testcase / && state == "fail" { failed++ }
  pending && /: Skipped$/ { getline; reasons[unescape($0)]++; pending = 0; skipped++ }
  pending && /<\/testcase>/ { reasons["(no reason given)"]++; pending = 0; skipped++ }
  END {
    printf "tests: %d ran (%d of them GUI tests, offscreen): %d passed, %d failed, %d skipped\n", total, gui, passed, failed, skipped
    for (r in reasons) printf "  skipped %d: %s\n", reasons[r], r
  }' "$junit"
exit "$status"
