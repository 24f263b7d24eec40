#!/usr/bin/env bash
# Kills the emulator while the Linux guest writes to its disk, then checks the disk image:
# the file system must be consistent and every write the guest saw completed by fsync must
# be there; only writes not yet flushed may be missing.
#   roms/linux/killtest.sh [--tiervm PATH/TO/tiervm] [IMAGE]   (IMAGE: default from build.sh)
# Without --tiervm it runs on QEMU (the reference, to check the test itself). Each case boots
# `autotest=disk-stress` (roms/linux/init) on a fresh ext4 disk: the guest writes files f0,
# f1, ... of 64 KiB, fsyncs each (file and directory) and prints "SYNCED i". Once "SYNCED 3"
# is on the console the emulator gets the signal, while the guest is writing the next file:
#   SIGKILL  the process dies at once (status 137); the image holds what the emulator had
#            written to it (virtio-blk writes are pwrite()s, so none is held back in the
#            process), the guest's unflushed page cache is lost.
#   SIGTERM, SIGINT  tiervm stops the machine at the end of the current slice, fsyncs the
#            image, prints "tiervm: stopped by a signal" and exits with status 130, within
#            5 s (app/tiervm_main.cpp). The guest is not shut down: like a power cut.
#            (QEMU exits with status 0 after "terminating on signal N".)
# After each kill, on a copy of the image: the journal is replayed (`e2fsck -E journal_only`,
# what the kernel does at the next mount), then `e2fsck -fn` must find no error, every file
# with a SYNCED line must hold exactly its bytes (dumped with debugfs, compared with the same
# bytes made on the host), and the file being written, if it exists, must be a prefix of its
# bytes. Last, the checks themselves are checked: on copies of the first image with one
# defect each (a zeroed data block, a deleted synced file, a wrong inode link count) they
# must fail. Ends with the line "N passed, M failed".
#
# Why ext4 with a journal, not ext2: a kill is a power cut for the guest. ext2 has no crash
# consistency: fsync(2) writes the file's data and inode but not the block and inode
# bitmaps, so after a kill `e2fsck -n` on an ext2 image reports "Block bitmap differences"
# every time, with no data lost (measured with this workload), and the test could not tell
# a healthy emulator from a broken one. With the journal (ext4, data=ordered), an fsync
# returns once the transaction holding the file's metadata is committed and the data is
# written before it; replaying the journal yields a consistent file system with every fsync'ed
# file. e2fsck -n alone cannot replay ("skipping journal recovery"), hence the copy.
# An emulator that drops or reorders flushed writes, acknowledges a FLUSH before the data
# is in the file, or corrupts data on the way fails the e2fsck or the content check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tiervm=
if [[ ${1:-} == --tiervm ]]; then
  tiervm=${2:?--tiervm needs a path}
  shift 2
fi
image=${1:-$("$here/build.sh" | tail -n 1)}
[[ -f $image ]] || { echo "killtest.sh: no image '$image'" >&2; exit 2; }
for tool in e2fsck debugfs mke2fs; do
  command -v "$tool" >/dev/null || { echo "killtest.sh: $tool is missing (e2fsprogs)" >&2; exit 2; }
done
limit=60
runner=${tiervm:-qemu}

work=$(mktemp -d)
pid=
cleanup() {
  [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# expected I: the path of a file with the bytes of file I, as roms/linux/init's stress_data
# makes them. (seq dies of SIGPIPE when head has its 64 KiB: not an error here.)
expected() {
  local f=$work/expected.$1
  [[ -f $f ]] || (set +o pipefail && seq $(($1 * 100000)) $(($1 * 100000 + 19999)) | head -c 65536 >"$f")
  echo "$f"
}

passed=0
failed=0
result() {
  echo "killtest on $runner: $1: $2"
  if [[ $2 == ok ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# start DISK: boots the disk stress test in the background ($pid), console in $work/log.
start() {
  local append="console=ttyS0 earlycon=sbi autotest=disk-stress" cmd
  if [[ -n $tiervm ]]; then
    cmd=("$tiervm" --headless --kernel "$image" --append "$append" --timeout "$limit"
      --drive "file=$1")
  else
    cmd=(qemu-system-riscv64 -machine virt -m 256M -nographic -no-reboot
      -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
      -kernel "$image" -append "$append"
      -drive "file=$1,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0)
  fi
  : >"$work/log"
  "${cmd[@]}" </dev/null >"$work/log" 2>&1 &
  pid=$!
}

# The numbers of the SYNCED lines, and of the last WRITING line, on the console.
synced() { tr -d '\r' <"$work/log" | sed -n 's/^SYNCED \([0-9][0-9]*\)$/\1/p'; }
last_writing() { tr -d '\r' <"$work/log" | sed -n 's/^WRITING \([0-9][0-9]*\)$/\1/p' | tail -n 1; }

# replay SRC DST: DST is a copy of SRC with the journal replayed (e2fsck exit 0 or 1: done,
# file system changed).
replay() {
  cp --sparse=always "$1" "$2"
  local status=0
  e2fsck -E journal_only -y "$2" >"$work/replay.log" 2>&1 || status=$?
  if [[ $status -gt 1 ]]; then
    echo "journal replay failed (e2fsck status $status)"
    sed 's/^/    | /' "$work/replay.log"
    return 1
  fi
}

# verify IMG LAST [PARTIAL]: IMG (journal replayed) passes e2fsck -fn, holds f0..fLAST with
# their exact bytes, and fPARTIAL, if present, is a prefix of its bytes. Prints each problem.
verify() {
  local img=$1 last=$2 partial=${3:-} ok=0 status=0 k size
  e2fsck -fn "$img" >"$work/fsck.log" 2>&1 || status=$?
  if [[ $status != 0 ]]; then
    echo "e2fsck -fn: status $status"
    grep -v '^Pass \|^e2fsck ' "$work/fsck.log" | head -n 12 | sed 's/^/    | /'
    ok=1
  fi
  for ((k = 0; k <= last; k++)); do
    rm -f "$work/f"
    debugfs -R "dump /f$k $work/f" "$img" >/dev/null 2>&1 || true
    if [[ ! -f $work/f ]]; then
      echo "f$k (synced) is missing"
      ok=1
    elif ! cmp -s "$(expected "$k")" "$work/f"; then
      echo "f$k (synced) does not hold its bytes ($(stat -c %s "$work/f") bytes)"
      ok=1
    fi
  done
  if [[ -n $partial ]]; then
    rm -f "$work/f"
    debugfs -R "dump /f$partial $work/f" "$img" >/dev/null 2>&1 || true
    if [[ -f $work/f ]]; then
      size=$(stat -c %s "$work/f")
      if [[ $size -gt 65536 ]] || ! cmp -s -n "$size" "$(expected "$partial")" "$work/f"; then
        echo "f$partial (being written) is not a prefix of its bytes ($size bytes)"
        ok=1
      fi
    fi
  fi
  return $ok
}

# kill_case NAME SIGNAL WANT_STATUS: one boot, killed after SYNCED 3; checks the exit and disk.
kill_case() {
  local name=$1 sig=$2 want=$3 disk=$work/$1.img t status=0 start_ns ms stuck last writing partial note
  "$here/mkdisk.sh" -t ext4 "$disk" 16
  start "$disk"
  for ((t = 0; t < limit * 50; t++)); do
    grep -qa '^SYNCED 3[[:space:]]*$' "$work/log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if ! grep -qa '^SYNCED 3[[:space:]]*$' "$work/log"; then
    wait "$pid" || status=$?
    pid=
    result "$name: guest reached SYNCED 3" "FAILED (exit status $status)"
    tail -n 20 "$work/log" | sed 's/^/    | /'
    return
  fi
  # (stderr aside meanwhile: bash reports a background job killed by a signal there.)
  exec 4>&2 2>/dev/null
  start_ns=$(date +%s%N)
  kill "-$sig" "$pid"
  # Prompt: within 5 s.
  for ((t = 0; t < 250; t++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  ms=$((($(date +%s%N) - start_ns) / 1000000))
  stuck=0
  if kill -0 "$pid" 2>/dev/null; then
    stuck=1
    kill -KILL "$pid"
  fi
  wait "$pid" || status=$?
  exec 2>&4 4>&-
  pid=
  if [[ $stuck == 1 ]]; then
    result "$name: exits within 5 s" "FAILED (still running after $ms ms)"
    return
  fi
  last=$(synced | tail -n 1)
  writing=$(last_writing)
  partial=
  note="killed between files"
  if [[ $writing -gt $last ]]; then
    partial=$writing
    note="killed while writing f$writing"
  fi
  if [[ $status == "$want" ]]; then
    result "$name: exit status $status after $ms ms, last SYNCED $last, $note" ok
  else
    result "$name: exit status $status after $ms ms (want $want)" FAILED
    tail -n 5 "$work/log" | sed 's/^/    | /'
  fi
  if [[ -n $tiervm && $sig != KILL ]]; then
    if grep -q '^tiervm: stopped by a signal' "$work/log"; then
      result "$name: says 'stopped by a signal'" ok
    else
      result "$name: says 'stopped by a signal'" FAILED
    fi
  fi
  # The SYNCED lines must be 0..last, one each.
  if [[ "$(synced | tr '\n' ' ')" != "$(seq -s ' ' 0 "$last") " ]]; then
    result "$name: SYNCED lines in order" "FAILED ($(synced | tr '\n' ' '))"
  fi
  replay "$disk" "$work/$name.replayed.img" >"$work/out" &&
    verify "$work/$name.replayed.img" "$last" "$partial" >>"$work/out" || true
  if [[ ! -s $work/out ]]; then
    result "$name: disk consistent, f0..f$last intact" ok
  else
    result "$name: disk consistent, f0..f$last intact" FAILED
    sed 's/^/    | /' "$work/out"
  fi
}

# must_fail NAME EXPECTED_TEXT COMMAND...: on a fresh copy of the first replayed image,
# COMMAND (run with the copy's path appended) adds a defect that verify must report.
must_fail() {
  local name=$1 want=$2 copy=$work/defect.img
  shift 2
  cp --sparse=always "$work/sigkill.replayed.img" "$copy"
  "$@" "$copy" >/dev/null 2>&1
  if verify "$copy" 3 >"$work/out"; then
    result "the check detects $name" "FAILED (verify passed)"
  elif grep -q "$want" "$work/out"; then
    result "the check detects $name" ok
  else
    result "the check detects $name" "FAILED (other report: $(head -n 1 "$work/out"))"
  fi
}

zero_block_of_f1() {
  local bs block
  bs=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p')
  block=$(debugfs -R "bmap /f1 3" "$1" 2>/dev/null)
  [[ $bs =~ ^[0-9]+$ && $block =~ ^[0-9]+$ && $block -gt 0 ]] || return 1
  dd if=/dev/zero of="$1" bs="$bs" seek="$block" count=1 conv=notrunc status=none
}

kill_case sigkill KILL 137
if [[ -n $tiervm ]]; then term_status=130; else term_status=0; fi
kill_case sigterm TERM "$term_status"
kill_case sigint INT "$term_status"

if [[ -f $work/sigkill.replayed.img ]]; then
  must_fail "a zeroed data block" "f1 (synced) does not hold its bytes" zero_block_of_f1
  must_fail "a deleted file" "f2 (synced) is missing" debugfs -w -R "rm /f2"
  must_fail "a wrong link count" "e2fsck -fn: status" debugfs -w -R "sif /f0 links_count 5"
fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
