#!/usr/bin/env bash
# One command on a one-GPU machine: the same CUDA sweep in one process, under `mpirun -np 1` and
# under `mpirun -np 2` with both ranks on the one card (they share it: each rank takes its host's
# device by its place there, and one device means device 0 for both), then checks the three result
# files and prints their wall times (docs/mpi.md).
#
# From the repository root on the GPU machine:
#   bench/mpi/one-gpu.sh            with attnsweep-cli built there (build/release, scripts/build.sh), or
#   G=DIR bench/mpi/one-gpu.sh      with attnsweep-cli built elsewhere and packed into DIR (DIR/run.sh
#                                   unpacks it with its libraries, Open MPI's included)
# OUT (default /tmp/out) receives the result files, the logs and mpi-one-gpu.log.
# KERNELS (default naive,cublas,fused_simt,flash_mma,flash_sm90), PRESET (default seed) and BACKEND
# (default cuda; cpu tries the script on a machine without a GPU) choose the sweep; PLAIN=0 leaves
# out the one-process run.
#
# The launch: the machine's own mpirun with the program's Open MPI libraries (A); if that fails,
# the machine's mpirun with the machine's libmpi, which Open MPI 4 and 5 keep compatible (B); if
# that fails too, an Open MPI runtime packed into DIR by bench/mpi/pack-openmpi.sh (C). The
# versions and the launch used are printed first.
set -uo pipefail
G=${G:-}
OUT=${OUT:-/tmp/out}
W=/tmp/mpi-one-gpu
KERNELS=${KERNELS:-naive,cublas,fused_simt,flash_mma,flash_sm90}
PRESET=${PRESET:-seed}
BACKEND=${BACKEND:-cuda}
RUN_S=${RUN_S:-180}  # each run's limit: the seed preset took 130 s in one process on an H100
rm -rf "$W"
mkdir -p "$W" "$OUT"
exec > >(tee "$OUT/mpi-one-gpu.log") 2>&1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # the machine runs commands as root

nvidia-smi --query-gpu=index,name,driver_version,clocks.sm,clocks.max.sm --format=csv || echo "no nvidia-smi"
if [ -n "$G" ]; then
  bash "$G/run.sh" attnsweep-cli --version >/dev/null  # unpacks it into /tmp/attnsweep-bundle
  CLI=/tmp/attnsweep-bundle/bin/attnsweep-cli
  bundle_path="/tmp/attnsweep-bundle/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
else
  CLI=$PWD/build/release/engine/attnsweep-cli
  bundle_path="/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
fi
[ -x "$CLI" ] || { echo "no $CLI: build it (scripts/build.sh) or pack it (G=DIR)"; exit 1; }
export LD_LIBRARY_PATH=$bundle_path
echo "== versions"
echo "programs: $($CLI --version | tr '\n' ' ')"
machine_mpirun=$(command -v mpirun || true)
if [ -n "$machine_mpirun" ]; then
  echo "machine mpirun: $machine_mpirun: $($machine_mpirun --version 2>&1 | head -1)"
  command -v ompi_info >/dev/null && echo "machine ompi_info: $(ompi_info --version 2>&1 | head -1)"
else
  echo "machine mpirun: none on the PATH"
fi

# probe MPIRUN: a two-rank CPU sweep of seconds; true when it wrote one file holding both ranks.
probe() {
  local out=$W/probe-$RANDOM.jsonl
  timeout 90 "$1" --oversubscribe --bind-to none -np 2 "$CLI" run --preset smoke --backend cpu -q --out "$out" \
    > "$W/probe.log" 2>&1 || { tail -5 "$W/probe.log"; return 1; }
  python3 -c "import json,sys; h=json.loads(open(sys.argv[1]).readline()); sys.exit(len(h.get('ranks',[]))!=2)" "$out" \
    || { echo "probe: the file does not hold two ranks"; return 1; }
}

MPIRUN=""
if [ -n "$machine_mpirun" ]; then
  echo "== launch A: the machine's mpirun, the programs' Open MPI libraries"
  probe "$machine_mpirun" && MPIRUN=$machine_mpirun && echo "launch A works"
fi
if [ -z "$MPIRUN" ] && [ -n "$machine_mpirun" ]; then
  echo "== launch B: the machine's mpirun and its own libmpi"
  mlib=$(ompi_info --path libdir --parsable 2>/dev/null | sed -n 's/^path:libdir://p')
  [ -n "$mlib" ] || mlib=$(dirname "$(dirname "$(readlink -f "$machine_mpirun")")")/lib
  echo "machine libmpi: $(ls "$mlib"/libmpi.so.* 2>/dev/null | head -1)"
  export LD_LIBRARY_PATH="$mlib:$bundle_path"
  echo "programs now: $($CLI --version | tail -1)"
  if probe "$machine_mpirun"; then MPIRUN=$machine_mpirun; echo "launch B works"; else export LD_LIBRARY_PATH=$bundle_path; fi
fi
if [ -z "$MPIRUN" ]; then
  echo "== launch C: the Open MPI runtime packed beside the programs"
  [ -f "$G/openmpi-runtime.tar.xz" ] || { echo "no \$G/openmpi-runtime.tar.xz (bench/mpi/pack-openmpi.sh): no launch works"; exit 1; }
  R=/tmp/attnsweep-ompi
  rm -rf "$R" && mkdir -p "$R" && tar xJf "$G/openmpi-runtime.tar.xz" -C "$R"
  # shellcheck disable=SC1091
  . "$R/paths"
  export OPAL_PREFIX=$R/usr OPAL_LIBDIR=$R/$libdir OPAL_PKGLIBDIR=$R/$pkglibdir OPAL_PKGDATADIR=$R/$pkgdatadir \
         OPAL_SYSCONFDIR=$R/$sysconfdir OMPI_MCA_mca_base_component_path=$R/$pkglibdir \
         PMIX_PREFIX=$R/$pmix PMIX_INSTALL_PREFIX=$R/$pmix PMIX_MCA_mca_base_component_path=$R/$pmix/lib/pmix \
         OMPI_MCA_mca_base_component_show_load_errors=0
  export LD_LIBRARY_PATH="$R/deps:$R/$libdir:$R/$pmix/lib:$bundle_path"
  echo "packed runtime: $version"
  probe "$R/$orterun" && MPIRUN=$R/$orterun && echo "launch C works"
  [ -n "$MPIRUN" ] || { echo "no launch works: see $W/probe.log above"; exit 1; }
fi

SWEEP=(run --preset "$PRESET" --backend "$BACKEND" --kernels "$KERNELS" -q)
# timed NAME COMMAND...: runs it, prints and records its wall time in $W/NAME.s
timed() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$W/$name.log" 2>&1
  local rc=$?
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1-$t0:.1f}')" > "$W/$name.s"
  echo "$name: rc=$rc, $(cat "$W/$name.s") s"; grep -E "^(measured|info: hand-out|attnsweep-cli:)" "$W/$name.log"
  cp "$W/$name.log" "$OUT/"
}
if [ "${PLAIN:-1}" = 1 ]; then
  echo "== one process, no MPI"
  timed plain timeout "$RUN_S" "$CLI" "${SWEEP[@]}" --out "$OUT/plain.jsonl"
fi
echo "== mpirun -np 1"
timed np1 timeout "$RUN_S" "$MPIRUN" --bind-to none -np 1 "$CLI" "${SWEEP[@]}" --out "$OUT/np1.jsonl"
echo "== mpirun -np 2: two ranks on the one card"
timed np2 timeout "$RUN_S" "$MPIRUN" --oversubscribe --bind-to none -np 2 "$CLI" "${SWEEP[@]}" --out "$OUT/np2.jsonl"

echo "== the result files"
python3 - "$OUT" "$W" <<'EOF'
import collections, json, os, sys
out, work = sys.argv[1], sys.argv[2]
def load(name):
    path = os.path.join(out, name + ".jsonl")
    if not os.path.exists(path): return None
    lines = [json.loads(l) for l in open(path) if l.strip()]
    return lines[0], lines[1:]
runs = {n: load(n) for n in ("plain", "np1", "np2")}
ok = True
base = runs["np1"]
for name, run in runs.items():
    if run is None: print(f"{name}: no file"); ok &= name == "plain"; continue
    header, cells = run
    ids = [c["id"] for c in cells]
    ranks = header.get("ranks", [])
    devices = sorted({(r["environment"].get("device", {}).get("name"), r["environment"].get("device", {}).get("ordinal")) for r in ranks})
    wall = open(os.path.join(work, name + ".s")).read().strip()
    status = collections.Counter(c["status"] for c in cells)
    print(f"{name}: {len(cells)} cells ({len(set(ids))} distinct), {dict(status)}, wall {wall} s, "
          f"cells' wall_s sum {sum(c.get('wall_s', 0) for c in cells):.1f} s, ranks {len(ranks)} on {devices}, "
          f"mixed_devices {header.get('mixed_devices')}")
    ok &= len(ids) == len(set(ids))
if base and runs["np2"]:
    a = {c["id"]: c for c in base[1]}
    b = {c["id"]: c for c in runs["np2"][1]}
    same = set(a) == set(b)
    agree = all(a[i]["status"] == b[i]["status"] and a[i]["check"].get("passed") == b[i]["check"].get("passed") for i in a if i in b)
    print(f"np1 vs np2: same cells {same}; same status and check for every cell {agree}")
    ok &= same and agree
    # A record keeps one timing per mode it measured ("timings": {"cold": ..., "batch": ...}).
    def median(c):
        timings = c.get("timings", {})
        return (timings.get("cold") or timings.get("batch") or {}).get("time_ms", {}).get("median")
    ratios = sorted(median(b[i]) / median(a[i]) for i in a
                    if i in b and a[i]["status"] == "ok" and b[i]["status"] == "ok" and median(a[i]) and median(b[i]))
    if ratios:
        print(f"median time np2/np1 per ok cell (two processes on one card): min {ratios[0]:.3f}, "
              f"median {ratios[len(ratios)//2]:.3f}, max {ratios[-1]:.3f}")
    t1, t2 = (float(open(os.path.join(work, n + '.s')).read()) for n in ("np1", "np2"))
    print(f"wall np1 {t1:.1f} s, np2 {t2:.1f} s: speedup {t1 / t2:.2f}x")
print("CHECK", "PASSED" if ok else "FAILED")
EOF
tar czf "$OUT/mpi-one-gpu.tar.gz" -C "$OUT" $(cd "$OUT" && ls plain.jsonl np1.jsonl np2.jsonl *.log 2>/dev/null)
