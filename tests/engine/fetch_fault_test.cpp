// Instruction fetch faults on every tier, for the parts of an instruction that lie past
// the page it starts on (priv spec 1.12, section 3.1.16: xtval is the address of the
// portion of the instruction that faulted; xepc, 3.1.14, its first byte):
//   - a 32-bit instruction in the last two bytes of a page whose next page is unmapped,
//     not executable, PMP-denied (3.7) or backed by nothing: the fault names the next page;
//     once the next page is mapped the instruction runs, once; mapped elsewhere, the new
//     page's bytes are used; unmapped again, the fault is back. Code is cached by physical
//     address, so none of this may outlive a change of the next page's mapping.
//   - the same physical code reached through another virtual page: xtval follows the
//     virtual address the hart fetched at, also for a fault inside the page (the end of RAM
//     in a page that is partly RAM).
//   - a loop across two virtual pages, which tier 2 compiles as one region: remapping
//     either page runs the new page's code at the next crossing, unmapping it faults there.
// roms/isa/straddle.S runs the same cases end to end (and checks them on QEMU).
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/jit/jit_tier.h"
#include "mem/bus.h"
#include "tests/common/tiers.h"
#include "tests/fuzz/rv_encode.h"

namespace tiervm::test {
namespace {

constexpr uint64_t kCauseFetchAccess = 1, kCauseFetchPage = 12, kCauseEcallS = 9;
constexpr uint64_t kPteV = 0x01, kPteR = 0x02, kPteW = 0x04, kPteX = 0x08, kPteA = 0x40;
constexpr uint64_t kPteD = 0x80;
constexpr uint64_t kPteCode = kPteV | kPteR | kPteX | kPteA;
constexpr uint64_t kSv39 = uint64_t{8} << 60;
constexpr uint32_t kSfenceVma = 0x12000073;
constexpr uint64_t kMppMask = uint64_t{3} << 11, kMppS = uint64_t{1} << 11;
constexpr unsigned kA0 = 10;

// addi a0, a0, 1 and addi a0, a0, 0x10: the same low half, different high halves.
constexpr uint32_t kAddi1 = 0x00150513, kAddi16 = 0x01050513;

constexpr uint64_t kRamBase = 0x8000'0000;
// Physical layout (offsets from the RAM base).
constexpr uint64_t kHandler = kRamBase + 0x1000;  // M: wfi (the test takes over)
constexpr uint64_t kEnter = kRamBase + 0x2000;    // M: sfence.vma; mret
constexpr uint64_t kRoot = kRamBase + 0x10000, kL1 = kRamBase + 0x11000;
constexpr uint64_t kL0 = kRamBase + 0x12000;
constexpr uint64_t kFirst = kRamBase + 0x20000;     // the instruction's first page
constexpr uint64_t kSecond = kRamBase + 0x21000;    // its second page
constexpr uint64_t kRemapped = kRamBase + 0x22000;  // another second page (imm 0x10)
constexpr uint64_t kNoMemory = 0x2'0000'0000;       // nothing behind it
// Virtual pages at 0x4000_0000 + n * 4 KiB are l0 entry n.
constexpr uint64_t kWindow = 0x4000'0000;
constexpr uint64_t va(unsigned l0_index) {
  return kWindow + l0_index * kPageSize;
}
constexpr uint64_t kStraddle = kPageSize - 2;  // the instruction's offset in its first page

// A hart whose S-mode code runs in the Sv39 window; every trap goes to M, where a wfi
// hands control back to the test (the test is the trap handler).
struct Rig {
  Bus bus;
  Hart hart;
  Executor exec;
  HartState& s = hart.s;

  Rig(uint64_t ram_size, unsigned tier) : hart(map(bus, ram_size), 0), exec(hart) {
    hart.reset(kRamBase);
    if (tier >= 1) exec.enable_jit(all_code_at(tier));
    put32(kHandler, rv::kWfi);
    put32(kHandler + 4, rv::kJumpSelf);
    put32(kEnter, kSfenceVma);
    put32(kEnter + 4, rv::kMret);
    s.mtvec = kHandler;
    set_pte(kRoot, 1, kL1, kPteV);
    set_pte(kRoot, 2, kRamBase, kPteV | kPteR | kPteW | kPteX | kPteA | kPteD);
    set_pte(kL1, 0, kL0, kPteV);
    EXPECT_TRUE(hart.csr_write(0x180, kSv39 | (kRoot >> 12)));  // satp
  }
  static Bus& map(Bus& b, uint64_t size) {
    b.map_ram(kRamBase, size);
    return b;
  }
  void put16(uint64_t at, uint16_t v) { ASSERT_TRUE(bus.write(at, 2, v)) << std::hex << at; }
  void put32(uint64_t at, uint32_t v) { ASSERT_TRUE(bus.write(at, 4, v)) << std::hex << at; }
  void set_pte(uint64_t table, unsigned index, uint64_t pa, uint64_t flags) {
    ASSERT_TRUE(bus.write(table + 8 * index, 8, ((pa >> 12) << 10) | flags));
  }
  void map_va(unsigned l0_index, uint64_t pa, uint64_t flags = kPteCode) {
    set_pte(kL0, l0_index, pa, flags);
  }
  void unmap_va(unsigned l0_index) { set_pte(kL0, l0_index, 0, 0); }

  // M returns to S at `pc` (after sfence.vma, as a handler that changed a mapping does) with
  // a0 = `a0`, and runs until the next trap reaches the M handler (`insns` at most).
  void run_in_s(uint64_t pc, uint64_t a0, uint64_t insns = 200) {
    s.set_x(kA0, a0);
    s.mepc = pc;
    s.mstatus = (s.mstatus & ~kMppMask) | kMppS;
    s.pc = kEnter;
    s.priv = Priv::M;
    s.waiting = false;
    hart.update_modes();
    exec.run(s.instret + insns);
  }

  // "" when the last trap went to M with this cause, mepc and mtval and a0 holds `a0`.
  std::string trapped(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t a0) const {
    std::ostringstream out;
    out << std::hex;
    if (s.priv != Priv::M || s.pc != kHandler + 4) {
      out << "not in the M handler: pc " << s.pc;
      return out.str();
    }
    if (s.mcause != cause || s.mepc != epc || s.mtval != tval || s.x(kA0) != a0) {
      out << "mcause " << std::dec << s.mcause << std::hex << " mepc " << s.mepc << " mtval "
          << s.mtval << " a0 " << s.x(kA0) << "; expected mcause " << std::dec << cause << std::hex
          << " mepc " << epc << " mtval " << tval << " a0 " << a0;
    }
    return out.str();
  }
};

class FetchFault : public testing::TestWithParam<unsigned> {};

// The straddling instruction at va(0) + 0xffe; its second page is va(1).
TEST_P(FetchFault, StraddlingInstructionFaultsOnItsSecondPageUntilThatPageIsMapped) {
  Rig rig(1 << 20, GetParam());
  rig.put16(kFirst + kStraddle, kAddi1 & 0xffff);
  rig.put16(kSecond, kAddi1 >> 16);
  rig.put32(kSecond + 2, rv::kEcall);
  rig.put16(kRemapped, kAddi16 >> 16);
  rig.put32(kRemapped + 2, rv::kEcall);
  rig.map_va(0, kFirst);
  const uint64_t pc = va(0) + kStraddle, ecall_pc = va(1) + 2;

  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, pc, va(1), 0), "") << "second page unmapped";
  // The handler maps the page mtval names and returns: the addi runs, once.
  rig.map_va(1, kSecond);
  rig.run_in_s(rig.s.mepc, rig.s.x(kA0));
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, 1), "") << "second page mapped";
  rig.map_va(1, kRemapped);
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, 0x10), "") << "second page remapped";
  rig.unmap_va(1);
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, pc, va(1), 0), "") << "second page unmapped again";
  rig.map_va(1, kSecond, kPteV | kPteR | kPteA);
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, pc, va(1), 0), "") << "second page not executable";
  rig.map_va(1, kSecond);
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, 1), "") << "second page mapped again";

  // The same physical code through va(4): mtval names va(5), not va(1).
  rig.map_va(4, kFirst);
  rig.run_in_s(va(4) + kStraddle, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, va(4) + kStraddle, va(5), 0), "") << "alias";
  rig.map_va(5, kSecond);
  rig.run_in_s(va(4) + kStraddle, 0);
  EXPECT_EQ(rig.trapped(kCauseEcallS, va(5) + 2, 0, 1), "") << "alias, mapped";
}

TEST_P(FetchFault, StraddlingInstructionAccessFaultsOnItsSecondPage) {
  Rig rig(1 << 20, GetParam());
  rig.put16(kFirst + kStraddle, kAddi1 & 0xffff);
  rig.put16(kSecond, kAddi1 >> 16);
  rig.put32(kSecond + 2, rv::kEcall);
  rig.map_va(0, kFirst);
  rig.map_va(1, kSecond);
  const uint64_t pc = va(0) + kStraddle, ecall_pc = va(1) + 2;

  // PMP entry 0 (NAPOT, the second page) allows R and W only; entry 1 allows the rest.
  constexpr uint64_t kNapot = 0x18, kR = 1, kW = 2, kX = 4;
  ASSERT_TRUE(rig.hart.csr_write(0x3b0, (kSecond >> 2) | 0x1ff));  // pmpaddr0
  ASSERT_TRUE(rig.hart.csr_write(0x3b1, ~uint64_t{0}));            // pmpaddr1
  ASSERT_TRUE(rig.hart.csr_write(0x3a0, ((kNapot | kR | kW | kX) << 8) | kNapot | kR | kW));
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchAccess, pc, va(1), 0), "") << "PMP denies the second page";
  ASSERT_TRUE(rig.hart.csr_write(0x3a0, (kNapot | kR | kW | kX) << 8));
  rig.run_in_s(rig.s.mepc, rig.s.x(kA0));
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, 1), "") << "PMP allows the second page";

  // The second page maps to a physical page with nothing behind it.
  rig.map_va(1, kNoMemory);
  rig.run_in_s(pc, 0);
  EXPECT_EQ(rig.trapped(kCauseFetchAccess, pc, va(1), 0), "") << "no memory";
  rig.map_va(1, kSecond);
  rig.run_in_s(rig.s.mepc, rig.s.x(kA0));
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, 1), "") << "memory again";
}

// RAM ends in the middle of its last page (the last 0x800 bytes of the page are no
// memory), which va(0) and va(4) both map. A 32-bit instruction in the last halfword of
// RAM faults at the end of RAM; a c.nop there runs and the fetch after it faults. mtval
// is the end of RAM as seen through the mapping the hart fetched at.
TEST_P(FetchFault, FaultInsideThePageFollowsTheVirtualAddress) {
  constexpr uint64_t kRamSize = (1 << 20) + 0x800;
  constexpr uint64_t kLastPage = kRamBase + (1 << 20), kEnd = 0x800;
  Rig rig(kRamSize, GetParam());
  rig.map_va(0, kLastPage);
  rig.map_va(4, kLastPage);

  rig.put16(kLastPage + kEnd - 2, kAddi1 & 0xffff);
  for (unsigned page : {0u, 4u, 0u}) {
    rig.run_in_s(va(page) + kEnd - 2, 0);
    EXPECT_EQ(rig.trapped(kCauseFetchAccess, va(page) + kEnd - 2, va(page) + kEnd, 0), "")
        << "32-bit instruction, va(" << page << ")";
  }
  if (GetParam() >= 1) {
    // The faulting block ran compiled.
    const CachedBlock* block =
        rig.exec.code_cache().find(BlockKey(kLastPage + kEnd - 2, {rig.hart.fp_enabled()}));
    ASSERT_NE(block, nullptr);
    EXPECT_NE(block->native, nullptr);
  }
  rig.put16(kLastPage + kEnd - 2, rv::kCNop);
  for (unsigned page : {0u, 4u, 0u}) {
    rig.run_in_s(va(page) + kEnd - 2, 0);
    EXPECT_EQ(rig.trapped(kCauseFetchAccess, va(page) + kEnd, va(page) + kEnd, 0), "")
        << "c.nop, va(" << page << ")";
  }
}

// A loop across va(0) and va(1): its head at va(0) + 0xff0 (t3 -= 1; a0 += A; jump to
// va(1) + 0x10), its body there (a0 += B; loop while t3 != 0; ecall). Each physical page
// adds its own A or B, so a0 says which code ran. On tier 2 the loop is one region that
// spans both physical pages and checks the mapping of the page it crosses into; entered in
// page B after page A was remapped, with the TLB already holding the new mapping (a load
// from va(0) before the jump), it must not run the old page A's code.
TEST_P(FetchFault, ALoopAcrossTwoPagesFollowsTheirMappings) {
  Rig rig(1 << 20, GetParam());
  constexpr uint64_t kHead = 0xff0, kBody = 0x10, kLoops = 50;
  constexpr unsigned kT3 = 28, kA1 = 11, kA2 = 12, kA3 = 13;
  constexpr uint64_t kPageA = kFirst, kPageB = kSecond, kPageA2 = kRemapped;
  constexpr uint64_t kPageB2 = kRamBase + 0x23000, kStub = kRamBase + 0x3000;
  constexpr int64_t kAddA = 1, kAddB = 0x10, kAddA2 = 0x100, kAddB2 = 0x400;
  for (const auto& [page, add] : {std::pair{kPageA, kAddA}, std::pair{kPageA2, kAddA2}}) {
    rig.put32(page + kHead, rv::addi(kT3, kT3, -1));
    rig.put32(page + kHead + 4, rv::addi(kA0, kA0, add));
    rig.put32(page + kHead + 8, rv::jal(0, static_cast<int64_t>(kPageSize + kBody - kHead - 8)));
  }
  for (const auto& [page, add] : {std::pair{kPageB, kAddB}, std::pair{kPageB2, kAddB2}}) {
    rig.put32(page + kBody, rv::addi(kA0, kA0, add));
    rig.put32(page + kBody + 4,
              rv::branch(1, kT3, 0, -static_cast<int64_t>(kPageSize + kBody + 4 - kHead)));
    rig.put32(page + kBody + 8, rv::kEcall);
  }
  // S-mode stub (RAM is identity-mapped for S): a2 = *a1; jump to a3.
  rig.put32(kStub, rv::load(3, kA2, kA1, 0));
  rig.put32(kStub + 4, rv::jalr(0, kA3, 0));
  const uint64_t head = va(0) + kHead, body = va(1) + kBody, ecall_pc = va(1) + kBody + 8;
  const auto run = [&](uint64_t touch, uint64_t entry) {
    rig.s.set_x(kT3, kLoops);
    rig.s.set_x(kA1, touch);
    rig.s.set_x(kA3, entry);
    rig.run_in_s(kStub, 0, 100 * kLoops);
  };

  rig.map_va(0, kPageA);
  rig.map_va(1, kPageB);
  run(va(0), head);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, kLoops * (kAddA + kAddB)), "") << "from A";
  run(va(0), body);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, (kLoops + 1) * kAddB + kLoops * kAddA), "")
      << "from B";
  if (running_tier_of(GetParam()) == Tier::Optimized) {
    EXPECT_GT(rig.exec.jit()->stats().regions_spanning_pages, 0u);
  }

  rig.map_va(0, kPageA2);
  run(va(0), body);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, (kLoops + 1) * kAddB + kLoops * kAddA2), "")
      << "page A remapped";
  rig.map_va(1, kPageB2);
  run(va(1), head);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, kLoops * (kAddA2 + kAddB2)), "")
      << "page B remapped";
  rig.map_va(0, kPageA);
  rig.map_va(1, kPageB);
  run(va(1), body);
  EXPECT_EQ(rig.trapped(kCauseEcallS, ecall_pc, 0, (kLoops + 1) * kAddB + kLoops * kAddA), "")
      << "both back";

  rig.unmap_va(0);
  run(va(1), body);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, head, head, kAddB), "") << "page A unmapped";
  rig.map_va(0, kPageA);
  rig.unmap_va(1);
  run(va(0), head);
  EXPECT_EQ(rig.trapped(kCauseFetchPage, body, body, kAddA), "") << "page B unmapped";
  EXPECT_EQ(rig.s.x(kT3), kLoops - 1);
}

INSTANTIATE_TEST_SUITE_P(Tiers, FetchFault, testing::Values(0u, 1u, 2u, 3u, kMemberEntryTier),
                         [](const testing::TestParamInfo<unsigned>& info) {
                           return "Tier" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace tiervm::test
