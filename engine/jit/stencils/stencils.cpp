// The stencils of the baseline tier (copy-and-patch: Xu and Kjolstad, OOPSLA 2021; CPython's
// JIT builds its stencils the same way). clang-19 compiles this file at build time into an
// object that is never linked: engine/jit/stencils/stencil_gen.cpp reads each function's
// machine code and relocations into a table, and engine/jit/baseline_compiler.cpp copies the
// code of one function per IR op into executable memory and patches its holes.
//
// Every stencil has the signature of a compiled block (JitFn: hart, state) and ends by
// tail-calling _JIT_CONTINUE, which is the next stencil: the generator drops that jump when
// it is the stencil's last instruction, so a block's stencils run straight through. Guest
// registers and IR temporaries live in HartState::slot, and within a block also in three
// host registers, the cache (rdx, r8, r9: arguments of the C convention):
// the ops' stencils take them as arguments r0, r1, r2 and pass them on to the next one, so
// clang keeps them in place across every stencil but the out-of-line calls (bodies, which
// clobber them) and the exits. The register stencils (reg_ops.inc) read their operands from
// and write their result to the cache; the compiler (baseline_compiler.cpp) decides which
// slot each register holds and writes dirty ones back. The holes are extern symbols whose
// "addresses" the compiler patches in:
//   - slot offsets as displacements from the state pointer (SLOT),
//   - immediates that fit in 32 bits as 32-bit fields the code sign-extends (the _imm32
//     variant of an op's stencil; IMM32), the others through `movabs`,
//   - 64-bit values (pointers, exit offsets) through `movabs` (HOLE64),
//   - small non-negative values (guest instruction index and offset) through a sign-
//     extended 32-bit `mov` (HOLE32).
// The op semantics are engine/ir_eval.h's, inlined with a constant op: one definition.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "engine/hart_state.h"
#include "engine/ir_eval.h"
#include "engine/jit/jit_abi.h"
#include "mem/soft_tlb.h"

using namespace tiervm;

extern "C" {
#define TIERVM_HOLE(name) extern char _JIT_##name[];
#include "engine/jit/stencils/holes.inc"
}

#define TIERVM_STENCIL(name) extern "C" uint32_t tiervm_stencil_##name(Hart* h, HartState* s)
#define SLOT(hole)                                           \
  (*reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(s) + \
                                reinterpret_cast<uintptr_t>(_JIT_##hole)))
#define HOLE64(hole)                                   \
  ({                                                   \
    uint64_t v_;                                       \
    __asm__("movabsq $_JIT_" #hole ", %0" : "=r"(v_)); \
    v_;                                                \
  })
#define HOLE32(hole)                                \
  ({                                                \
    uint64_t v_;                                    \
    __asm__("movq $_JIT_" #hole ", %0" : "=r"(v_)); \
    v_;                                             \
  })
#define CONTINUE [[clang::musttail]] return reinterpret_cast<JitFn>(_JIT_CONTINUE)(h, s)
// A stencil that keeps the cache registers (r0, r1, r2: rdx, r8, r9) and passes them on.
// rcx, the argument between them, is left free (the stencil passes on whatever it holds,
// "defined" by an empty asm): variable shifts need it.
#define TIERVM_CACHED_STENCIL(name)                                                       \
  extern "C" uint32_t tiervm_stencil_##name(Hart* h, HartState* s, uint64_t r0, uint64_t, \
                                            uint64_t r1, uint64_t r2)
#define TIERVM_CONTINUE_WITH(a, b, c)                                                           \
  {                                                                                             \
    uint64_t free_;                                                                             \
    __asm__("" : "=r"(free_));                                                                  \
    [[clang::musttail]] return reinterpret_cast<CachedFn>(_JIT_CONTINUE)(h, s, a, free_, b, c); \
  }
#define CONTINUE_CACHED TIERVM_CONTINUE_WITH(r0, r1, r2)
#define CONTINUE_WITH_SELF                                                                     \
  {                                                                                            \
    uint64_t free_;                                                                            \
    __asm__("" : "=r"(free_));                                                                 \
    [[clang::musttail]] return reinterpret_cast<CachedFn>(_JIT_SELF)(h, s, r0, free_, r1, r2); \
  }
using CachedFn = uint32_t (*)(Hart*, HartState*, uint64_t, uint64_t, uint64_t, uint64_t);

namespace {

// The C++ slow paths (engine/jit/jit_abi.h), and the thunks stencils call them through:
// a thunk preserves every register but its result (preserve_most), so a stencil keeps its
// values in caller-saved registers and saves nothing on its fast path.
using LookupFn = JitFn (*)(Hart*);
using LookupThunk = __attribute__((preserve_most)) JitFn (*)(Hart*);

// The op's guest instruction traps: pc and instret as the interpreter leaves them, set by
// one shared thunk (tiervm_stencil_thunk_trap) the stencil jumps to.
using TrapThunk = uint32_t (*)(Hart*, HartState*, uint32_t);
[[gnu::always_inline]] inline uint32_t trap_exit(Hart* h, HartState* s) {
  return reinterpret_cast<TrapThunk>(_JIT_TRAP_FN)(h, s, static_cast<uint32_t>(HOLE32(WHERE)));
}

template <IrOp cmp>
[[gnu::always_inline]] inline bool compare(HartState* s) {
  return eval_alu_inline(cmp, SLOT(A), SLOT(B), 0, 0) != 0;
}

// The page of an access's last byte. Compared with the L1 entry's tag (QEMU's trick) it
// checks both that the page is mapped and that the access does not leave it: the entry is
// indexed by the page of `va`, so it cannot hold the tag of the next page.
template <typename T>
[[gnu::always_inline]] inline uint64_t last_page(uint64_t va) {
  return (va + sizeof(T) - 1) & ~kPageMask;
}

// The op's immediate: a sign-extended 32-bit field, or a 64-bit one.
template <bool kImm32>
[[gnu::always_inline]] inline uint64_t imm() {
  if constexpr (kImm32) {
    uint64_t v;
    __asm__("movq $_JIT_IMM32, %0" : "=r"(v));  // sign-extends the 32-bit field
    return v;
  } else {
    return HOLE64(IMM);
  }
}

// An access's virtual address, base register plus immediate: one `lea` with a 32-bit
// displacement in the _imm32 stencils.
template <bool kImm32>
[[gnu::always_inline]] inline uint64_t address(HartState* s) {
  if constexpr (kImm32) {
    uint64_t va;
    __asm__("leaq _JIT_IMM32(%1), %0" : "=r"(va) : "r"(SLOT(A)));
    return va;
  } else {
    return SLOT(A) + HOLE64(IMM);
  }
}

// The memory slow path is one call to a thunk copied once per access size
// (tiervm_stencil_thunk_load / _store below, calling tiervm_jit_load_at / _store_at): the
// hart and state in rdi and rsi, the virtual address in rax, the value to store in r10,
// WHERE in r11d. It returns a host addend in r11 that the stencil uses as on a TLB hit (the
// slow path has done the access; the addend points the stencil's own access at a buffer),
// and keeps every other general register (the cache registers too), so the fast path saves
// nothing. When the access traps, the thunk returns from
// the block itself (kJitTrap, pc and instret placed), so these stencils must not have a
// stack frame (the unit tests trap from every width). The call is inline assembly, so clang
// neither aligns the stack for it nor keeps anything in the red zone (-mno-red-zone).
#define TIERVM_THUNK_CLOBBERS                                                                     \
  "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
      "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

// The access's L1 entry, its address in one register: with the cache registers taken, a
// base and an index register as well would leave the TLB probe one register short.
// (va is pinned too: clang would rebuild va + size - 1 from the address's parts.)
[[gnu::always_inline]] inline const TlbEntry& tlb_entry(HartState* s, uint64_t& va) {
  __asm__("" : "+r"(va));
  const auto* e =
      reinterpret_cast<const TlbEntry*>(reinterpret_cast<const char*>(s->data_tlb) +
                                        ((va >> SoftTlb::kL1OffsetShift) & s->data_tlb_offsets));
  __asm__("" : "+r"(e));
  return *e;
}

template <typename T>
[[gnu::always_inline]] inline uint64_t load_at(Hart* h, HartState* s, uint64_t va) {
  const TlbEntry& e = tlb_entry(s, va);
  int64_t addend = e.host_addend;
  __asm__("" : "+r"(addend));  // loaded before the compare: the slow path falls into the hit's code
  if (e.tag_read != last_page<T>(va)) {
    register int64_t slow __asm__("r11");
    __asm__ volatile(
        "movl $_JIT_WHERE, %%r11d\n\t"
        "call _JIT_LOAD_FN"
        : "=r"(slow)
        : "a"(va), "D"(h), "S"(s)
        : TIERVM_THUNK_CLOBBERS);
    addend = slow;
  }
  T t;
  std::memcpy(&t, reinterpret_cast<const void*>(va + static_cast<uint64_t>(addend)), sizeof(T));
  if constexpr (std::is_signed_v<T>) {
    return static_cast<uint64_t>(static_cast<int64_t>(t));
  } else {
    return t;
  }
}

// `value()` reads the value to store: a slot stencil reads it from its slot after the TLB
// compare, when the probe's registers are free again.
template <typename T, typename Value>
[[gnu::always_inline]] inline void store_at(Hart* h, HartState* s, uint64_t va, Value value) {
  const TlbEntry& e = tlb_entry(s, va);
  int64_t addend = e.host_addend;
  __asm__("" : "+r"(addend));
  if (e.tag_write != last_page<T>(va)) {
    register uint64_t v __asm__("r10") = value();
    register int64_t slow __asm__("r11");
    __asm__ volatile(
        "movl $_JIT_WHERE, %%r11d\n\t"
        "call _JIT_STORE_FN"
        : "=r"(slow)
        : "a"(va), "r"(v), "D"(h), "S"(s)
        : TIERVM_THUNK_CLOBBERS);
    addend = slow;
  }
  const T t = static_cast<T>(value());
  std::memcpy(reinterpret_cast<void*>(va + static_cast<uint64_t>(addend)), &t, sizeof(T));
}

template <typename T, bool kImm32>
[[gnu::always_inline]] inline void load_op(Hart* h, HartState* s) {
  SLOT(D) = load_at<T>(h, s, address<kImm32>(s));
}

template <typename T, bool kImm32>
[[gnu::always_inline]] inline void store_op(Hart* h, HartState* s) {
  store_at<T>(h, s, address<kImm32>(s), [s] { return SLOT(B); });
}

// Calls out of line: a Call op, and the FP ops, whose whole body (the host-FPU fast path,
// then the helper) is a function (tiervm_stencil_body_*, C calling convention) the baseline
// compiler copies once per op, rounding mode and helper: HELPER is patched in
// tiervm_stencil_body_call, which an FP body tail-calls when the host FPU cannot give the
// exact result. The stencil passes BODY_ARG in rdx: the slot indices (d | a << 7 | b << 14
// | c << 21) and WHERE (<< 32), and the immediate in rcx. A body returns s and h in rax
// and rdx (so nothing is saved around the call), or a null s when the op trapped (pc and
// instret placed): the stencil then returns kJitTrap from the block right there, which
// needs a stencil without a frame (stencil_gen checks).
#define TIERVM_BODY_CLOBBERS                                                                       \
  "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3",   \
      "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", \
      "xmm15"
#define TIERVM_BODY_CALL   \
  "call _JIT_CALL_FN\n\t"  \
  "test %%rax, %%rax\n\t"  \
  "jnz 1f\n\t"             \
  "mov %[trap], %%eax\n\t" \
  "ret\n"                  \
  "1:\n\t"                 \
  "mov %%rax, %%rsi\n\t"   \
  "mov %%rdx, %%rdi"
template <bool kImm32>
[[gnu::always_inline]] inline void call_body(Hart*& h, HartState*& s) {
  if constexpr (kImm32) {
    __asm__ volatile(
        "movabsq $_JIT_BODY_ARG, %%rdx\n\t"
        "movq $_JIT_IMM32, %%rcx\n\t" TIERVM_BODY_CALL
        : "+D"(h), "+S"(s)
        : [trap] "i"(kJitTrap)
        : TIERVM_BODY_CLOBBERS);
  } else {
    __asm__ volatile(
        "movabsq $_JIT_BODY_ARG, %%rdx\n\t"
        "movabsq $_JIT_IMM, %%rcx\n\t" TIERVM_BODY_CALL
        : "+D"(h), "+S"(s)
        : [trap] "i"(kJitTrap)
        : TIERVM_BODY_CLOBBERS);
  }
}
[[gnu::always_inline]] inline uint64_t& slot_at(HartState* s, uint64_t arg, unsigned field) {
  return s->slot[(arg >> (7 * field)) & (kSlotCount - 1)];
}
struct BodyResult {
  HartState* s;  // nullptr: the op trapped
  Hart* h;
};
using BodyFn = BodyResult (*)(Hart*, HartState*, uint64_t, int64_t);

// A register access's virtual address, base register plus the 32-bit immediate: one `lea`.
[[gnu::always_inline]] inline uint64_t reg_address(uint64_t base) {
  uint64_t va;
  __asm__("leaq _JIT_IMM32(%1), %0" : "=r"(va) : "r"(base));
  return va;
}

// One IR op that does not call out; it cannot trap.
template <IrOp op, bool kImm32>
[[gnu::always_inline]] inline void run_op(HartState* s) {
  if constexpr (op == IrOp::PcRel) {
    SLOT(D) = s->pc + imm<kImm32>();  // s->pc is the block's pc until its exit
  } else if constexpr (op == IrOp::MovImm) {
    SLOT(D) = imm<kImm32>();
  } else {
    SLOT(D) = eval_alu_inline(op, SLOT(A), SLOT(B), SLOT(C), static_cast<int64_t>(imm<kImm32>()));
  }
}

// An out-of-line body clobbers the cache registers: the compiler writes the cache back and
// empties it before one, and the stencil passes on whatever they hold (an empty asm that
// "defines" them: no code, nothing kept across the call).
template <IrOp op, bool kImm32>
[[gnu::always_inline]] inline void op_stencil(Hart*& h, HartState*& s, uint64_t& r0, uint64_t& r1,
                                              uint64_t& r2) {
  if constexpr (op == IrOp::Call || ir_op_info(op).fp_host) {
    call_body<kImm32>(h, s);
    __asm__("" : "=r"(r0), "=r"(r1), "=r"(r2));
  } else {
    run_op<op, kImm32>(s);
  }
}

// The cache registers as an array the register stencils index with constants (clang keeps
// them in their registers).
struct Regs {
  uint64_t v[3];
};

}  // namespace

// The bodies: a Call's helper; an FP op's host-FPU fast path when its result is exact, else
// its helper (the op's definition). A trap places pc and instret (WHERE).
// Entered with the stack 8 bytes off the C ABI's alignment (the stencil calls from its
// entry depth); the FP bodies' fast paths make no aligned stack accesses, this one
// realigns before calling the helper.
extern "C" __attribute__((force_align_arg_pointer)) BodyResult tiervm_stencil_body_call(
    Hart* h, HartState* s, uint64_t arg, int64_t imm) {
  const uint64_t v = reinterpret_cast<IrHelper>(HOLE64(HELPER))(
      *h, slot_at(s, arg, 1), slot_at(s, arg, 2), slot_at(s, arg, 3), imm);
  if (s->trap_pending) [[unlikely]] {
    s->pc += (arg >> 32) & 0xffff;
    s->instret += arg >> 48;
    return {nullptr, h};
  }
  slot_at(s, arg, 0) = v;
  return {s, h};
}
// kRm: the op's rounding-mode field (0: RNE, 1: RTZ, 7: dynamic), which the baseline compiler chose
// this copy by; any other goes straight to the helper (body_call). Only the fast path's
// guard reads it (engine/ir_eval.h, host_rounding_ok); the helper gets the whole immediate.
template <IrOp op, int64_t kRm>
[[gnu::always_inline]] inline BodyResult fp_body(Hart* h, HartState* s, uint64_t arg, int64_t imm) {
  uint64_t v;
  if (eval_fp_host<false>(op, slot_at(s, arg, 1), slot_at(s, arg, 2), slot_at(s, arg, 3), kRm,
                          s->fflags, s->frm, (s->mstatus & mstatus::FS) == mstatus::FS, v))
      [[likely]] {
    if constexpr (ir_fp_writes_freg(op)) {
      // FS = Dirty. Tested first: FP code runs with it set, and a read-modify-write of
      // mstatus per op would chain every FP op through one memory location.
      constexpr uint64_t kDirty = mstatus::FS | mstatus::SD;
      if ((s->mstatus & kDirty) != kDirty) [[unlikely]]
        s->mstatus |= kDirty;
    }
    slot_at(s, arg, 0) = v;
    return {s, h};
  }
  [[clang::musttail]] return reinterpret_cast<BodyFn>(_JIT_CALL_FN)(h, s, arg, imm);
}
#define TIERVM_IR_FP(name, text, operands)                                                    \
  TIERVM_IR_OP(name, text, operands)                                                          \
  extern "C" BodyResult tiervm_stencil_body_##name(Hart* h, HartState* s, uint64_t arg,       \
                                                   int64_t imm) {                             \
    return fp_body<IrOp::name, 0>(h, s, arg, imm);                                            \
  }                                                                                           \
  extern "C" BodyResult tiervm_stencil_body_##name##_dyn(Hart* h, HartState* s, uint64_t arg, \
                                                         int64_t imm) {                       \
    return fp_body<IrOp::name, 7>(h, s, arg, imm);                                            \
  }                                                                                           \
  extern "C" BodyResult tiervm_stencil_body_##name##_rtz(Hart* h, HartState* s, uint64_t arg, \
                                                         int64_t imm) {                       \
    return fp_body<IrOp::name, 1>(h, s, arg, imm);                                            \
  }

// ---- Two stencils per IR op (engine/ir_ops.inc): its immediate in 64 bits, and in 32.
// They keep the cache registers (all but the out-of-line calls, op_stencil).
#define TIERVM_IR_OP(name, text, operands)           \
  TIERVM_CACHED_STENCIL(name) {                      \
    op_stencil<IrOp::name, false>(h, s, r0, r1, r2); \
    CONTINUE_CACHED;                                 \
  }                                                  \
  TIERVM_CACHED_STENCIL(name##_imm32) {              \
    op_stencil<IrOp::name, true>(h, s, r0, r1, r2);  \
    CONTINUE_CACHED;                                 \
  }
#define TIERVM_IR_LOAD(name, text, type) \
  TIERVM_CACHED_STENCIL(name) {          \
    load_op<type, false>(h, s);          \
    CONTINUE_CACHED;                     \
  }                                      \
  TIERVM_CACHED_STENCIL(name##_imm32) {  \
    load_op<type, true>(h, s);           \
    CONTINUE_CACHED;                     \
  }
#define TIERVM_IR_STORE(name, text, type) \
  TIERVM_CACHED_STENCIL(name) {           \
    store_op<type, false>(h, s);          \
    CONTINUE_CACHED;                      \
  }                                       \
  TIERVM_CACHED_STENCIL(name##_imm32) {   \
    store_op<type, true>(h, s);           \
    CONTINUE_CACHED;                      \
  }
#include "engine/ir_ops.inc"

// ---- The cache registers: a slot loaded into one (fill_K) and written back (spill_K).
#define TIERVM_FILL_SPILL(k)           \
  TIERVM_CACHED_STENCIL(fill_##k) {    \
    Regs r{{r0, r1, r2}};              \
    r.v[k] = SLOT(A);                  \
    r0 = r.v[0];                       \
    r1 = r.v[1];                       \
    r2 = r.v[2];                       \
    CONTINUE_CACHED;                   \
  }                                    \
  TIERVM_CACHED_STENCIL(spill_##k) {   \
    SLOT(D) = Regs{{r0, r1, r2}}.v[k]; \
    CONTINUE_CACHED;                   \
  }
TIERVM_FILL_SPILL(0)
TIERVM_FILL_SPILL(1)
TIERVM_FILL_SPILL(2)

// ---- Register stencils (reg_ops.inc): operands and result in the cache registers, the
// immediate in the 32-bit field. The digits name the registers (d, a, b order).
#define TIERVM_REG_STENCIL(name, body)           \
  TIERVM_CACHED_STENCIL(name) {                  \
    Regs r{{r0, r1, r2}};                        \
    body;                                        \
    TIERVM_CONTINUE_WITH(r.v[0], r.v[1], r.v[2]) \
  }
#define TIERVM_R_BIN(op, d, a, b) \
  TIERVM_REG_STENCIL(r##op##_##d##a##b, r.v[d] = eval_alu_inline(IrOp::op, r.v[a], r.v[b], 0, 0))
#define TIERVM_R_BIN3(op, d, a) \
  TIERVM_R_BIN(op, d, a, 0) TIERVM_R_BIN(op, d, a, 1) TIERVM_R_BIN(op, d, a, 2)
#define TIERVM_R_BIN9(op, d) TIERVM_R_BIN3(op, d, 0) TIERVM_R_BIN3(op, d, 1) TIERVM_R_BIN3(op, d, 2)
// ... and with operand b read from its slot (r<Op>_<d><a>s): a value the block reads once
// takes no register.
#define TIERVM_R_BINS(op, d, a) \
  TIERVM_REG_STENCIL(r##op##_##d##a##s, r.v[d] = eval_alu_inline(IrOp::op, r.v[a], SLOT(B), 0, 0))
#define TIERVM_R_BINS3(op, d) \
  TIERVM_R_BINS(op, d, 0) TIERVM_R_BINS(op, d, 1) TIERVM_R_BINS(op, d, 2)
#define TIERVM_REG_BINARY(op) \
  TIERVM_R_BIN9(op, 0)        \
  TIERVM_R_BIN9(op, 1)        \
  TIERVM_R_BIN9(op, 2) TIERVM_R_BINS3(op, 0) TIERVM_R_BINS3(op, 1) TIERVM_R_BINS3(op, 2)
// addi, the commonest op, is one `lea` (reg_address: a + imm, the op's definition); the
// others get the immediate in a register first.
template <IrOp op>
[[gnu::always_inline]] inline uint64_t reg_unary(uint64_t a) {
  if constexpr (op == IrOp::AddImm) {
    return reg_address(a);
  } else {
    return eval_alu_inline(op, a, 0, 0, static_cast<int64_t>(imm<true>()));
  }
}
#define TIERVM_R_UN(op, d, a) \
  TIERVM_REG_STENCIL(r##op##_##d##a, r.v[d] = reg_unary<IrOp::op>(r.v[a]))
#define TIERVM_R_UN3(op, d) TIERVM_R_UN(op, d, 0) TIERVM_R_UN(op, d, 1) TIERVM_R_UN(op, d, 2)
#define TIERVM_REG_UNARY(op) TIERVM_R_UN3(op, 0) TIERVM_R_UN3(op, 1) TIERVM_R_UN3(op, 2)
#define TIERVM_R_DEST(op, d) \
  TIERVM_REG_STENCIL(r##op##_##d, r.v[d] = (IrOp::op == IrOp::PcRel ? s->pc : 0) + imm<true>())
#define TIERVM_REG_DEST(op) TIERVM_R_DEST(op, 0) TIERVM_R_DEST(op, 1) TIERVM_R_DEST(op, 2)
#define TIERVM_R_LOAD(op, type, d, a) \
  TIERVM_REG_STENCIL(r##op##_##d##a, r.v[d] = load_at<type>(h, s, reg_address(r.v[a])))
#define TIERVM_R_LOAD3(op, type, d) \
  TIERVM_R_LOAD(op, type, d, 0) TIERVM_R_LOAD(op, type, d, 1) TIERVM_R_LOAD(op, type, d, 2)
#define TIERVM_REG_LOAD(op, type) \
  TIERVM_R_LOAD3(op, type, 0) TIERVM_R_LOAD3(op, type, 1) TIERVM_R_LOAD3(op, type, 2)
#define TIERVM_R_STORE(op, type, a, b) \
  TIERVM_REG_STENCIL(r##op##_##a##b,   \
                     store_at<type>(h, s, reg_address(r.v[a]), [&r] { return r.v[b]; }))
#define TIERVM_R_STORE3(op, type, a) \
  TIERVM_R_STORE(op, type, a, 0) TIERVM_R_STORE(op, type, a, 1) TIERVM_R_STORE(op, type, a, 2)
#define TIERVM_REG_STORE(op, type) \
  TIERVM_R_STORE3(op, type, 0) TIERVM_R_STORE3(op, type, 1) TIERVM_R_STORE3(op, type, 2)
#include "engine/jit/stencils/reg_ops.inc"

// ---- Block entry: the entry counter tier 2's policy reads.
// The first stencil of a self-loop's body, which its back edge enters with the cache
// registers loaded: it keeps them.
TIERVM_CACHED_STENCIL(count_entry) {
  ++*reinterpret_cast<uint64_t*>(HOLE64(COUNTER));
  CONTINUE_CACHED;
}

// ---- Exits. pc = block pc + offset, instret += guest instructions, then on to the next
// block: through a chain slot (same page) when neither the instruction limit nor an exit
// request stops us, through the dispatcher's jump cache (tiervm_jit_lookup) otherwise.
#define TIERVM_EDGE_CHAIN(offset, slot)                                                   \
  {                                                                                       \
    s->pc += HOLE32(offset);                                                              \
    if (s->may_chain()) {                                                                 \
      const JitFn f =                                                                     \
          reinterpret_cast<ChainSlot*>(HOLE64(slot))->fn.load(std::memory_order_relaxed); \
      if (f != nullptr) [[clang::musttail]]                                               \
        return f(h, s);                                                                   \
    }                                                                                     \
    return kJitContinue;                                                                  \
  }
// The exit cache's entry for s->pc, probed in line: its code when it holds and the chain may
// go on, else the dispatcher's lookup (which fills the entry), as one function pointer.
[[gnu::always_inline]] inline JitFn lookup_next(Hart* h, HartState* s) {
  const uint64_t pc = s->pc;
  const auto* cache = reinterpret_cast<const ExitCache*>(HOLE64(EXIT_CACHE));
  const ExitCacheEntry& e = cache->entries[ExitCache::index(pc)];
  if (e.pc == pc && e.tag == cache->tag && s->may_chain()) [[likely]]
    return e.fn;
  return reinterpret_cast<LookupThunk>(_JIT_LOOKUP_FN)(h);
}
#define TIERVM_EDGE_LOOKUP(offset)        \
  {                                       \
    s->pc += HOLE32(offset);              \
    const JitFn f = lookup_next(h, s);    \
    if (f != nullptr) [[clang::musttail]] \
      return f(h, s);                     \
    return kJitContinue;                  \
  }

TIERVM_STENCIL(exit_jump_chain) {
  s->instret += HOLE32(COUNT);
  TIERVM_EDGE_CHAIN(TAKEN, TAKEN_SLOT)
}
TIERVM_STENCIL(exit_jump_lookup) {
  s->instret += HOLE32(COUNT);
  TIERVM_EDGE_LOOKUP(TAKEN)
}
// Branch exits, by how the taken and the fallthrough edge leave: c = chain slot, l = lookup.
// The instruction-limit and exit-request check and the slot load are shared by both edges.
#define TIERVM_BRANCH_EXIT(name, taken_chains, fall_chains, cond)                      \
  TIERVM_STENCIL(name) {                                                               \
    s->instret += HOLE32(COUNT);                                                       \
    const bool taken = (cond);                                                         \
    s->pc += taken ? HOLE32(TAKEN) : HOLE32(FALL);                                     \
    JitFn f;                                                                           \
    if (taken ? (taken_chains) : (fall_chains)) {                                      \
      if (!s->may_chain()) return kJitContinue;                                        \
      f = reinterpret_cast<ChainSlot*>(taken ? HOLE64(TAKEN_SLOT) : HOLE64(FALL_SLOT)) \
              ->fn.load(std::memory_order_relaxed);                                    \
    } else {                                                                           \
      f = lookup_next(h, s);                                                           \
    }                                                                                  \
    if (f != nullptr) [[clang::musttail]]                                              \
      return f(h, s);                                                                  \
    return kJitContinue;                                                               \
  }
#define TIERVM_BRANCH_EXITS(prefix, cond)            \
  TIERVM_BRANCH_EXIT(prefix##_cc, true, true, cond)  \
  TIERVM_BRANCH_EXIT(prefix##_cl, true, false, cond) \
  TIERVM_BRANCH_EXIT(prefix##_lc, false, true, cond) \
  TIERVM_BRANCH_EXIT(prefix##_ll, false, false, cond)
TIERVM_BRANCH_EXITS(exit_branch, SLOT(A) != 0)

// Branches on a compare the block computes last (beq, blt...): the compare is fused into
// the exit instead of going through a temporary slot.
#define TIERVM_FUSED_BRANCHES(cmp) TIERVM_BRANCH_EXITS(exit_##cmp, compare<IrOp::cmp>(s))
TIERVM_FUSED_BRANCHES(Eq)
TIERVM_FUSED_BRANCHES(Ne)
TIERVM_FUSED_BRANCHES(Lt)
TIERVM_FUSED_BRANCHES(Ge)
TIERVM_FUSED_BRANCHES(Ltu)
TIERVM_FUSED_BRANCHES(Geu)

// Self-loops (a taken edge back to the block's own start, pc unchanged): the back edge
// jumps straight to the loop's head (SELF), with no pc update and no indirect jump, and
// with the cache registers kept: the compiler may have the loop's body expect values in
// them (the head is then behind the fills that load them on entry). A loop that rewrites
// its own code leaves for the dispatcher instead of running the stale copy again: dropping
// a block requests an exit (CodeCache::retire), which HartState::may_chain sees. Its other edges
// pass nothing on.
#define TIERVM_TAIL_CALL_EMPTY(f)                                                          \
  {                                                                                        \
    uint64_t j0_, j1_, j2_, j3_;                                                           \
    __asm__("" : "=r"(j0_), "=r"(j1_), "=r"(j2_), "=r"(j3_));                              \
    [[clang::musttail]] return reinterpret_cast<CachedFn>(reinterpret_cast<uintptr_t>(f))( \
        h, s, j0_, j1_, j2_, j3_);                                                         \
  }
#define TIERVM_SELF_EDGE_CHAIN(offset, slot)                                              \
  {                                                                                       \
    s->pc += HOLE32(offset);                                                              \
    if (s->may_chain()) {                                                                 \
      const JitFn f =                                                                     \
          reinterpret_cast<ChainSlot*>(HOLE64(slot))->fn.load(std::memory_order_relaxed); \
      if (f != nullptr) TIERVM_TAIL_CALL_EMPTY(f)                                         \
    }                                                                                     \
    return kJitContinue;                                                                  \
  }
#define TIERVM_SELF_EDGE_LOOKUP(offset)         \
  {                                             \
    s->pc += HOLE32(offset);                    \
    const JitFn f = lookup_next(h, s);          \
    if (f != nullptr) TIERVM_TAIL_CALL_EMPTY(f) \
    return kJitContinue;                        \
  }
#define TIERVM_SELF_EXIT(name, fall_chains, cond)                                               \
  TIERVM_CACHED_STENCIL(name) {                                                                 \
    s->instret += HOLE32(COUNT);                                                                \
    if (cond) {                                                                                 \
      if (!s->may_chain()) return kJitContinue;                                                 \
      CONTINUE_WITH_SELF                                                                        \
    }                                                                                           \
    if (fall_chains) TIERVM_SELF_EDGE_CHAIN(FALL, FALL_SLOT) else TIERVM_SELF_EDGE_LOOKUP(FALL) \
  }
#define TIERVM_SELF_EXITS(prefix, cond)     \
  TIERVM_SELF_EXIT(prefix##_sc, true, cond) \
  TIERVM_SELF_EXIT(prefix##_sl, false, cond)
TIERVM_SELF_EXITS(exit_branch, SLOT(A) != 0)
#define TIERVM_FUSED_SELF(cmp) TIERVM_SELF_EXITS(exit_##cmp, compare<IrOp::cmp>(s))
TIERVM_FUSED_SELF(Eq)
TIERVM_FUSED_SELF(Ne)
TIERVM_FUSED_SELF(Lt)
TIERVM_FUSED_SELF(Ge)
TIERVM_FUSED_SELF(Ltu)
TIERVM_FUSED_SELF(Geu)
TIERVM_CACHED_STENCIL(exit_jump_self) {
  s->instret += HOLE32(COUNT);
  if (!s->may_chain()) return kJitContinue;
  CONTINUE_WITH_SELF;
}

TIERVM_STENCIL(exit_indirect) {
  s->instret += HOLE32(COUNT);
  s->pc = SLOT(A);
  const JitFn f = lookup_next(h, s);
  if (f != nullptr) [[clang::musttail]]
    return f(h, s);
  return kJitContinue;
}
// Back to the dispatcher, which re-checks interrupts and modes (after CSR writes, fences).
TIERVM_STENCIL(exit_return) {
  (void)h;
  s->instret += HOLE32(COUNT);
  s->pc += HOLE32(FALL);
  return kJitContinue;
}
// The block ends in a trap at guest instruction INDEX (illegal instruction, fetch fault).
TIERVM_STENCIL(exit_trap) {
  s->pending_trap.cause = HOLE64(CAUSE);
  s->pending_trap.tval = HOLE64(TVAL);
  s->trap_pending = true;
  return trap_exit(h, s);
}
// ... whose tval is an offset from the block's pc (a fetch fault).
TIERVM_STENCIL(exit_trap_pc_tval) {
  s->pending_trap.cause = HOLE64(CAUSE);
  s->pending_trap.tval = s->pc + HOLE64(TVAL);
  s->trap_pending = true;
  return trap_exit(h, s);
}

// ---- Thunks: copied once per code arena (the memory ones once per access size); TARGET is
// the C++ function each one calls.

// The memory slow paths (load_at, store_at): hart and state in rdi and rsi, va in rax, the
// value to store in r10, WHERE in r11d; the host addend back in r11; every other general
// register kept (the cache registers among them). The stack is realigned for the C++ call. A trap
// returns kJitTrap from the block: the stencil that called has no frame, so the block's return
// address is right above the thunk's.
#define TIERVM_THUNK_SAVE \
  "push %%rax\n\t"        \
  "push %%rcx\n\t"        \
  "push %%rdx\n\t"        \
  "push %%rsi\n\t"        \
  "push %%rdi\n\t"        \
  "push %%r8\n\t"         \
  "push %%r9\n\t"         \
  "push %%r10\n\t"        \
  "push %%rbp\n\t"        \
  "mov %%rsp, %%rbp\n\t"  \
  "and $-16, %%rsp\n\t"
#define TIERVM_THUNK_RESTORE_AND_RETURN            \
  "mov %%rax, %%r11\n\t"                           \
  "mov %%rbp, %%rsp\n\t"                           \
  "pop %%rbp\n\t"                                  \
  "pop %%r10\n\t"                                  \
  "pop %%r9\n\t"                                   \
  "pop %%r8\n\t"                                   \
  "pop %%rdi\n\t"                                  \
  "pop %%rsi\n\t"                                  \
  "pop %%rdx\n\t"                                  \
  "pop %%rcx\n\t"                                  \
  "pop %%rax\n\t"                                  \
  "cmpb $0, %c[trap_pending](%%rsi)\n\t"           \
  "jne 1f\n\t"                                     \
  "ret\n"                                          \
  "1:\n\t"                                         \
  "lea 8(%%rsp), %%rsp\n\t" /* out of the block */ \
  "mov %[trap], %%eax\n\t"                         \
  "ret"
extern "C" __attribute__((naked)) void tiervm_stencil_thunk_load() {
  // tiervm_jit_load_at(hart, va, SIZE, where)
  __asm__(TIERVM_THUNK_SAVE
          "mov %%r11d, %%ecx\n\t"
          "mov %%rax, %%rsi\n\t"
          "movl $_JIT_SIZE, %%edx\n\t"
          "movabsq $_JIT_TARGET, %%rax\n\t"
          "call *%%rax\n\t" TIERVM_THUNK_RESTORE_AND_RETURN
          :
          : [trap_pending] "i"(offsetof(HartState, trap_pending)), [trap] "i"(kJitTrap));
}
extern "C" __attribute__((naked)) void tiervm_stencil_thunk_store() {
  // tiervm_jit_store_at(hart, va, value, SIZE, where)
  __asm__(TIERVM_THUNK_SAVE
          "mov %%r11d, %%r8d\n\t"
          "mov %%rax, %%rsi\n\t"
          "mov %%r10, %%rdx\n\t"
          "movl $_JIT_SIZE, %%ecx\n\t"
          "movabsq $_JIT_TARGET, %%rax\n\t"
          "call *%%rax\n\t" TIERVM_THUNK_RESTORE_AND_RETURN
          :
          : [trap_pending] "i"(offsetof(HartState, trap_pending)), [trap] "i"(kJitTrap));
}
extern "C" __attribute__((preserve_most)) JitFn tiervm_stencil_thunk_lookup(Hart* h) {
  return reinterpret_cast<LookupFn>(HOLE64(TARGET))(h);
}
// A trap at guest instruction `where` (GUEST_OFF | INDEX << 16): pc and instret as the
// interpreter leaves them; the stencils tail-call it.
extern "C" uint32_t tiervm_stencil_thunk_trap(Hart* h, HartState* s, uint32_t where) {
  (void)h;
  s->pc += where & 0xffff;
  s->instret += where >> 16;
  return kJitTrap;
}
