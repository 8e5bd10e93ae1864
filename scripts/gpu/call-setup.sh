# Sourced by the one-call GPU scripts (check-and-ab.sh, final-call.sh, seed-and-race.sh,
# sm90-seed-tiers.sh): work and output folders, everything printed also logged to $OUT/log.txt,
# the packed programs in $G unpacked to $B with their libraries on the path, and `stamp` for the
# seconds since the start.
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
