// SYSTEM and MISC-MEM instructions: ecall, ebreak, mret, sret, wfi, sfence.vma (priv spec
// 1.12, section 3.3 and 4.2.1), fence and fence.i (unprivileged spec 2.7 and chapter 3).
// All serialize: they trap, change privilege or state the dispatcher must see, so each
// ends its block.

#include <array>
#include <atomic>
#include <cstdint>
#include <span>

#include "engine/decoder.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

void raise_illegal(Hart& hart, int64_t word) {
  hart.s.raise(make_trap(Cause::IllegalInsn, static_cast<uint32_t>(word)));
}

// ecall's cause encodes the privilege it was executed in; tval is 0 and epc is the ecall
// itself (the tier rolls back to it).
uint64_t ecall_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t) {
  const Priv p = hart.s.priv;
  const Cause c = p == Priv::U ? Cause::EcallU : (p == Priv::S ? Cause::EcallS : Cause::EcallM);
  hart.s.raise(make_trap(c));
  return 0;
}

// ebreak reports its own address in xtval, as Spike and QEMU do.
uint64_t ebreak_helper(Hart& hart, uint64_t pc, uint64_t, uint64_t, int64_t) {
  hart.s.raise(make_trap(Cause::Breakpoint, pc));
  return 0;
}

// do_mret/do_sret raise the illegal instruction themselves; the helper supplies the
// instruction bits for tval, which the hart does not know.
uint64_t mret_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t word) {
  uint64_t pc = 0;
  if (!hart.do_mret(pc)) raise_illegal(hart, word);
  return pc;
}

uint64_t sret_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t word) {
  uint64_t pc = 0;
  if (!hart.do_sret(pc)) raise_illegal(hart, word);
  return pc;
}

// wfi is illegal in U (S-mode exists) and, with mstatus.TW, in S (priv spec 3.1.6.5,
// 3.3.3). Otherwise the hart waits; the dispatcher wakes it when an interrupt is pending.
uint64_t wfi_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t word) {
  const HartState& s = hart.s;
  if (s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::TW))) {
    raise_illegal(hart, word);
    return 0;
  }
  hart.s.waiting = true;
  return 0;
}

// sfence.vma is illegal in U, and in S with mstatus.TVM (priv spec 3.1.6.5). The soft TLB
// has no ASIDs, so rs2 is ignored: flushing an address for every ASID is a superset.
constexpr uint64_t kHasAddress = uint64_t{1} << 32;

uint64_t sfence_helper(Hart& hart, uint64_t vaddr, uint64_t, uint64_t, int64_t imm) {
  const HartState& s = hart.s;
  if (s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::TVM))) {
    raise_illegal(hart, imm);
    return 0;
  }
  if (static_cast<uint64_t>(imm) & kHasAddress) {
    hart.tlb.flush_page(vaddr);
  } else {
    hart.tlb.flush_all();
  }
  return 0;
}

// Harts may run on separate host threads. x86 is TSO: it keeps loads in order, stores in
// order and loads before later stores, so the one ordering a fence can need from the host
// is an earlier store (or device output) before a later load (or device input): mfence.
// fence.tso (fm = 1000) never orders stores before loads. The call itself, which ends the
// block, keeps the compiler from moving guest accesses across the fence.
uint64_t fence_helper(Hart&, uint64_t, uint64_t, uint64_t, int64_t word) {
  constexpr uint64_t kPredWO = 0x5;  // pred bits PO (2) and PW (0)
  constexpr uint64_t kSuccRI = 0xa;  // succ bits SI (3) and SR (1)
  const auto w = static_cast<uint64_t>(word);
  const uint64_t fm = (w >> 28) & 0xf, pred = (w >> 24) & 0xf, succ = (w >> 20) & 0xf;
  if (fm != 0x8 && (pred & kPredWO) != 0 && (succ & kSuccRI) != 0) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
  return 0;
}

// pause (Zihintpause) is a fence with pred = W, succ = 0, which orders nothing: it only
// tells the dispatcher that the hart is spinning (see HartState::pause_hint).
uint64_t pause_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t) {
  hart.s.pause_hint = true;
  hart.s.request_exit();
  return 0;
}

void ecall(IrBuilder& b, const DecodedInsn& d) {
  b.call(ecall_helper, kSlotSink);
  b.ret(emit::next_offset(b, d));
}

void ebreak(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t pc = b.temp();
  b.op(IrOp::PcRel, pc, 0, 0, b.insn_offset());
  b.call(ebreak_helper, kSlotSink, pc);
  b.ret(emit::next_offset(b, d));
}

template <IrHelper Helper>
void xret(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t target = b.temp();
  b.call(Helper, target, 0, 0, 0, d.word);
  b.indirect(target);
}

void wfi(IrBuilder& b, const DecodedInsn& d) {
  b.call(wfi_helper, kSlotSink, 0, 0, 0, d.word);
  b.ret(emit::next_offset(b, d));
}

void sfence_vma(IrBuilder& b, const DecodedInsn& d) {
  const uint64_t imm = d.word | (d.rs1 != 0 ? kHasAddress : 0);
  b.call(sfence_helper, kSlotSink, IrBuilder::xr(d.rs1), 0, 0, static_cast<int64_t>(imm));
  b.ret(emit::next_offset(b, d));
}

void pause(IrBuilder& b, const DecodedInsn& d) {
  b.call(pause_helper, kSlotSink);
  b.ret(emit::next_offset(b, d));
}

void fence(IrBuilder& b, const DecodedInsn& d) {
  b.call(fence_helper, kSlotSink, 0, 0, 0, d.word);
  b.ret(emit::next_offset(b, d));
}

// fence.i (unprivileged spec chapter 3): later fetches must see earlier stores. Every
// write to a page holding translated code already drops exactly the blocks it overlaps
// (the bus's code-write hook, CodeCache::invalidate_range), so there is no stale code to
// flush: fence.i only ends the block. Flushing the whole cache here cost Linux ~100k
// retranslations per boot (it issues fence.i on every exec). With harts on threads, another
// hart's write to this hart's code is queued to this hart (Bus::apply_pending): after
// fence.i, before the next block, the dispatcher applies the queue, so code written before
// it (and seen by this hart) is not run stale, and drops the code of pages other harts
// could still write without the queue (Bus::sync_code).
uint64_t fence_i_helper(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t) {
  if (hart.bus.threaded() && hart.executor != nullptr) hart.executor->request_code_sync();
  return 0;
}

void fence_i(IrBuilder& b, const DecodedInsn& d) {
  b.call(fence_i_helper, kSlotSink);
  b.ret(emit::next_offset(b, d));
}

constexpr std::array kRows = {
    InsnDef{Ext::I, "00000000000000000000000001110011", "ecall", "", ecall, kInsnSerializing},
    InsnDef{Ext::I, "00000000000100000000000001110011", "ebreak", "", ebreak, kInsnSerializing},
    InsnDef{Ext::Priv, "00010000001000000000000001110011", "sret", "", xret<sret_helper>,
            kInsnSerializing},
    InsnDef{Ext::Priv, "00110000001000000000000001110011", "mret", "", xret<mret_helper>,
            kInsnSerializing},
    InsnDef{Ext::Priv, "00010000010100000000000001110011", "wfi", "", wfi, kInsnSerializing},
    InsnDef{Ext::Priv, "0001001----------000000001110011", "sfence.vma", "rs1,rs2", sfence_vma,
            kInsnSerializing},
    InsnDef{Ext::I, "-----------------000-----0001111", "fence", "pred,succ", fence,
            kInsnSerializing},
    InsnDef{Ext::I, "00000001000000000000000000001111", "pause", "", pause,
            kInsnSerializing | kInsnOverrides},
    InsnDef{Ext::Zifencei, "-----------------001-----0001111", "fence.i", "", fence_i,
            kInsnSerializing},
};

}  // namespace

std::span<const InsnDef> system_insns() {
  return kRows;
}

}  // namespace tiervm
