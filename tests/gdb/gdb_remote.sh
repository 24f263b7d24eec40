#!/bin/bash
# gdb-multiarch in batch mode against tiervm's GDB stub (--gdb, -S), as a user would run
# it: a bare-metal rom (break, step, registers, memory, watchpoint, continue to exit) or
# the Linux guest (break at start_kernel, step, memory through the page tables).
# Expected values come from the ISA (auipc), from the ELF files (objdump, gdb reading
# the file) and from the rom's documented exit codes, never from tiervm.
#   gdb_remote.sh rom   TIERVM ROM.elf [tiervm options...]
#   gdb_remote.sh linux TIERVM Image   [tiervm options...]
#   gdb_remote.sh smp   TIERVM smp.elf [tiervm options...]   (give --smp 4)
set -u
# gdb-multiarch has crashed here (a 56 MB core once got committed): no core files.
ulimit -c 0
mode=$1 tiervm=$2 image=$3
shift 3
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A free port: bind to 0 and let the kernel choose.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start_tiervm() {  # options...
  "$tiervm" --headless -S --gdb "tcp::$port" --timeout 120 "$@" >"$work/console" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    # Not a probe connection: the stub would take it for gdb.
    ss -Hltn "sport = :$port" | grep -q LISTEN && return 0
    sleep 0.1
  done
  fail "tiervm does not listen on $port"
  cat "$work/console"
  exit 1
}

run_gdb() {  # file script
  timeout 120 gdb-multiarch -nx -batch -ex "set pagination off" -ex "set confirm off" \
    -ex "target remote 127.0.0.1:$port" -x "$2" "$1" >"$work/gdb.out" 2>&1
  echo "---- gdb ----"
  cat "$work/gdb.out"
}

expect() {  # regex what
  grep -Eq -- "$1" "$work/gdb.out" || fail "$2 (no match for /$1/)"
}

if [ "$mode" = rom ]; then
  elf=$image
  sym() { riscv64-linux-gnu-nm "$elf" | awk -v s="$1" '$3 == s { print $1 }'; }
  run=$(sym bench_run)
  # The first instruction of bench_run is auipc a6: a6 = pc + (imm << 12).
  first=$(riscv64-linux-gnu-objdump -d "$elf" --start-address=0x$run --stop-address=$((0x$run + 4)) |
    grep -E "^ +${run#00000000}:")
  [[ $first =~ auipc[[:space:]]+a6,0x([0-9a-f]+) ]] || { fail "bench_run does not start with auipc a6: $first"; exit 1; }
  auipc=$(printf '0x%x' $((0x$run + (0x${BASH_REMATCH[1]} << 12))))
  len=$([[ $(echo "$first" | awk '{print $2}') =~ ^[0-9a-f]{8}$ ]] && echo 4 || echo 2)
  next=$(printf '0x%x' $((0x$run + len)))
  # What the ELF holds at _start, read by gdb from the file (no target).
  word=$(gdb-multiarch -nx -batch -ex 'x/wx _start' "$elf" | awk '{print $NF}')
  buffer=$(sym buffer)

  cat >"$work/a.gdb" <<GDB
break bench_run
continue
printf "AT-BREAK pc=%#lx\n", \$pc
stepi
printf "AFTER-STEP pc=%#lx a6=%#lx\n", \$pc, \$a6
set \$t6 = 0x1122334455667788
printf "T6=%#lx\n", \$t6
set \$v3.l[1] = 0x0102030405060708
printf "V3=%#lx %#x VSIZE=%d VLENB=%d\n", \$v3.l[1], \$v3.b[9], sizeof(\$v3), \$vlenb
printf "PRIV=%d MISA-MXL=%d\n", \$priv, (unsigned long)\$misa >> 62
x/wx _start
set {char}&bench_name = 'X'
printf "NAME=%s\n", bench_name
watch *(char*)0x$buffer
continue
printf "WATCH pc=%#lx value=%d\n", \$pc, *(unsigned char*)0x$buffer
delete
continue
GDB
  start_tiervm "$elf" "$@"
  run_gdb "$elf" "$work/a.gdb"
  wait $pid
  rc=$?
  echo "---- console ----"
  cat "$work/console"
  expect "Breakpoint 1, .*bench_run" "break at bench_run"
  expect "AT-BREAK pc=0x0*${run#00000000}\b" "pc at the breakpoint"
  expect "AFTER-STEP pc=$next a6=$auipc\b" "stepi runs exactly the auipc"
  expect "T6=0x1122334455667788" "register write and read"
  # The default VLEN is 128 (docs/vector.md): 16-byte vector registers, written through
  # gdb's vector feature (the union's doubleword view) and read back byte-wise.
  expect "V3=0x102030405060708 0x7 VSIZE=16 VLENB=16" "vector register write and read"
  expect "PRIV=3 MISA-MXL=2" "priv (M) and misa.MXL (64-bit) from the csr/virtual features"
  expect "<_start>:[[:space:]]+$word\b" "memory read equals the ELF"
  expect "NAME=Xrc32" "memory write"
  expect "Hardware watchpoint 2" "watchpoint set"
  expect "Old value = 0 " "watchpoint old value"
  expect "New value = " "watchpoint hit"
  grep -Eq "WATCH pc=0x[0-9a-f]+ value=[1-9]" "$work/gdb.out" || fail "stopped after the store"
  expect "exited normally" "continue to exit"
  grep -q "bench Xrc32: PASS" "$work/console" || fail "the guest saw the memory write"
  [ "$rc" = 0 ] || fail "tiervm exit code $rc"

  # A register write the guest acts on: bench_selftest returns 2 -> the rom exits 2
  # ("FAIL self-test 2", roms/bench/rom_main.c).
  cat >"$work/b.gdb" <<GDB
break bench_selftest
continue
finish
set \$a0 = 2
continue
GDB
  start_tiervm "$elf" "$@"
  run_gdb "$elf" "$work/b.gdb"
  wait $pid
  rc=$?
  expect "exited with code 02" "gdb sees the exit code"
  grep -q "FAIL self-test 2" "$work/console" || fail "the guest saw a0 = 2"
  [ "$rc" = 2 ] || fail "tiervm exit code $rc, expected 2"
elif [ "$mode" = smp ]; then
  # The multi-hart litmus rom (roms/isa/smp.c) with --smp 4: harts are threads 1-4.
  # `secondary` runs on harts 1-3 only; mhartid names the hart a thread is.
  elf=$image
  cat >"$work/s.gdb" <<GDB
info threads
break secondary
continue
printf "STOP-HART=%d\n", \$mhartid
thread 1
printf "T1-HART=%d\n", \$mhartid
thread 4
printf "T4-HART=%d PC=%#lx\n", \$mhartid, \$pc
stepi
printf "T4-STEP-HART=%d PC=%#lx\n", \$mhartid, \$pc
thread 1
printf "T1-AGAIN-HART=%d\n", \$mhartid
delete
continue
GDB
  start_tiervm "$elf" "$@"
  run_gdb "$elf" "$work/s.gdb"
  wait $pid
  rc=$?
  echo "---- console ----"
  cat "$work/console"
  for h in 0 1 2 3; do
    expect "Thread $((h + 1)) \(hart $h\)" "info threads lists hart $h"
  done
  expect "Thread [234] hit Breakpoint 1, .*secondary" "a secondary hart stops at secondary"
  expect "STOP-HART=[123]\b" "the stopped thread is a secondary hart"
  expect "T1-HART=0\b" "thread 1 is hart 0"
  expect "T4-HART=3\b" "thread 4 is hart 3"
  t4pc=$(grep -Eo "T4-HART=3 PC=0x[0-9a-f]+" "$work/gdb.out" | sed 's/.*PC=//')
  step=$(grep -Eo "T4-STEP-HART=[0-9]+ PC=0x[0-9a-f]+" "$work/gdb.out")
  [[ $step =~ ^T4-STEP-HART=3\ PC=(0x[0-9a-f]+)$ ]] || fail "stepi stays on thread 4 ($step)"
  [ -n "$t4pc" ] && [ "${BASH_REMATCH[1]:-}" != "$t4pc" ] || fail "stepi on thread 4 moves its pc"
  expect "T1-AGAIN-HART=0\b" "thread 1 is hart 0 after the step"
  expect "exited normally" "continue to exit"
  grep -q "smp: all checks passed" "$work/console" || fail "the rom passed"
  [ "$rc" = 0 ] || fail "tiervm exit code $rc"
else
  dir=$(dirname "$image")
  vmlinux=$dir/vmlinux
  ks() { awk -v s="$1" '$3 == s { print $1 }' "$dir/System.map"; }
  sk=$(ks start_kernel)
  first=$(riscv64-linux-gnu-objdump -d "$vmlinux" --start-address=0x$sk --stop-address=$((0x$sk + 4)) |
    grep -E "^ *${sk#ffffffff}:|^ *$sk:" | head -1)
  len=$([[ $(echo "$first" | awk '{print $2}') =~ ^[0-9a-f]{8}$ ]] && echo 4 || echo 2)
  next=$(printf '0x%x' $((0x$sk + len)))
  cat >"$work/l.gdb" <<GDB
break start_kernel
continue
printf "AT-BREAK pc=%#lx priv=%d satp-mode=%d\n", \$pc, \$priv, (unsigned long)\$satp >> 60
stepi
printf "AFTER-STEP pc=%#lx\n", \$pc
x/s (char*)&linux_banner
delete
shell (sleep 2; kill -INT \$PPID) &
continue
printf "INTERRUPTED pc=%#lx\n", \$pc
kill
GDB
  start_tiervm --kernel "$image" --append "console=ttyS0" "$@"
  run_gdb "$vmlinux" "$work/l.gdb"
  wait $pid
  expect "Breakpoint 1, .*start_kernel" "break at start_kernel"
  # S-mode (1), Sv39 (8) or Sv48 (9): the kernel runs on its own page tables.
  expect "AT-BREAK pc=0x$sk priv=1 satp-mode=(8|9)" "pc, priv and satp at start_kernel"
  expect "AFTER-STEP pc=$next\b" "stepi runs one instruction"
  expect "<linux_banner>:[[:space:]]+\"Linux version 6\.1" "memory read through the MMU"
  expect "received signal SIGINT" "Ctrl-C stops the running guest"
  expect "INTERRUPTED pc=0x" "registers after Ctrl-C"
  expect "killed" "kill"
fi

[ "$failures" = 0 ] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
