// A small stack-machine interpreter (switch dispatch) running a Collatz step counter:
// the indirect-branch-heavy loop of every bytecode VM. The bytecode program is built by
// a tiny assembler with label fix-ups.
#include "bench.h"

const char bench_name[] = "bytecode";

enum Op {
  kHalt,   // stop; result = top of stack
  kPush,   // push arg
  kLoad,   // push local[arg]
  kStore,  // local[arg] = pop
  kAdd,
  kMul,
  kAnd,
  kShr,  // a >> b (logical)
  kLt,   // a < b (signed)
  kEq,
  kJz,   // pop; jump to arg when zero
  kJnz,  // pop; jump to arg when non-zero
  kJmp,
};

typedef struct {
  int32_t op;
  int32_t arg;
} Insn;

enum { kMaxCode = 64, kStackDepth = 16, kLocals = 8 };

typedef struct {
  Insn code[kMaxCode];
  int size;
} Program;

static int emit(Program* p, int op, int arg) {
  p->code[p->size].op = op;
  p->code[p->size].arg = arg;
  return p->size++;
}

static void patch(Program* p, int at) {
  p->code[at].arg = p->size;
}

// Locals: 0 = i, 1 = n, 2 = steps, 3 = total, 4 = limit (set by the caller).
//   for (i = 1; !(limit < i); ++i) {
//     n = i; steps = 0;
//     while (n != 1) { n = (n & 1) ? 3 * n + 1 : n >> 1; ++steps; }
//     total += steps;
//   }
static void build_collatz(Program* p) {
  p->size = 0;
  emit(p, kPush, 1);
  emit(p, kStore, 0);
  const int outer = p->size;
  emit(p, kLoad, 4);
  emit(p, kLoad, 0);
  emit(p, kLt, 0);
  const int to_end = emit(p, kJnz, -1);
  emit(p, kLoad, 0);
  emit(p, kStore, 1);
  emit(p, kPush, 0);
  emit(p, kStore, 2);
  const int inner = p->size;
  emit(p, kLoad, 1);
  emit(p, kPush, 1);
  emit(p, kEq, 0);
  const int to_done = emit(p, kJnz, -1);
  emit(p, kLoad, 1);
  emit(p, kPush, 1);
  emit(p, kAnd, 0);
  const int to_even = emit(p, kJz, -1);
  emit(p, kLoad, 1);
  emit(p, kPush, 3);
  emit(p, kMul, 0);
  emit(p, kPush, 1);
  emit(p, kAdd, 0);
  emit(p, kStore, 1);
  const int to_step = emit(p, kJmp, -1);
  patch(p, to_even);
  emit(p, kLoad, 1);
  emit(p, kPush, 1);
  emit(p, kShr, 0);
  emit(p, kStore, 1);
  patch(p, to_step);
  emit(p, kLoad, 2);
  emit(p, kPush, 1);
  emit(p, kAdd, 0);
  emit(p, kStore, 2);
  emit(p, kJmp, inner);
  patch(p, to_done);
  emit(p, kLoad, 3);
  emit(p, kLoad, 2);
  emit(p, kAdd, 0);
  emit(p, kStore, 3);
  emit(p, kLoad, 0);
  emit(p, kPush, 1);
  emit(p, kAdd, 0);
  emit(p, kStore, 0);
  emit(p, kJmp, outer);
  patch(p, to_end);
  emit(p, kLoad, 3);
  emit(p, kHalt, 0);
}

// Runs `p` with local 4 = limit; returns the result and counts executed instructions.
static int64_t vm_run(const Program* p, int64_t limit, uint64_t* executed) {
  int64_t stack[kStackDepth];
  int64_t local[kLocals] = {0, 0, 0, 0, limit, 0, 0, 0};
  int sp = 0;
  int pc = 0;
  uint64_t count = 0;
  for (;;) {
    const Insn in = p->code[pc++];
    ++count;
    switch (in.op) {
      case kHalt:
        *executed = count;
        return stack[sp - 1];
      case kPush:
        stack[sp++] = in.arg;
        break;
      case kLoad:
        stack[sp++] = local[in.arg];
        break;
      case kStore:
        local[in.arg] = stack[--sp];
        break;
      case kAdd:
        --sp;
        stack[sp - 1] += stack[sp];
        break;
      case kMul:
        --sp;
        stack[sp - 1] *= stack[sp];
        break;
      case kAnd:
        --sp;
        stack[sp - 1] &= stack[sp];
        break;
      case kShr:
        --sp;
        stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63));
        break;
      case kLt:
        --sp;
        stack[sp - 1] = stack[sp - 1] < stack[sp];
        break;
      case kEq:
        --sp;
        stack[sp - 1] = stack[sp - 1] == stack[sp];
        break;
      case kJz:
        if (stack[--sp] == 0) pc = in.arg;
        break;
      case kJnz:
        if (stack[--sp] != 0) pc = in.arg;
        break;
      case kJmp:
        pc = in.arg;
        break;
      default:
        *executed = count;
        return -1;
    }
  }
}

static int64_t collatz_native(int64_t limit) {
  int64_t total = 0;
  for (int64_t i = 1; i <= limit; ++i) {
    uint64_t n = (uint64_t)i;
    while (n != 1) {
      n = (n & 1) ? 3 * n + 1 : n >> 1;
      ++total;
    }
  }
  return total;
}

static Program program;

int bench_selftest(void) {
  build_collatz(&program);
  uint64_t executed = 0;
  // Steps to reach 1 for 1..10: 0 1 7 2 5 8 16 3 19 6 (OEIS A006577), total 67.
  if (vm_run(&program, 10, &executed) != 67) return 1;
  if (collatz_native(10) != 67) return 2;
  if (vm_run(&program, 1000, &executed) != collatz_native(1000)) return 3;
  return 0;
}

uint64_t bench_run(void) {
  build_collatz(&program);
  uint64_t executed = 0;
  const int64_t total = vm_run(&program, 3000 * BENCH_SCALE, &executed);
  return bench_fold(bench_fold(0, (uint64_t)total), executed);
}
