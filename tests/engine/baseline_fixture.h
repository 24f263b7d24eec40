// The baseline tier's test fixture (tests/engine/baseline_*_test.cpp): a block is compiled
// by copy-and-patch, run from a TestMachine's hart, and compared with interpret_block run on
// an identical machine from the same state. The interpreter is the oracle.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "engine/hart.h"
#include "engine/interpreter.h"
#include "engine/ir.h"
#include "engine/ir_verify.h"
#include "engine/jit/baseline_compiler.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {

constexpr uint64_t kI64Min = uint64_t{1} << 63;
constexpr uint64_t kI64Max = kI64Min - 1;
constexpr uint64_t kAllOnes = ~uint64_t{0};

inline uint8_t X(unsigned i) {
  return IrBuilder::xr(i);
}
inline uint8_t F(unsigned i) {
  return IrBuilder::fr(i);
}

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

// The state a block starts from. Slots not listed hold a fixed pattern (so a stencil that
// reads the wrong slot shows).
struct Start {
  std::vector<std::pair<unsigned, uint64_t>> slots;
  uint64_t pc = kRamBase;
  uint64_t instret = 1000;
  // Guest memory written before the run (byte by byte) and compared after it.
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> memory;
  // Pages whose L1 TLB entries are filled for reads and writes before the run.
  std::vector<uint64_t> tlb_pages;
  uint64_t instret_limit = kAllOnes;
  uint32_t exit_request = 0;
  uint32_t fflags = 0;
  uint32_t frm = 0;
  uint64_t mstatus = 0;
};

// What a block leaves behind that the tiers must agree on.
struct Outcome {
  uint32_t status = 0;  // JitStatus; the interpreter's bool mapped onto it
  uint64_t pc = 0;
  uint64_t instret = 0;
  bool trap_pending = false;
  Trap trap{};
  // After Hart::take_trap of the pending trap.
  uint64_t mcause = 0;
  uint64_t mtval = 0;
  uint64_t mepc = 0;
  std::array<uint64_t, kSlotTemp0> regs{};  // x and f slots (temporaries are dead at exits)
  uint64_t mscratch = 0;
  uint32_t fflags = 0;
  uint64_t mstatus = 0;
  std::vector<std::vector<uint8_t>> memory;  // Start::memory's ranges
};

inline std::string slot_name(unsigned slot) {
  return slot < kSlotF0 ? "x" + std::to_string(slot) : "f" + std::to_string(slot - kSlotF0);
}

// "" when the outcomes agree, else one line per difference.
inline std::string diff(const Outcome& want, const Outcome& got, const Start& start) {
  std::string d;
  auto field = [&](const std::string& name, uint64_t w, uint64_t g) {
    if (w != g) d += name + ": interpreter " + hex(w) + ", baseline " + hex(g) + "\n";
  };
  field("status", want.status, got.status);
  field("pc", want.pc, got.pc);
  field("instret", want.instret, got.instret);
  field("trap_pending", want.trap_pending, got.trap_pending);
  field("pending_trap.cause", want.trap.cause, got.trap.cause);
  field("pending_trap.tval", want.trap.tval, got.trap.tval);
  field("mcause", want.mcause, got.mcause);
  field("mtval", want.mtval, got.mtval);
  field("mepc", want.mepc, got.mepc);
  for (unsigned i = 0; i < want.regs.size(); ++i) field(slot_name(i), want.regs[i], got.regs[i]);
  field("mscratch", want.mscratch, got.mscratch);
  field("fflags", want.fflags, got.fflags);
  field("mstatus", want.mstatus, got.mstatus);
  for (size_t r = 0; r < want.memory.size(); ++r) {
    for (size_t k = 0; k < want.memory[r].size(); ++k) {
      field("byte at " + hex(start.memory[r].first + k), want.memory[r][k], got.memory[r][k]);
    }
  }
  return d;
}

inline uint64_t pattern(unsigned slot) {
  return 0x5a00'0000'0000'0000 + slot * 0x0101'0101'0101ull;
}

// One machine per tier, set up identically before each run.
class BaselineFixture : public ::testing::Test {
 public:
  TestMachine interp_m;
  TestMachine jit_m;
  BaselineCompiler compiler{size_t{16} << 20};
  std::vector<BaselineCompiler::Code> compiled;

  void SetUp() override { ASSERT_TRUE(compiler.ok()) << compiler.error(); }
  void TearDown() override {
    for (const BaselineCompiler::Code& c : compiled) compiler.release(c);
  }

  // Compiles a block that verify_block accepts; nullptr (and a failure) when not compiled.
  JitFn compile(const IrBlock& block, ChainSlot* taken = nullptr, ChainSlot* fall = nullptr,
                uint64_t* counter = nullptr) {
    EXPECT_EQ(verify_block(block), "") << format_ir(block);
    const BaselineCompiler::Code code = compiler.compile(block, taken, fall, counter);
    EXPECT_NE(code.fn, nullptr) << "not compiled:\n" << format_ir(block);
    if (code.fn != nullptr) compiled.push_back(code);
    return code.fn;
  }

  static void setup(TestMachine& m, const Start& start) {
    Hart& hart = m.hart;
    hart.reset(start.pc);
    HartState& s = hart.s;
    for (unsigned i = 1; i < kSlotCount; ++i) s.slot[i] = pattern(i);
    for (const auto& [slot, v] : start.slots) s.slot[slot] = v;
    for (const auto& [addr, bytes] : start.memory) {
      for (size_t k = 0; k < bytes.size(); ++k) m.bus.write(addr + k, 1, bytes[k]);
    }
    for (uint64_t page : start.tlb_pages) {
      uint64_t v = 0;
      ASSERT_TRUE(hart.load(page, 1, v));
      ASSERT_TRUE(hart.store(page, 1, v));
      const TlbEntry& e = hart.tlb.l1(hart.data_mode(), page);
      ASSERT_EQ(e.tag_read, page);
      ASSERT_EQ(e.tag_write, page);
    }
    ASSERT_EQ(s.data_tlb, hart.tlb.l1_array(hart.data_mode()));
    s.instret = start.instret;
    s.instret_limit.store(start.instret_limit);
    s.exit_request.store(0);
    if (start.exit_request != 0) s.request_exit();
    s.fflags = start.fflags;
    s.frm = start.frm;
    s.mstatus = start.mstatus;
  }

  static Outcome capture(TestMachine& m, uint32_t status, const Start& start) {
    HartState& s = m.hart.s;
    Outcome o;
    o.status = status;
    o.pc = s.pc;
    o.instret = s.instret;
    o.trap_pending = s.trap_pending;
    for (unsigned i = 0; i < o.regs.size(); ++i) o.regs[i] = s.slot[i];
    o.mscratch = s.mscratch;
    o.fflags = s.fflags;
    o.mstatus = s.mstatus;  // before take_trap rewrites it
    for (const auto& [addr, bytes] : start.memory) {
      std::vector<uint8_t> now(bytes.size());
      for (size_t k = 0; k < bytes.size(); ++k) {
        uint64_t v = 0;
        m.bus.read(addr + k, 1, v);
        now[k] = static_cast<uint8_t>(v);
      }
      o.memory.push_back(std::move(now));
    }
    if (s.trap_pending) {
      o.trap = s.pending_trap;
      s.trap_pending = false;
      m.hart.take_trap(o.trap);
      o.mcause = s.mcause;
      o.mtval = s.mtval;
      o.mepc = s.mepc;
    }
    return o;
  }

  Outcome interpret(const IrBlock& block, const Start& start) {
    setup(interp_m, start);
    const bool ran = interpret_block(interp_m.hart, block);
    return capture(interp_m, ran ? kJitContinue : kJitTrap, start);
  }

  Outcome run_compiled(JitFn fn, const Start& start) {
    setup(jit_m, start);
    const uint32_t status = run_jit(fn, &jit_m.hart, &jit_m.hart.s);
    return capture(jit_m, status, start);
  }

  // Runs `block` on the interpreter and `fn` (its baseline code) from `start`: "" when
  // every register, memory byte, pc, instret and trap agree.
  std::string compare(const IrBlock& block, JitFn fn, const Start& start) {
    if (fn == nullptr) return "not compiled";
    const Outcome want = interpret(block, start);
    const Outcome got = run_compiled(fn, start);
    return diff(want, got, start);
  }
};

// Builds blocks of hand-written IR: one guest instruction of 4 bytes per begin().
struct BlockMaker {
  IrBlock block;
  IrBuilder ir{block, TranslateFlags{true}};
  uint16_t offset = 0;

  explicit BlockMaker(uint64_t pc = kRamBase) {
    block.start_pc = pc;
    block.start_paddr = pc;
  }
  void begin(uint16_t bytes = 4) {
    ir.begin_insn(offset, bytes == 4 ? 0x0000'0013 : 0x0001);  // nop, c.nop
    offset = static_cast<uint16_t>(offset + bytes);
    block.guest_bytes = offset;
  }
};

// Two RAM pages, and the page boundary between them, full of bytes with the top bit set
// and clear in turn (sign extension shows).
constexpr uint64_t kPageA = kRamBase + 0x3000;
constexpr uint64_t kPageB = kPageA + kPageSize;
constexpr uint64_t kRamEnd = kRamBase + kRamSize;

inline std::vector<uint8_t> bytes_at(uint64_t seed, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t k = 0; k < n; ++k)
    v[k] = static_cast<uint8_t>((k * 0x3b + seed) ^ (k & 1 ? 0x80 : 0));
  return v;
}

// Memory around the addresses the tests touch.
inline Start memory_start() {
  Start s;
  s.memory = {
      {kPageA, bytes_at(7, 64)}, {kPageB - 32, bytes_at(11, 64)}, {kRamEnd - 16, bytes_at(13, 16)}};
  s.tlb_pages = {kPageA, kPageB, kRamEnd - kPageSize};
  return s;
}

}  // namespace tiervm::test
