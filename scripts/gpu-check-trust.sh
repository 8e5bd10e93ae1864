#!/usr/bin/env bash
# Whether AttnSweep's numbers can be trusted on this GPU machine, in one run of under 9 minutes on an
# H100 (BUDGET_S, 480 s, until the last sweep is stopped; then the reports and the summary): the
# timing method, the correctness check and the peaks, each checked where it runs.
#   1. flash_sm90_bench check: flash_sm90 against a reference on odd shapes;
#   2. the GPU test binaries: stream hold, clocks, kernels, and the planted cheat kernels, which must
#      all come out `wrong` (CheatKernels.CudaCheatsAreAllWrong, run on its own so its line shows);
#   3. the seed preset timed cold and batch, checks on: its wall time and where it went;
#   4. cuDNN on the seed tiers through the torch provider beside triton.testing.do_bench (cold, one
#      launch per sample), cell by cell (scripts/do_bench_compare.py);
#   5. the seed-vs-torch preset, our kernels beside PyTorch's in one sweep, with what time is left
#      (a cut-off sweep keeps its finished cells: rerun its line with --resume to finish it), and its
#      Markdown report;
#   6. a summary: wrong and crashed cells, the worst max_abs_err / tolerance per kernel, and
#      pct_of_peak per kernel (none may pass 100).
# Writes under $OUT (8 files):
#   summary.txt        the summary (also the end of log.txt)
#   log.txt            everything printed
#   tests.log          flash_sm90_bench check and the GPU test binaries
#   seed.jsonl         the seed preset's results
#   cudnn-vs-do_bench.txt
#   seed-vs-torch.jsonl, seed-vs-torch.md
#   more.tar.gz        seed-cold.md, seed-batch.md, seed.csv, seed-run.log, cudnn.jsonl,
#                      seed-vs-torch.csv, seed-vs-torch-run.log, and the app's report folder
#                      (pictures) where the app is there
#
#   [BUILD=build/release] [OUT=/tmp/out] [BUILT_AT=DIR] [BUDGET_S=480] bash scripts/gpu-check-trust.sh
#
# BUILD is a build tree (built here when missing), or a folder packed by pack.sh holding
# attnsweep-cli, kernels_tests, engine_tests, flash_sm90_bench and, optionally, attnsweep: then
# every program runs as `bash $BUILD/run.sh PROGRAM ARGS`. Tests that read files of the source tree
# look for it where the binaries were built: for a pack built elsewhere, BUILT_AT names that
# directory and is linked to this checkout when it does not exist. The torch parts need python3
# with torch and triton (found on PATH or in /opt/torch/.venv); the provider is this checkout's.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
BUILD=${BUILD:-build/release}
OUT=${OUT:-/tmp/out}
BUDGET_S=${BUDGET_S:-480}
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec > >(tee "$OUT/log.txt") 2>&1

# prog SECONDS PROGRAM ARGS: run one of the programs, stopped after SECONDS.
if [ -f "$BUILD/run.sh" ]; then
  launcher() { bin=(bash "$BUILD/run.sh" "$1"); }
  have() { [ -n "$(tar tJf "$BUILD/bundle.tar.xz" "./bin/$1" 2>/dev/null)" ]; }
  # The tests that start the CLI look for it where it was built; point them at the packed one.
  printf '#!/usr/bin/env bash\nexec bash %q attnsweep-cli "$@"\n' "$(cd "$BUILD" && pwd)/run.sh" > "$work/attnsweep-cli"
  chmod +x "$work/attnsweep-cli"
  export ATTNSWEEP_CLI=$work/attnsweep-cli
else
  [ -x "$BUILD/engine/attnsweep-cli" ] || bash scripts/build.sh
  declare -A path=([attnsweep-cli]=engine/attnsweep-cli [kernels_tests]=tests/kernels_tests
                   [engine_tests]=tests/engine_tests [flash_sm90_bench]=bench/flash_sm90_bench [attnsweep]=gui/attnsweep)
  launcher() { bin=("$BUILD/${path[$1]}"); }
  have() { [ -x "$BUILD/${path[$1]}" ]; }
fi
prog() {
  local seconds=$1 name=$2
  shift 2
  launcher "$name"
  timeout "$seconds" "${bin[@]}" "$@"
}
cli() { prog 120 attnsweep-cli "$@"; }
if [ -n "${BUILT_AT:-}" ] && [ ! -e "$BUILT_AT" ]; then
  mkdir -p "$(dirname "$BUILT_AT")" && ln -s "$root" "$BUILT_AT" && echo "linked $BUILT_AT to $root"
fi
for py in "$(command -v python3)" /opt/torch/.venv/bin/python3; do
  if [ -x "$py" ] && "$py" -c 'import torch, triton' 2>/dev/null; then
    export PATH="$(dirname "$py"):$PATH"
    break
  fi
done
export ATTNSWEEP_PROVIDERS="$root/resources/providers"
left() { echo $((BUDGET_S - SECONDS)); }
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv

echo "== flash_sm90_bench check"
{ prog 45 flash_sm90_bench check; echo "flash_sm90_bench check rc=$?"; } > "$OUT/tests.log" 2>&1
tail -3 "$OUT/tests.log"

echo "== GPU tests"
{ prog 45 kernels_tests --gtest_filter='CheatKernels.*'; echo "cheat kernels rc=$?"
  prog 90 kernels_tests --gtest_brief=1 --gtest_filter='-CheatKernels.*'; echo "kernels_tests rc=$?"
  prog 70 engine_tests --gtest_brief=1; echo "engine_tests rc=$?"; } >> "$OUT/tests.log" 2>&1
grep -E "rc=|FAILED|PASSED|SKIPPED \]|OK \] CheatKernels" "$OUT/tests.log"
grep -E "enqueued over|SM [0-9]+ of|locked at|not permitted" "$OUT/tests.log"

echo "== seed preset, cold and batch"
start=$SECONDS
prog 120 attnsweep-cli run --preset seed --out "$OUT/seed.jsonl" > "$work/seed-run.log" 2>&1
echo "seed sweep: $((SECONDS - start)) s from start to end" >> "$work/seed-run.log"
tail -4 "$work/seed-run.log"
cli report "$OUT/seed.jsonl" --mode cold -o "$work/seed-cold.md"
cli report "$OUT/seed.jsonl" --mode batch -o "$work/seed-batch.md"
cli report "$OUT/seed.jsonl" --format csv -o "$work/seed.csv"

echo "== cuDNN: torch provider against triton.testing.do_bench"
prog 45 attnsweep-cli run --preset seed-torch --kernels torch.sdpa_cudnn --out "$work/cudnn.jsonl" -q
timeout 45 python3 scripts/do_bench_compare.py "$work/cudnn.jsonl" | tee "$OUT/cudnn-vs-do_bench.txt"

# The steps above take at most 460 s; the sweep gets what is left of BUDGET_S, and the reports
# and the summary about a minute after it.
for_sweep=$(($(left) > 30 ? $(left) : 30))
echo "== seed-vs-torch preset: ours beside PyTorch's, $for_sweep s for it"
prog $for_sweep attnsweep-cli run --preset seed-vs-torch --out "$OUT/seed-vs-torch.jsonl" > "$work/seed-vs-torch-run.log" 2>&1
echo "seed-vs-torch run rc=$? (124: cut off by the time budget)" | tee -a "$work/seed-vs-torch-run.log"
tail -3 "$work/seed-vs-torch-run.log"
cli report "$OUT/seed-vs-torch.jsonl" -o "$OUT/seed-vs-torch.md"
cli report "$OUT/seed-vs-torch.jsonl" --format csv -o "$work/seed-vs-torch.csv"
if have attnsweep; then
  prog 40 attnsweep --open "$OUT/seed-vs-torch.jsonl" --export-report "$work/seed-vs-torch-report"
fi
tar czf "$OUT/more.tar.gz" -C "$work" .

echo "== summary"
python3 - "$OUT/seed.jsonl" "$work/cudnn.jsonl" "$OUT/seed-vs-torch.jsonl" "$work/seed.csv" \
  "$work/seed-vs-torch.csv" "$OUT/tests.log" <<'PY' | tee "$OUT/summary.txt"
import csv, json, os, re, sys
*results, tests = sys.argv[1:]
worst, peak = {}, {}
for path in results:
    if not os.path.exists(path):
        print(f"{os.path.basename(path)}: missing")
        continue
    if path.endswith(".csv"):  # the CSV report carries pct_of_peak, one row per cell and mode
        for row in csv.DictReader(open(path, encoding="utf-8")):
            if row["pct_of_peak"]:
                k = (row["kernel"], row["mode"])
                peak.setdefault(k, []).append(float(row["pct_of_peak"]))
        continue
    lines = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    cells = [c for c in lines if c.get("type") == "cell"]
    count = {s: sum(c["status"] == s for c in cells) for s in ("ok", "wrong", "crashed", "error", "timeout", "unsupported")}
    print(f"{os.path.basename(path)}: {len(cells)} cells; " + ", ".join(f"{s} {n}" for s, n in count.items()))
    for c in cells:
        if c["status"] in ("wrong", "crashed", "error", "timeout"):
            print(f"  {c['status']}: {c['id']}: {c.get('message', '')[:160]}")
        chk = c.get("check", {})
        if chk.get("checked") and chk.get("tolerance"):
            r = chk["max_abs_err"] / chk["tolerance"] if isinstance(chk["max_abs_err"], (int, float)) else float("inf")
            if r > worst.get(c["kernel"], (-1, ""))[0]:
                worst[c["kernel"]] = (r, c["id"])
print("worst max_abs_err / tolerance per kernel (above 1 fails):")
for k, (r, cell) in sorted(worst.items()):
    print(f"  {k:24s} {r:.3f}  {cell}")
print("pct_of_peak per kernel and mode (none may pass 100):")
over = 0
for (k, mode), v in sorted(peak.items()):
    over += sum(x > 100 for x in v)
    print(f"  {k:24s} {mode:6s} max {max(v):6.1f}  median {sorted(v)[len(v) // 2]:6.1f}  cells {len(v)}")
print(f"pct_of_peak above 100: {over}")
log = open(tests, encoding="utf-8", errors="replace").read()
cheat = re.search(r"\[\s+(OK|FAILED|SKIPPED)\s+\] CheatKernels.CudaCheatsAreAllWrong", log)
print("cheat kernels on the GPU: " + (cheat.group(1) + (" (all wrong)" if cheat.group(1) == "OK" else "") if cheat else "not run"))
for line in re.findall(r".* rc=\d+", log):
    print(" ", line)
PY
echo "files: $(ls "$OUT" | tr '\n' ' ')"
