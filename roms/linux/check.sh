#!/usr/bin/env bash
# Boots the Linux guest's self-tests and checks each one printed TIERVM-AUTOTEST-PASS and
# powered off with status 0. Runs them on QEMU (the reference) or on tiervm:
#   roms/linux/check.sh [--tiervm PATH/TO/tiervm] [IMAGE]   (IMAGE: default from build.sh)
# The boots: `autotest`, then `autotest=disk-write` and `autotest=disk-read` on one fresh
# ext2 disk (the read boot checks what the write boot left), then `autotest=disk-read` on
# an empty disk, which must fail, then `autotest=syscall`, whose checksum line must be the one
# syscall_bench.c prints when compiled for and run on this host. Ends with the line
# "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tiervm=
if [[ ${1:-} == --tiervm ]]; then
  tiervm=${2:?--tiervm needs a path}
  shift 2
fi
image=${1:-$("$here/build.sh" | tail -n 1)}
[[ -f $image ]] || { echo "check.sh: no image '$image'" >&2; exit 2; }
limit=${TIERVM_CHECK_TIMEOUT:-120}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/mkdisk.sh" "$work/disk.img" 16
"$here/mkdisk.sh" "$work/empty.img" 4

# boot APPEND [DISK] -> runs the machine with stdout+stderr in $work/log, returns its status
# (tiervm only: $extra holds more options, e.g. --jit off or --snapshot)
extra=()
boot() {
  local append="console=ttyS0 earlycon=sbi $1" disk=${2:-} cmd
  if [[ -n $tiervm ]]; then
    cmd=("$tiervm" --headless --kernel "$image" --append "$append" --timeout "$limit" "${extra[@]}")
    [[ -z $disk ]] || cmd+=(--drive "file=$disk")
  else
    cmd=(qemu-system-riscv64 -machine virt -m 256M -nographic -no-reboot
      -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
      -kernel "$image" -append "$append")
    [[ -z $disk ]] || cmd+=(-drive "file=$disk,format=raw,if=none,id=d0"
      -device virtio-blk-device,drive=d0)
  fi
  timeout $((limit + 10)) "${cmd[@]}" </dev/null >"$work/log" 2>&1
}

passed=0
failed=0
# expect NAME pass|fail APPEND [DISK]
expect() {
  local name=$1 want=$2 status=0 start=$SECONDS result
  boot "$3" "${4:-}" || status=$?
  if [[ $want == pass ]] && [[ $status == 0 ]] && grep -q '^TIERVM-AUTOTEST-PASS' "$work/log"; then
    result=ok
  elif [[ $want == fail ]] && [[ $status == 1 ]] && grep -q '^TIERVM-AUTOTEST-FAIL' "$work/log"; then
    result=ok
  else
    result=FAILED
  fi
  echo "linux guest on ${tiervm:-qemu}: $name: $result (exit status $status, $((SECONDS - start)) s)"
  if [[ $result == ok ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    tail -n 25 "$work/log" | sed 's/^/    | /'
  fi
}

expect "self-test" pass "autotest"
expect "disk write" pass "autotest=disk-write" "$work/disk.img"
expect "disk read after write" pass "autotest=disk-read" "$work/disk.img"
expect "disk read of an empty disk fails" fail "autotest=disk-read" "$work/empty.img"

# The syscall benchmark: the guest's checksum line must equal the one the same source prints
# on the host (it uses only portable POSIX calls and sums only deterministic results).
syscall_rounds=6000
if cc -O2 -o "$work/syscall_bench" "$here/syscall_bench.c" &&
  want=$("$work/syscall_bench" "$syscall_rounds" "$work" | grep '^SYSCALL-BENCH checksum=') &&
  [[ -n $want ]]; then
  expect "syscall benchmark" pass "autotest=syscall syscall_rounds=$syscall_rounds"
  got=$(tr -d '\r' <"$work/log" | grep '^SYSCALL-BENCH checksum=' || true)
  if [[ $got == "$want" ]]; then
    echo "linux guest on ${tiervm:-qemu}: syscall benchmark checksum: ok ($got)"
    passed=$((passed + 1))
  else
    echo "linux guest on ${tiervm:-qemu}: syscall benchmark checksum: FAILED (guest '$got', host '$want')"
    failed=$((failed + 1))
  fi
else
  echo "linux guest on ${tiervm:-qemu}: syscall benchmark: FAILED (no host build or run of syscall_bench.c)"
  failed=$((failed + 1))
fi

# result NAME ok|FAILED: counts a tiervm-only check.
result() {
  echo "linux guest on $tiervm: $1: $2"
  if [[ $2 == ok ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

if [[ -n $tiervm ]]; then
  # The same self-test on the interpreter alone (tier 0) and with every block compiled
  # before its first run (the baseline tier, then LLVM's fast tier).
  extra=(--jit off)
  expect "self-test on tier 0" pass "autotest"
  extra=(--jit baseline --jit-threshold 0)
  expect "self-test on the baseline tier (all blocks compiled)" pass "autotest"
  # Every block of the boot (about 40 000) compiled by LLVM before its first run: about a
  # minute of CPU on a quiet host, over two under load, so this step gets 3x the limit.
  extra=(--jit fast --jit-threshold 0)
  limit=$((limit * 3))
  expect "self-test on tier 1 (all blocks compiled)" pass "autotest"
  limit=$((limit / 3))

  # --snapshot: the guest writes, the image file keeps every byte.
  "$here/mkdisk.sh" "$work/snap.img" 8
  before=$(sha256sum <"$work/snap.img")
  extra=(--snapshot)
  expect "disk write with --snapshot" pass "autotest=disk-write" "$work/snap.img"
  extra=()
  if [[ $(sha256sum <"$work/snap.img") == "$before" ]]; then
    result "--snapshot leaves the image unchanged" ok
  else
    result "--snapshot leaves the image unchanged" FAILED
  fi

  # The generated device tree passes dtc's checks (warnings are errors except the ones QEMU's
  # own virt tree triggers as well) and names the virt devices.
  if "$tiervm" --kernel "$image" --dump-dtb "$work/virt.dtb" &&
    dtc -I dtb -O dts -o "$work/virt.dts" "$work/virt.dtb" 2>"$work/dtc.log" &&
    grep -q 'compatible = "ns16550a"' "$work/virt.dts" &&
    grep -q 'compatible = "virtio,mmio"' "$work/virt.dts" &&
    grep -q 'riscv,isa = "rv64imafdc' "$work/virt.dts"; then
    result "device tree decompiles with dtc and lists the devices" ok
  else
    result "device tree decompiles with dtc and lists the devices" FAILED
    cat "$work/dtc.log" 2>/dev/null | sed 's/^/    | /'
  fi

  # The interactive shell: a command typed into the console once the prompt is there
  # (as on real hardware, bytes that arrive before the UART driver starts are dropped).
  # shell COMMANDS [OPTION...] -> the session's output in $work/log
  shell() {
    local commands=$1
    shift
    : >"$work/log"
    (
      for ((t = 0; t < limit * 10; t++)); do
        grep -q 'tiervm:/# ' "$work/log" && break
        sleep 0.1
      done
      echo "$commands"
    ) | timeout $((limit + 10)) "$tiervm" --headless --kernel "$image" --timeout "$limit" \
      --append "console=ttyS0" "$@" >"$work/log" 2>&1 || true
  }
  shell 'echo shell-says-$((6*7)); poweroff -f'
  if grep -q 'shell-says-42' "$work/log"; then
    result "interactive shell runs piped commands" ok
  else
    result "interactive shell runs piped commands" FAILED
    tail -n 15 "$work/log" | sed 's/^/    | /'
  fi

  # --smp 4: the kernel brings every hart online (OpenSBI starts them through HSM) and a
  # job pinned to each cpu runs there (field 39 of /proc/PID/stat: the cpu it last ran on).
  shell 'echo smp-cpus-$(grep -c ^processor /proc/cpuinfo)-online-$(cat /sys/devices/system/cpu/online)
for c in 0 1 2 3; do taskset -c $c sh -c "i=0; while [ \$i -lt 3000 ]; do i=\$((i+1)); done; echo smp-ran-on-\$(cut -d\" \" -f39 /proc/self/stat)" & done; wait; poweroff -f' --smp 4
  if grep -q 'smp-cpus-4-online-0-3' "$work/log" && grep -q 'smp-ran-on-0' "$work/log" &&
    grep -q 'smp-ran-on-1' "$work/log" && grep -q 'smp-ran-on-2' "$work/log" &&
    grep -q 'smp-ran-on-3' "$work/log"; then
    result "--smp 4: four harts online, work runs on each" ok
  else
    result "--smp 4: four harts online, work runs on each" FAILED
    tail -n 25 "$work/log" | sed 's/^/    | /'
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
