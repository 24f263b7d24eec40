#!/usr/bin/env bash
# Builds the tiervm Linux guest: Debian's linux-source-6.1 (tinyconfig + tiervm.config) with
# an embedded initramfs holding a static busybox (from `apt-get source busybox`), ./init and
# /bin/syscall_bench (./syscall_bench.c, static glibc).
#
#   roms/linux/build.sh               build if needed; print the Image path (last stdout line)
#   roms/linux/build.sh --print-path  print the Image path without building; exit 1 if absent
#
# The result is cached outside the build tree, keyed by a hash of every input (these recipe
# files, the package versions of the sources and of the cross toolchain):
#   ${TIERVM_CACHE:-~/.cache/tiervm}/linux-<hash>/{Image,vmlinux,System.map,*.config,build.log}
# A build runs in a temporary directory renamed into place only when complete, so an
# interrupted build never leaves a partial cache entry. Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TIERVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tiervm}
jobs=${TIERVM_JOBS:-$(nproc)}
linux_tarball=/usr/src/linux-source-6.1.tar.xz
kmake=(make ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- KBUILD_BUILD_USER=tiervm
  KBUILD_BUILD_HOST=tiervm)
recipe=(build.sh tiervm.config init initramfs.list syscall_bench.c)

say() { echo "linux guest: $*" >&2; }
die() {
  echo "roms/linux/build.sh: $*" >&2
  exit 1
}

mode=build
case ${1:-} in
  '') ;;
  --print-path) mode=print ;;
  -h | --help)
    sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

pkg_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || die "package $1 is missing: run scripts/setup"
}

# The busybox source version `apt-get source` would fetch now (needs deb-src: scripts/setup).
# (In an empty directory: apt prints no URI for files already in the current one.)
empty_dir=$(mktemp -d)
busybox_version=$(cd "$empty_dir" && apt-get source --print-uris busybox 2>/dev/null |
  sed -n "s/^'[^']*' busybox_\(.*\)\.dsc .*/\1/p")
rmdir "$empty_dir"
[[ -n $busybox_version ]] || die "apt-get source busybox is not available: run scripts/setup"

inputs=$(
  cd "$here"
  sha256sum "${recipe[@]}"
  echo "linux-source-6.1 $(pkg_version linux-source-6.1)"
  echo "busybox source $busybox_version"
  echo "gcc-riscv64-linux-gnu $(pkg_version gcc-riscv64-linux-gnu)"
  echo "libc6-dev-riscv64-cross $(pkg_version libc6-dev-riscv64-cross)"
  riscv64-linux-gnu-gcc --version | head -n 1
)
hash=$(sha256sum <<<"$inputs" | cut -c 1-16)
final=$cache/linux-$hash
image=$final/Image

if [[ $mode == print ]]; then
  echo "$image"
  [[ -f $image ]]
  exit
fi

mkdir -p "$cache"
# One build per key at a time; a second caller waits and then finds the result.
exec 9>"$final.lock"
flock 9
if [[ -f $image ]]; then
  echo "$image"
  exit 0
fi

work=$(mktemp -d "$final.tmp.XXXXXX")
log=$work/out/build.log
failed_log=$final.failed.log
mkdir -p "$work/out"
done_ok=0
cleanup() {
  if [[ $done_ok != 1 && -f $log ]]; then
    cp "$log" "$failed_log"
    echo "roms/linux/build.sh: build failed; last lines of the log (full log: $failed_log):" >&2
    tail -n 30 "$log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command with its output in the log only.
run() {
  echo "+ $*" >>"$log"
  "$@" >>"$log" 2>&1
}

start=$SECONDS
say "building into $final (log: $log)"
echo "$inputs" >"$work/out/inputs.txt"

say "busybox $busybox_version: fetching source"
mkdir -p "$work/busybox"
(cd "$work/busybox" && run apt-get source busybox)
bb=$(echo "$work"/busybox/busybox-*/)
[[ -f $bb/Makefile ]] || die "apt-get source busybox gave no source tree"

say "busybox: building (static, riscv64)"
run make -C "$bb" CROSS_COMPILE=riscv64-linux-gnu- defconfig
sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$bb/.config"
{ yes '' || true; } | run make -C "$bb" CROSS_COMPILE=riscv64-linux-gnu- oldconfig
grep -qx 'CONFIG_STATIC=y' "$bb/.config" || die "busybox: CONFIG_STATIC did not stick"
run make -C "$bb" CROSS_COMPILE=riscv64-linux-gnu- -j"$jobs"
cp "$bb/.config" "$work/out/busybox.config"

stage=$work/initramfs
run make -C "$bb" CROSS_COMPILE=riscv64-linux-gnu- CONFIG_PREFIX="$stage" install
rm -f "$stage/linuxrc"
mkdir -p "$stage"/{dev,proc,sys,tmp,mnt,root,etc}
install -m 0755 "$here/init" "$stage/init"
say "syscall_bench: building (static, riscv64)"
run riscv64-linux-gnu-gcc -static -O2 -s -Wall -Wextra -Werror -o "$stage/bin/syscall_bench" \
  "$here/syscall_bench.c"

say "linux $(pkg_version linux-source-6.1): extracting source"
run tar -C "$work" -xJf "$linux_tarball"
src=$work/linux-source-6.1
[[ -f $src/Makefile ]] || die "$linux_tarball did not hold linux-source-6.1/"

say "linux: configuring (tinyconfig + tiervm.config)"
cat >"$work/local.config" <<EOF
CONFIG_INITRAMFS_SOURCE="$stage $here/initramfs.list"
CONFIG_INITRAMFS_ROOT_UID=$(id -u)
CONFIG_INITRAMFS_ROOT_GID=$(id -g)
EOF
run "${kmake[@]}" -C "$src" tinyconfig
(cd "$src" && run scripts/kconfig/merge_config.sh -m .config "$here/tiervm.config" "$work/local.config")
run "${kmake[@]}" -C "$src" olddefconfig
# Every option of the fragment must have survived olddefconfig (a dropped one means an
# unmet dependency, which would otherwise only show as a guest that does not boot).
while read -r line; do
  if [[ $line =~ ^CONFIG_ ]]; then
    grep -qxF "$line" "$src/.config" || die "kernel config: '$line' did not survive olddefconfig"
  elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
    ! grep -q "^${BASH_REMATCH[1]}=" "$src/.config" || die "kernel config: ${BASH_REMATCH[1]} is still set"
  fi
done <"$here/tiervm.config"
cp "$src/.config" "$work/out/kernel.config"

say "linux: building Image (make -j$jobs)"
run "${kmake[@]}" -C "$src" -j"$jobs" Image
cp "$src/arch/riscv/boot/Image" "$src/vmlinux" "$src/System.map" "$work/out/"

mv "$work/out" "$final"
done_ok=1
rm -f "$failed_log"
say "done in $((SECONDS - start)) s: $(du -h "$image" | cut -f 1) Image"
echo "$image"
