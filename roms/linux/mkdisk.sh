#!/usr/bin/env bash
# Creates an ext2 disk image for the guest's virtio block device (/dev/vda). No root needed.
#   roms/linux/mkdisk.sh [-t ext2|ext3|ext4] OUT.img [SIZE_MIB (default 16)] [DIR to copy into the root]
# -t picks another file system type (default ext2); ext3/ext4 have a journal (killtest.sh).
set -euo pipefail

usage() {
  sed -n '2,4s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

fstype=ext2
if [[ ${1:-} == -t ]]; then
  fstype=${2:-}
  shift 2 || usage
  [[ $fstype == ext[234] ]] || { echo "mkdisk.sh: unknown file system type '$fstype'" >&2; exit 2; }
fi
if [[ $# -lt 1 || $# -gt 3 || $1 == -h || $1 == --help ]]; then
  usage
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
mke2fs -q -F -t "$fstype" -L tiervm -E root_owner=0:0 "${populate[@]}" "$out"
