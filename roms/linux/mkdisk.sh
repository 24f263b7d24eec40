#!/usr/bin/env bash
# Creates an ext2 disk image for the guest's virtio block device (/dev/vda). No root needed.
#   roms/linux/mkdisk.sh OUT.img [SIZE_MIB (default 16)] [DIR to copy into the root]
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 || $1 == -h || $1 == --help ]]; then
  sed -n '2,3s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
fi
out=$1
size_mib=${2:-16}
dir=${3:-}
[[ $size_mib =~ ^[0-9]+$ && $size_mib -ge 1 ]] || { echo "mkdisk.sh: bad size '$size_mib'" >&2; exit 2; }
[[ -z $dir || -d $dir ]] || { echo "mkdisk.sh: '$dir' is not a directory" >&2; exit 2; }

populate=()
[[ -z $dir ]] || populate=(-d "$dir")
rm -f "$out"
truncate -s "${size_mib}M" "$out"
mke2fs -q -F -t ext2 -L tiervm -E root_owner=0:0 "${populate[@]}" "$out"
