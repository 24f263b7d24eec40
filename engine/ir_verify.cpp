#include "engine/ir_verify.h"

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace tiervm {

namespace {

std::atomic<bool>& verification_flag() {
#ifdef NDEBUG
  constexpr bool kDebugBuild = false;
#else
  constexpr bool kDebugBuild = true;
#endif
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("TIERVM_VERIFY_IR");
    return kDebugBuild || (env != nullptr && std::strcmp(env, "0") != 0);
  }()};
  return flag;
}

bool is_temp(unsigned slot) {
  return slot >= kSlotTemp0 && slot < kSlotSink;
}

std::string slot_text(unsigned slot) {
  if (is_temp(slot)) return "temporary t" + std::to_string(slot - kSlotTemp0);
  if (slot == kSlotSink) return "the sink slot";
  return "slot " + std::to_string(slot);
}

class BlockVerifier {
 public:
  explicit BlockVerifier(const IrBlock& block) : block_(block) {}

  std::string run() {
    if (!block_.error.empty()) return "translation failed: " + block_.error;
    if (block_.guest_words.size() != block_.guest_count()) {
      return "guest_offsets and guest_words differ in length";
    }
    if (block_.guest_count() == 0) {
      // The one empty block: a debugger's breakpoint at the block's pc (translate_block).
      const bool breakpoint_stop =
          block_.exit.kind == IrExit::Return && block_.exit.fallthrough_offset == 0;
      return breakpoint_stop && block_.insns.empty() ? "" : "no guest instruction";
    }
    for (size_t n = 0; n < block_.insns.size() && error_.empty(); ++n) insn(n);
    if (error_.empty()) terminator();
    return error_;
  }

 private:
  void fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
  }
  void fail_at(size_t n, const std::string& what) {
    const IrInsn& i = block_.insns[n];
    fail("op " + std::to_string(n) + " (" + ir_op_name(i.op) + ", guest instruction " +
         std::to_string(i.guest_index) + "): " + what);
  }

  // A read of `slot` by guest instruction `guest`: in range and, for a temporary, written
  // earlier by the same guest instruction.
  std::string check_read(unsigned slot, unsigned guest) const {
    if (slot >= kSlotCount) return slot_text(slot) + " is out of range";
    if (slot == kSlotSink) return "reads the sink slot";
    if (is_temp(slot) && written_by_[slot] != guest + 1) {
      return "reads " + slot_text(slot) + " before it is written";
    }
    return "";
  }

  void insn(size_t n) {
    const IrInsn& i = block_.insns[n];
    if (i.op >= IrOp::Count) {
      fail_at(n, "unknown op " + std::to_string(static_cast<unsigned>(i.op)));
      return;
    }
    if (i.guest_index >= block_.guest_count()) {
      fail_at(n, "guest instruction index out of range");
      return;
    }
    if (i.guest_index < last_guest_) {
      fail_at(n, "guest instruction index goes back");
      return;
    }
    last_guest_ = i.guest_index;
    if (ir_op_calls_helper(i.op) != (i.helper != nullptr)) {
      fail_at(n, ir_op_calls_helper(i.op) ? "call without a helper"
                                          : "helper on an op that is not a call");
      return;
    }
    const IrOpInfo& info = ir_op_info(i.op);
    const std::array<std::pair<IrOperand, uint8_t>, 3> reads = {
        {{kIrA, i.a}, {kIrB, i.b}, {kIrC, i.c}}};
    for (const auto& [operand, slot] : reads) {
      if (!info.has(operand)) continue;
      if (std::string e = check_read(slot, i.guest_index); !e.empty()) {
        fail_at(n, e);
        return;
      }
    }
    if (!info.has(kIrDst)) {
      if (i.dst != kSlotSink) fail_at(n, "writes " + slot_text(i.dst) + " but has no result");
      return;
    }
    if (i.dst >= kSlotCount) {
      fail_at(n, slot_text(i.dst) + " is out of range");
    } else if (i.dst == kSlotX0) {
      fail_at(n, "writes x0");
    } else if (is_temp(i.dst)) {
      written_by_[i.dst] = i.guest_index + 1u;
    }
  }

  void terminator() {
    const IrTerminator& e = block_.exit;
    const unsigned last = block_.guest_count() - 1;
    switch (e.kind) {
      case IrExit::None:
        fail("no terminator");
        return;
      case IrExit::Branch:
        if (std::string r = check_read(e.cond, last); !r.empty()) fail("branch condition " + r);
        return;
      case IrExit::Indirect:
        if (std::string r = check_read(e.target, last); !r.empty()) fail("indirect target " + r);
        return;
      case IrExit::Trap:
        if (e.trap_index >= block_.guest_count()) fail("trap at a guest instruction out of range");
        return;
      case IrExit::Jump:
      case IrExit::Return:
        return;
    }
    fail("unknown terminator");
  }

  const IrBlock& block_;
  std::string error_;
  unsigned last_guest_ = 0;
  // Per slot: 1 + the guest instruction that last wrote it (0: not written in this block).
  std::array<unsigned, kSlotCount> written_by_{};
};

}  // namespace

std::string verify_block(const IrBlock& block) {
  return BlockVerifier(block).run();
}

bool ir_verification() {
  return verification_flag().load(std::memory_order_relaxed);
}

void set_ir_verification(bool on) {
  verification_flag().store(on, std::memory_order_relaxed);
}

}  // namespace tiervm
