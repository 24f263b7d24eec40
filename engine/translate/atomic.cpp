// The "A" extension (unprivileged spec chapter 8): LR/SC and AMOs. Each instruction is one
// IR Call to a helper that translates the address once (for a store: AMOs and SC write),
// then reads and writes physical memory. The aq/rl bits are don't-care: a helper runs to
// completion before the hart executes anything else, which is at least as strong as any
// ordering they ask for. With harts on host threads (Bus::threaded) RAM atomics are host
// atomics (lock cmpxchg: a full barrier on x86) and LR/SC use the bus's reservation slots,
// which any other hart's store to the granule clears (docs/smp.md).

#include <cstdint>
#include <span>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"

namespace tiervm {

namespace {

enum class AmoOp { Swap, Add, Xor, And, Or, Min, Max, MinU, MaxU };

// The value a Size-byte load returns in a register: .w results are sign-extended (spec 8.4).
template <unsigned Size>
uint64_t to_reg(uint64_t v) {
  if constexpr (Size == 4) {
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
  } else {
    return v;
  }
}

// translate_atomic has vetted the address, so a failing physical access is a bus error:
// reported as an access fault of the instruction's type unless the hart already raised one.
void raise_access_fault(Hart& hart, uint64_t vaddr, bool is_load_reserved) {
  if (hart.s.trap_pending) return;
  hart.s.raise(make_trap(is_load_reserved ? Cause::LoadAccess : Cause::StoreAccess, vaddr));
}

// The bus's reservation slot of this hart.
unsigned hart_slot(const Hart& hart) {
  return static_cast<unsigned>(hart.s.mhartid % Bus::kReservationSlots);
}

template <unsigned Size, AmoOp Op>
uint64_t amo_combine(uint64_t mem, uint64_t src) {
  // Sign-extending both operands makes the 64-bit compares correct for .w as well; the
  // unsigned compares of sign-extended 32-bit values order them like their low halves.
  const uint64_t a = to_reg<Size>(mem), b = to_reg<Size>(src);
  switch (Op) {
    case AmoOp::Swap:
      return b;
    case AmoOp::Add:
      return a + b;
    case AmoOp::Xor:
      return a ^ b;
    case AmoOp::And:
      return a & b;
    case AmoOp::Or:
      return a | b;
    case AmoOp::Min:
      return static_cast<int64_t>(a) < static_cast<int64_t>(b) ? a : b;
    case AmoOp::Max:
      return static_cast<int64_t>(a) > static_cast<int64_t>(b) ? a : b;
    case AmoOp::MinU:
      return a < b ? a : b;
    case AmoOp::MaxU:
      return a > b ? a : b;
  }
  return 0;
}

// rd = mem[a]; mem[a] = op(mem[a], b). A misaligned address raises a store/AMO
// misaligned exception and page faults are store/AMO faults (translate_atomic, as QEMU).
template <unsigned Size, AmoOp Op>
uint64_t amo_helper(Hart& hart, uint64_t addr, uint64_t src, uint64_t, int64_t) {
  uint64_t paddr = 0, old = 0;
  if (!hart.translate_atomic(addr, Size, false, paddr)) return 0;
  if (hart.bus.threaded() && hart.bus.in_ram(paddr, Size)) {
    return to_reg<Size>(hart.bus.amo(paddr, Size, src, amo_combine<Size, Op>));
  }
  if (!hart.phys_read(paddr, Size, old) ||
      !hart.phys_write(paddr, Size, amo_combine<Size, Op>(old, src))) {
    raise_access_fault(hart, addr, false);
    return 0;
  }
  return to_reg<Size>(old);
}

// lr: loads and registers a reservation on the physical address (spec 8.2). LR faults are
// load faults (translate_atomic with is_load_reserved).
template <unsigned Size>
uint64_t lr_helper(Hart& hart, uint64_t addr, uint64_t, uint64_t, int64_t) {
  uint64_t paddr = 0, value = 0;
  if (!hart.translate_atomic(addr, Size, true, paddr)) return 0;
  if (hart.bus.threaded() && hart.bus.in_ram(paddr, Size)) {
    return to_reg<Size>(hart.bus.load_reserved(hart_slot(hart), paddr, Size));
  }
  if (!hart.phys_read(paddr, Size, value)) {
    raise_access_fault(hart, addr, true);
    return 0;
  }
  hart.s.reservation = paddr;
  hart.s.reservation_valid = true;
  return to_reg<Size>(value);
}

// sc: writes and returns 0 iff the hart holds a reservation on this address, else
// returns 1 without writing. Any SC clears the reservation (spec 8.2). As in QEMU, an SC
// without any reservation fails without touching memory, so it cannot fault; with a
// reservation the address is checked (alignment, translation) before the comparison, and
// a faulting SC keeps the reservation (the instruction did not execute).
template <unsigned Size>
uint64_t sc_helper(Hart& hart, uint64_t addr, uint64_t src, uint64_t, int64_t) {
  HartState& s = hart.s;
  if (hart.bus.threaded()) {
    if (!hart.bus.has_reservation(hart_slot(hart))) return 1;
    uint64_t paddr = 0;
    if (!hart.translate_atomic(addr, Size, false, paddr)) return 0;
    // LR only reserves RAM, so an SC elsewhere finds no reservation.
    if (!hart.bus.in_ram(paddr, Size)) return 1;
    return hart.bus.store_conditional(hart_slot(hart), paddr, Size, src) ? 0 : 1;
  }
  if (!s.reservation_valid) return 1;
  uint64_t paddr = 0;
  if (!hart.translate_atomic(addr, Size, false, paddr)) return 0;
  const bool match = s.reservation == paddr;
  s.reservation_valid = false;
  if (!match) return 1;
  if (!hart.phys_write(paddr, Size, src)) {
    // The SC traps: it did not happen, so the reservation stays.
    s.reservation_valid = true;
    raise_access_fault(hart, addr, false);
  }
  return 0;
}

template <IrHelper H>
void emit_atomic(IrBuilder& b, const DecodedInsn& d) {
  b.call(H, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2));
}

// Patterns: funct5 | aq rl (don't care) | rs2 | rs1 | funct3 (010 .w, 011 .d) | rd | AMO.
const InsnDef kAtomicInsns[] = {
    {Ext::A, "00010--00000-----010-----0101111", "lr.w", "rd,(rs1)", emit_atomic<lr_helper<4>>},
    {Ext::A, "00011------------010-----0101111", "sc.w", "rd,rs2,(rs1)", emit_atomic<sc_helper<4>>},
    {Ext::A, "00001------------010-----0101111", "amoswap.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Swap>>},
    {Ext::A, "00000------------010-----0101111", "amoadd.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Add>>},
    {Ext::A, "00100------------010-----0101111", "amoxor.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Xor>>},
    {Ext::A, "01100------------010-----0101111", "amoand.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::And>>},
    {Ext::A, "01000------------010-----0101111", "amoor.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Or>>},
    {Ext::A, "10000------------010-----0101111", "amomin.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Min>>},
    {Ext::A, "10100------------010-----0101111", "amomax.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::Max>>},
    {Ext::A, "11000------------010-----0101111", "amominu.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::MinU>>},
    {Ext::A, "11100------------010-----0101111", "amomaxu.w", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<4, AmoOp::MaxU>>},
    {Ext::A, "00010--00000-----011-----0101111", "lr.d", "rd,(rs1)", emit_atomic<lr_helper<8>>},
    {Ext::A, "00011------------011-----0101111", "sc.d", "rd,rs2,(rs1)", emit_atomic<sc_helper<8>>},
    {Ext::A, "00001------------011-----0101111", "amoswap.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Swap>>},
    {Ext::A, "00000------------011-----0101111", "amoadd.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Add>>},
    {Ext::A, "00100------------011-----0101111", "amoxor.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Xor>>},
    {Ext::A, "01100------------011-----0101111", "amoand.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::And>>},
    {Ext::A, "01000------------011-----0101111", "amoor.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Or>>},
    {Ext::A, "10000------------011-----0101111", "amomin.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Min>>},
    {Ext::A, "10100------------011-----0101111", "amomax.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::Max>>},
    {Ext::A, "11000------------011-----0101111", "amominu.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::MinU>>},
    {Ext::A, "11100------------011-----0101111", "amomaxu.d", "rd,rs2,(rs1)",
     emit_atomic<amo_helper<8, AmoOp::MaxU>>},
};

}  // namespace

std::span<const InsnDef> atomic_insns() {
  return kAtomicInsns;
}

}  // namespace tiervm
