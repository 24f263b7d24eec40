#include "engine/translator.h"

#include <cstring>

#include "engine/decoder.h"
#include "engine/gdb/debug_control.h"
#include "engine/hart.h"
#include "mem/guest_ram.h"

namespace tiervm {

namespace {

// Reads a 16-bit parcel at physical address `paddr` (RAM or ROM only: fetching from MMIO
// is an access fault).
bool read_parcel(Hart& hart, uint64_t paddr, uint16_t& out) {
  const uint8_t* p = hart.bus.host_ptr(paddr, 2, false);
  if (p == nullptr) return false;
  out = static_cast<uint16_t>(ram_read(p, 2));
  return true;
}

}  // namespace

std::unique_ptr<IrBlock> translate_block(Hart& hart, uint64_t pc, uint64_t paddr,
                                         TranslateFlags flags, bool single_step) {
  auto block = std::make_unique<IrBlock>();
  translate_block_into(*block, hart, pc, paddr, flags, single_step);
  return block;
}

void translate_block_into(IrBlock& out, Hart& hart, uint64_t pc, uint64_t paddr,
                          TranslateFlags flags, bool single_step) {
  // A fresh block that keeps the scratch vectors' capacity (moved out and back: a moved-from
  // vector is empty and owns nothing).
  thread_local IrBlock scratch;
  std::vector<IrInsn> insns = std::move(scratch.insns);
  std::vector<uint16_t> offsets = std::move(scratch.guest_offsets);
  std::vector<uint32_t> words = std::move(scratch.guest_words);
  insns.clear();
  offsets.clear();
  words.clear();
  scratch = IrBlock{};
  scratch.insns = std::move(insns);
  scratch.guest_offsets = std::move(offsets);
  scratch.guest_words = std::move(words);
  IrBlock* const block = &scratch;
  block->start_pc = pc;
  block->start_paddr = paddr;
  IrBuilder b(*block, flags);
  const uint64_t page_end = (pc & ~kPageMask) + kPageSize;
  uint64_t offset = 0;
  const unsigned max_insns = single_step ? 1 : kMaxBlockInsns;
  const DebugControl* debug = single_step ? nullptr : hart.debug;
  if (single_step) block->cacheable = false;

  while (!b.ended()) {
    const uint64_t vaddr = pc + offset;
    const bool first = offset == 0;
    if (block->guest_count() == max_insns || vaddr >= page_end) {
      b.jump(static_cast<int64_t>(offset));
      break;
    }
    if (debug != nullptr && debug->breakpoint_at(vaddr)) {
      if (first) {
        // Never cached, so never compiled nor part of a region: compiled code that
        // reaches this pc goes back to the dispatcher.
        block->cacheable = false;
        b.ret(0);
      } else {
        b.jump(static_cast<int64_t>(offset));
      }
      break;
    }
    uint16_t lo = 0;
    if (!read_parcel(hart, paddr + offset, lo)) {
      b.begin_insn(static_cast<uint16_t>(offset), 0);
      b.fetch_fault(Cause::InsnAccess, offset);
      break;
    }
    uint32_t raw = lo;
    if ((lo & 3) == 3) {
      uint16_t hi = 0;
      if (vaddr + 2 < page_end) {
        if (!read_parcel(hart, paddr + offset + 2, hi)) {
          b.begin_insn(static_cast<uint16_t>(offset), raw);
          b.fetch_fault(Cause::InsnAccess, offset + 2);
          break;
        }
      } else {
        // The instruction straddles a page boundary. It gets a block of its own: its second
        // half, and whether that half can be fetched at all, depend on another page's
        // mapping (and PMP), which the code cache, keyed by the first page, checks against
        // straddle_paddr before every run; a fault is never cached. A fault there names
        // the second page (priv spec 3.1.16: the portion that faulted).
        if (!first) {
          b.jump(static_cast<int64_t>(offset));
          break;
        }
        uint64_t next_paddr = 0;
        b.begin_insn(0, raw);
        if (!hart.translate_fetch(page_end, next_paddr)) {
          hart.s.trap_pending = false;
          block->cacheable = false;
          b.fetch_fault(static_cast<Cause>(hart.s.pending_trap.cause), page_end - pc);
          break;
        }
        if (!read_parcel(hart, next_paddr, hi)) {
          block->cacheable = false;
          b.fetch_fault(Cause::InsnAccess, page_end - pc);
          break;
        }
        block->straddle_paddr = next_paddr;
        block->guest_offsets.clear();
        block->guest_words.clear();
      }
      raw |= static_cast<uint32_t>(hi) << 16;
    }
    const DecodedInsn d = decode(raw);
    if (d.def != nullptr && (d.def->flags & kInsnSerializing) && !first) {
      b.jump(static_cast<int64_t>(offset));
      break;
    }
    b.begin_insn(static_cast<uint16_t>(offset), raw);
    if (d.def == nullptr) {
      b.trap(make_trap(Cause::IllegalInsn, d.length == 2 ? (raw & 0xffff) : raw));
      break;
    }
    d.def->emit(b, d);
    if (b.out_of_temps()) {
      // An emitter bug (block->error says where): rather than run values computed in a
      // reused slot, the guest sees an illegal instruction, and verify_block reports it.
      std::erase_if(block->insns, [&](const IrInsn& i) { return i.guest_index == b.insn_index(); });
      b.trap(make_trap(Cause::IllegalInsn, d.length == 2 ? (raw & 0xffff) : raw));
      break;
    }
    offset += d.length;
    block->guest_bytes = static_cast<uint32_t>(offset);
  }
  // Copy assignment allocates each vector at its size, not at the scratch's capacity.
  out = IrBlock{};
  out = scratch;
}

}  // namespace tiervm
