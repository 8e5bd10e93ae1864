# Sourced by the one-call GPU scripts (check-and-ab.sh, final-call.sh, seed-and-race.sh,
# sm90-seed-tiers.sh, sm90-ab.sh, profile-call.sh, profile-vs-cudnn.sh, old-new-alternating.sh):
# work and output folders, everything printed also logged to $OUT/log.txt, the packed programs in
# $G unpacked to $B with their libraries on the path, `stamp` for the seconds since the start,
# `sm90_before_after` and `ncu_profile`.
G=${G:-.gpu-x}
OUT=${OUT:-/tmp/out}
W=/tmp/work
rm -rf "$W"  # a machine may keep /tmp between calls: no stale results
mkdir -p "$W" "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
t0=$(date +%s)
stamp() { echo "-- $(( $(date +%s) - t0 )) s"; }
bash "$G/run.sh" kernels_tests --gtest_list_tests >/dev/null 2>&1 || true  # unpacks the bundle
B=/tmp/attnsweep-bundle
export LD_LIBRARY_PATH="$B/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"

# sm90_before_after [ARG...]: when $G/flash_sm90_bench_old (a previous build's harness) was packed,
# times the fa3-paper shapes with it, then with this build's harness with one CTA per tile, then
# with ARGs (none: as shipped), and writes the three side by side to $W/sm90-old-new.txt and $OUT.
sm90_before_after() {
  [ -x "$G/flash_sm90_bench_old" ] || return 0
  echo "== flash_sm90 harness: previous build, this build with one CTA per tile, this build with [$*]"
  timeout 80 "$G/flash_sm90_bench_old" time-nocheck > "$W/sm90-old.txt" 2>&1; echo "old rc=$?"
  timeout 80 "$B/bin/flash_sm90_bench" time-nocheck pe=0 > "$W/sm90-new-pe0.txt" 2>&1; echo "new pe=0 rc=$?"
  timeout 80 "$B/bin/flash_sm90_bench" time-nocheck "$@" > "$W/sm90-new.txt" 2>&1; echo "new [$*] rc=$?"
  paste <(awk '$1=="fa3"{print $2,$3,$4,$5,$7,$8,$(NF-1)}' "$W/sm90-old.txt") \
        <(awk '$1=="fa3"{print $(NF-1)}' "$W/sm90-new-pe0.txt") <(awk '$1=="fa3"{print $(NF-1)}' "$W/sm90-new.txt") |
    awk -v args="$*" 'BEGIN{print "dt B H N d causal | us: old new-pe0 new[" args "] | old/new-pe0 old/new"}
         {printf "%s %s %s %s %s %s | %s %s %s | %.3f %.3f\n",$1,$2,$3,$4,$5,$6,$7,$8,$9,$7/$8,$7/$9}' | tee "$W/sm90-old-new.txt"
  cp "$W/sm90-old-new.txt" "$OUT/"
  stamp
}

# ncu_profile NAME KERNEL_REGEX COMMAND...: Nsight Compute (full section set, clocks left alone) on
# the third launch whose kernel matches the regex; writes $W/prof/NAME.details.txt and NAME.sass.csv
# (per-instruction counts and stall samples, for ncu_stalls.py) and prints the launch's headline.
ncu_profile() {
  local name=$1 regex=$2; shift 2
  local ncu=${NCU:-$(command -v ncu || echo /usr/local/cuda/bin/ncu)}
  mkdir -p "$W/prof"
  timeout 150 "$ncu" --clock-control none --set full -k "regex:$regex" --launch-skip 2 --launch-count 1 -f -o "$W/prof/$name" "$@" \
    > "$W/prof/$name.run.txt" 2>&1
  echo "$name rc=$?"
  "$ncu" --import "$W/prof/$name.ncu-rep" --page details > "$W/prof/$name.details.txt" 2>&1
  "$ncu" --import "$W/prof/$name.ncu-rep" --page source --csv --print-source sass > "$W/prof/$name.sass.csv" 2>&1
  grep -E "^  [a-zA-Z_].*\(|Duration|Block Size|Grid Size|Registers Per|Dynamic Shared|Compute \(SM\) Throughput|Memory Throughput|Achieved Occupancy" \
    "$W/prof/$name.details.txt" | head -10
}
