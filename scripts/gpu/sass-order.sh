#!/usr/bin/env bash
# The order of a flash_sm90 kernel's wgmma issues, wgmma waits, exponentials and branches, from the
# SASS of a packed program: shows whether the softmax sits between a warpgroup's waits (the
# intra-warpgroup overlap) or after them. Runs on the GPU machine (cuobjdump is not on ours).
#   bash scripts/gpu/sass-order.sh PROGRAM MANGLED_KERNEL_NAME...   (full SASS of each to $OUT/sass-N.txt)
set -uo pipefail
program=$1; shift
n=0
for name in "$@"; do
  n=$((n + 1))
  /usr/local/cuda/bin/cuobjdump -sass -fun "$name" "$program" > "${OUT:-/tmp}/sass-$n.txt" 2>&1
  echo "== $n: $name ($(grep -c '^ */\*[0-9a-f]*\*/' "${OUT:-/tmp}/sass-$n.txt") instructions)"
  # One line per run: H = HGMMA issues, E = MUFU.EX2, other markers verbatim, with SASS line numbers.
  awk '/\/\*[0-9a-f]+\*\// {
         kind = "";
         if ($0 ~ /HGMMA/) kind = "HGMMA";
         else if ($0 ~ /MUFU\.EX2/) kind = "EX2";
         else if ($0 ~ /WARPGROUP\.DEPBAR/) { match($0, /WARPGROUP\.DEPBAR[^;]*/); kind = substr($0, RSTART, RLENGTH) }
         else if ($0 ~ /WARPGROUP\.ARRIVE/) kind = "WARPGROUP.ARRIVE";
         else if ($0 ~ /SYNCS/) { match($0, /SYNCS[.A-Z0-9]*/); kind = substr($0, RSTART, RLENGTH) }
         else if ($0 ~ / BRA /) kind = "BRA";
         if (kind == "") next;
         if (kind == last && (kind == "HGMMA" || kind == "EX2")) { count++; next }
         if (last != "") printf "%5d %s%s\n", line, last, (count > 1 ? " x" count : "");
         last = kind; count = 1; line = NR
       }
       /^ *\.L_x_[0-9]+:/ { if (last != "") printf "%5d %s%s\n", line, last, (count > 1 ? " x" count : ""); last = ""; printf "%5d %s\n", NR, $1 }
       END { if (last != "") printf "%5d %s%s\n", line, last, (count > 1 ? " x" count : "") }' "${OUT:-/tmp}/sass-$n.txt"
done
