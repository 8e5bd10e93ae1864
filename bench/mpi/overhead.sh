#!/usr/bin/env bash
# What handing cells out over MPI costs per cell: a sweep of many tiny CPU cells in one process,
# then under `mpirun -np 3`, with the ranks' own count of the time each waited between sending a
# result and receiving its next cell (rank 0's "hand-out" line).
#
#   bench/mpi/overhead.sh [CLI] [TIERS]    (CLI default build/cpu/engine/attnsweep-cli; TIERS default 60)
#
# Prints the wall time per cell of each run and the hand-out line; docs/mpi.md quotes a run.
set -euo pipefail
cli=${1:-build/cpu/engine/attnsweep-cli}
tiers=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1  # one thread per process: ranks sharing the cores do not spin against each other

# 2 kernels x tiers x 2 masks cells, each a 16..(16+tiers) x 8 problem timed with 3 samples.
list=$(seq 0 $((tiers - 1)) | awk '{printf "%s{\"q_n\": %d, \"head_dim\": 8, \"heads\": 1, \"batch\": 1}", (NR>1?",":""), 16+$1}')
cat > "$work/spec.json" <<EOF
{"name": "mpi-overhead", "kernels": ["cpu_naive", "cpu_flash"], "dtypes": ["fp32"], "causal": [false, true],
 "tiers": [$list],
 "timing": {"warmup_ms": 0, "min_samples": 3, "max_samples": 3, "target_rel_ci": 0.5, "max_cell_s": 0.1, "modes": ["batch"]},
 "seed": 1}
EOF
cells=$((tiers * 4))
echo "$cells cells on $(getconf _NPROCESSORS_ONLN) cores; $("$cli" --version | tail -1)"

run() {  # NAME COMMAND...
  local name=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" run --spec "$work/spec.json" --backend cpu -q --out "$work/$name.jsonl" > "$work/$name.log" 2>&1
  t1=$(date +%s%N)
  python3 - "$work/$name.jsonl" "$name" $(( (t1 - t0) / 1000 )) "$cells" <<'EOF'
import json, sys
path, name, wall_us, cells = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
records = [json.loads(l) for l in open(path)][1:]
measuring = sum(r.get("wall_s", 0) for r in records)
print(f"{name}: {len(records)} cells, wall {wall_us / 1e6:.2f} s = {wall_us / 1e3 / cells:.2f} ms per cell; "
      f"cells themselves {measuring:.2f} s")
EOF
  grep "hand-out" "$work/$name.log" || true
}
run one-process "$cli"
run mpi-np1 mpirun --bind-to none -np 1 "$cli"
run mpi-np3 mpirun --oversubscribe --bind-to none -np 3 "$cli"
