#!/usr/bin/env bash
# One command: install what is missing, build, and run the main job:
#   - with a display: the desktop app;
#   - without one: a demo sweep on the best backend present (CUDA if a GPU is here, else CPU),
#     writing a report with pictures into out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh attnsweep attnsweep-cli  # the programs only; the tests are scripts/test.sh's
bin=build/release
gui=$bin/gui/attnsweep
cli=$bin/engine/attnsweep-cli
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$gui" ] && [ "${ATTNSWEEP_HEADLESS:-0}" != 1 ]; then
  exec "$gui" "$@"
fi
out=out/demo
mkdir -p "$out"
if "$cli" list devices | grep -q '^cuda:'; then preset=seed; else preset=demo-cpu; fi
echo "no display: running the '$preset' demo sweep headless into $out/"
"$cli" run --preset "$preset" --out "$out/results.jsonl"
if [ -x "$gui" ]; then
  QT_QPA_PLATFORM=offscreen "$gui" --open "$out/results.jsonl" --export-report "$out"
else
  for f in md csv json; do "$cli" report "$out/results.jsonl" --format $f -o "$out/report.$f"; done
fi
echo "report: $out/"
ls -1 "$out"
