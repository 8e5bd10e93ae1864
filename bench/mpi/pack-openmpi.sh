#!/usr/bin/env bash
# Adds this machine's Open MPI runtime (Debian's: mpirun, orted, their MCA and PMIx components,
# help files, settings, and the libraries they load) to a folder of packed programs, so that
# bench/mpi/one-gpu.sh can launch attnsweep-cli on a machine whose own mpirun does not work with
# the Open MPI the program was built against.
#
#   bench/mpi/pack-openmpi.sh DIR        (DIR: the folder the programs were packed into)
#
# Writes DIR/openmpi-runtime.tar.xz.
set -euo pipefail
dir=${1:?usage: pack-openmpi.sh DIR}
[ -d "$dir" ] || { echo "pack-openmpi.sh: $dir is not a folder" >&2; exit 2; }
orterun=$(readlink -f "$(command -v mpirun)")
[ -x "$orterun" ] || { echo "pack-openmpi.sh: no mpirun here (Debian: openmpi-bin)" >&2; exit 2; }
libdir=$(ompi_info --path libdir --parsable | sed -n 's/^path:libdir://p')   # /usr/lib/x86_64-linux-gnu/openmpi/lib
pkglibdir=$(ompi_info --path pkglibdir --parsable | sed -n 's/^path:pkglibdir://p')
pkgdatadir=$(ompi_info --path pkgdatadir --parsable | sed -n 's/^path:pkgdatadir://p')
sysconfdir=$(ompi_info --path sysconfdir --parsable | sed -n 's/^path:sysconfdir://p')
# Debian's Open MPI uses the PMIx of its own package (…/pmix2), which loads components of its own.
pmix=$(dirname "$(dirname "$(readlink -f "$(ldconfig -p | awk '/libpmix\.so\.2 /{print $NF; exit}')")")")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
copy() { mkdir -p "$root$(dirname "$1")"; cp -a "$1" "$root$1"; }
copy "$orterun"
copy "$(dirname "$orterun")/orted"
copy "$libdir"                       # its libraries and, in pkglibdir, its components
copy "$pmix"
copy "$pkgdatadir"
copy "$sysconfdir"
# The libraries the launcher and the components load, except those every Linux has (and CUDA's).
skip='/(libc|libm|libpthread|libdl|librt|libresolv|ld-linux[^/]*|libgcc_s|libstdc\+\+|libcuda|libcudart|libnvidia[^/]*)\.so'
mkdir -p "$root/deps"
find "$root" -name '*.so*' -type f -o -path "$root/usr/bin/*" -type f | while read -r f; do
  ldd "$f" 2>/dev/null | awk '/=> \//{print $3}'
done | sort -u | grep -Ev "$skip" | while read -r lib; do cp -Ln "$lib" "$root/deps/" 2>/dev/null || true; done
cat > "$root/paths" <<EOF
orterun=${orterun#/}
libdir=${libdir#/}
pkglibdir=${pkglibdir#/}
pkgdatadir=${pkgdatadir#/}
sysconfdir=${sysconfdir#/}
pmix=${pmix#/}
version="$(mpirun --version 2>/dev/null | head -1)"
EOF
tar cJf "$dir/openmpi-runtime.tar.xz" -C "$stage/root" .
echo "packed Open MPI's runtime ($(mpirun --version | head -1)) into $dir/openmpi-runtime.tar.xz ($(du -h "$dir/openmpi-runtime.tar.xz" | cut -f1))"
