// Guest memory isolation: no guest access reaches host memory outside guest RAM/ROM, on any
// tier, and compiled code is never in a writable and executable mapping.
//   - Accesses at the end of RAM (and of ROM) from compiled code with a warm soft TLB: the
//     inline fast path must refuse what leaves the region, the slow path must raise the
//     access fault of priv spec 1.12 table 3.6 with mtval per section 3.1.16. Three RAM
//     layouts: page-multiple RAM; RAM whose last page is partial (the host mapping is
//     rounded up to a page, so bytes past guest RAM exist on the host and must stay
//     unreachable); RAM ending at the top of the 56-bit physical address space.
//   - W^X: while the JIT compiles (tier 1 and tier 2), /proc/self/maps never shows a mapping
//     that is both writable and executable, and compiled blocks live in r-x pages.
// roms/isa/escape.S covers page tables that point outside RAM, fetches and AMOs, end to end.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/jit/jit_tier.h"
#include "mem/bus.h"
#include "tests/common/tiers.h"
#include "tests/engine/asm_util.h"
#include "tests/fuzz/rv_encode.h"

namespace tiervm::test {
namespace {

constexpr uint64_t kCauseLoadAccess = 5;
constexpr uint64_t kCauseStoreAccess = 7;
constexpr uint32_t kJumpSelfWord = 0x0000006f;  // j .

// A hart on a bus with one RAM region (and optionally a ROM), in M-mode, bare addressing.
struct Rig {
  Bus bus;
  Hart hart;
  Executor exec;
  Rig(uint64_t ram_base, uint64_t ram_size, unsigned tier)
      : hart(map(bus, ram_base, ram_size), 0), exec(hart) {
    hart.reset(ram_base);
    if (tier >= 1) exec.enable_jit(all_code_at(tier));
  }
  static Bus& map(Bus& b, uint64_t base, uint64_t size) {
    b.map_ram(base, size);
    return b;
  }
  void put(uint64_t at, const std::vector<uint32_t>& words) {
    for (uint32_t w : words) {
      ASSERT_TRUE(bus.write(at, 4, w)) << std::hex << at;
      at += 4;
    }
  }
};

// The trap handler: appends (mcause, mtval) at s0, s0 += 16, resumes after the trapping
// (4-byte) instruction.
const std::vector<std::string> kRecorder = {
    "csrr t0, mcause", "sd t0, 0(s0)",   "csrr t0, mtval", "sd t0, 8(s0)", "addi s0, s0, 16",
    "csrr t0, mepc",   "addi t0, t0, 4", "csrw mepc, t0",  "mret",
};

struct Trap {
  uint64_t cause;
  uint64_t tval;
  uint64_t alt_tval;  // also accepted (misaligned access across the end: 3.1.16)
};

// One access program: `lines` run with a1 = `a1`, straight through, then `j .`.
struct Program {
  std::vector<std::string> lines;
  std::vector<Trap> traps;  // in order
};

// Runs `p` three times on `rig` (code at `code`, the handler and the records in the two
// pages above it: records on a code page would drop its compiled blocks at every trap). The
// later passes run the same compiled blocks with the soft TLB already holding the pages, so
// the inline fast path sees every access too. Returns "" or the first difference.
std::string run_passes(Rig& rig, uint64_t code, uint64_t a1, const Program& p) {
  const uint64_t handler = code + kPageSize, records = code + 2 * kPageSize;
  std::vector<uint32_t> words = assemble(p.lines);
  if (words.size() != p.lines.size()) return "the assembler failed";
  words.push_back(kJumpSelfWord);
  rig.put(code, words);
  const std::vector<uint32_t> recorder = assemble(kRecorder);
  if (recorder.size() != kRecorder.size()) return "the assembler failed";
  rig.put(handler, recorder);
  HartState& s = rig.hart.s;
  s.mtvec = handler;
  for (int pass = 0; pass < 3; ++pass) {
    s.pc = code;
    s.set_x(11, a1);      // a1
    s.set_x(8, records);  // s0
    s.set_x(10, 0x5a5a);  // a0: the value stores write
    rig.exec.run(s.instret + 20 * p.lines.size() + 100);
    std::ostringstream out;
    out << std::hex << "pass " << pass << ": ";
    const uint64_t end_pc = code + 4 * p.lines.size();
    if (s.pc != end_pc) {
      out << "stopped at pc " << s.pc << ", not at the final j . (" << end_pc << ")";
      return out.str();
    }
    const uint64_t recorded = (s.x(8) - records) / 16;
    if (recorded != p.traps.size()) {
      out << std::dec << recorded << " traps, expected " << p.traps.size();
      return out.str();
    }
    for (size_t i = 0; i < p.traps.size(); ++i) {
      uint64_t cause = 0, tval = 0;
      rig.bus.read(records + 16 * i, 8, cause);
      rig.bus.read(records + 16 * i + 8, 8, tval);
      const Trap& want = p.traps[i];
      if (cause != want.cause || (tval != want.tval && tval != want.alt_tval)) {
        out << "trap " << std::dec << i << ": mcause " << cause << std::hex << " mtval " << tval
            << ", expected mcause " << std::dec << want.cause << std::hex << " mtval " << want.tval;
        if (want.alt_tval != want.tval) out << " or " << want.alt_tval;
        return out.str();
      }
    }
  }
  return "";
}

// Loads, stores and AMOs at the last bytes of RAM and past its end; a1 = the end of RAM.
Program edge_program(uint64_t end) {
  return {{
              "ld a2, -8(a1)",           // the last doubleword: fits
              "lw a2, -4(a1)",           // fits
              "lbu a2, -1(a1)",          // the last byte: fits
              "sd a0, -8(a1)",           // fits
              "amoadd.d a2, a0, (a1)",   // at the end
              "ld a2, 0(a1)",            // at the end
              "lb a2, 0(a1)",            //
              "sd a0, 0(a1)",            //
              "sb a0, 0(a1)",            //
              "ld a2, -4(a1)",           // misaligned, straddles the end
              "lh a2, -1(a1)",           //
              "lw a2, -3(a1)",           //
              "sd a0, -4(a1)",           //
              "sh a0, -1(a1)",           //
              "fld fa0, -4(a1)",         //
              "lw a2, 2044(a1)",         // far past the end
              "amoswap.w a2, a0, (a1)",  //
              "lr.d a2, (a1)",           //
              "ld a2, -8(a1)",           // the last doubleword again
          },
          {
              {kCauseStoreAccess, end, end},
              {kCauseLoadAccess, end, end},
              {kCauseLoadAccess, end, end},
              {kCauseStoreAccess, end, end},
              {kCauseStoreAccess, end, end},
              {kCauseLoadAccess, end - 4, end},
              {kCauseLoadAccess, end - 1, end},
              {kCauseLoadAccess, end - 3, end},
              {kCauseStoreAccess, end - 4, end},
              {kCauseStoreAccess, end - 1, end},
              {kCauseLoadAccess, end - 4, end},
              {kCauseLoadAccess, end + 2044, end + 2044},
              {kCauseStoreAccess, end, end},
              {kCauseLoadAccess, end, end},
          }};
}

struct Layout {
  const char* name;
  uint64_t base;
  uint64_t size;
};
void PrintTo(const Layout& l, std::ostream* os) {
  *os << l.name;
}

const Layout kLayouts[] = {
    {"PageMultiple", 0x8000'0000, 1 << 20},
    // The host mapping is a whole page; its last 0x800 bytes are not guest RAM.
    {"PartialLastPage", 0x8000'0000, (1 << 20) + 0x800},
    // RAM ends at 2^56, the top of the physical address space (section 4.4: 56-bit PAs).
    {"TopOfPhysicalSpace", 0x00ff'ffff'fff0'0000, 1 << 20},
};

class EdgeOfRam : public testing::TestWithParam<std::tuple<Layout, unsigned>> {};

TEST_P(EdgeOfRam, AccessesPastTheEndFaultAndTouchNothing) {
  const auto& [layout, tier] = GetParam();
  Rig rig(layout.base, layout.size, tier);
  // The FP loads need mstatus.FS on.
  rig.hart.s.mstatus |= uint64_t{1} << 13;
  const uint64_t end = layout.base + layout.size;
  EXPECT_EQ(run_passes(rig, layout.base, end, edge_program(end)), "");
  // The in-bounds store reached RAM (its low half: a misaligned store that faults may have
  // written the bytes before the end).
  uint64_t last = 0;
  ASSERT_TRUE(rig.bus.read(end - 8, 4, last));
  EXPECT_EQ(last, 0x5a5au);
  if (tier >= 1) {
    EXPECT_GT(rig.exec.jit()->stats().blocks_compiled, 0u);
    EXPECT_EQ(rig.exec.jit()->stats().compile_failures, 0u);
  }
  if (layout.size % kPageSize != 0) {
    // The host bytes past guest RAM (inside the rounded-up mapping) were never written.
    const uint8_t* host = rig.bus.ram_data() + layout.size;
    for (uint64_t i = 0; i < kPageSize - layout.size % kPageSize; ++i) {
      ASSERT_EQ(host[i], 0) << "host byte " << i << " past guest RAM was written";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, EdgeOfRam,
                         testing::Combine(testing::ValuesIn(kLayouts),
                                          testing::Values(0u, 1u, 2u, 3u)),
                         [](const testing::TestParamInfo<std::tuple<Layout, unsigned>>& info) {
                           return std::string(std::get<0>(info.param).name) + "_Tier" +
                                  std::to_string(std::get<1>(info.param));
                         });

// ROM is readable host memory too, but never writable from the guest: stores and AMOs are
// access faults, and a read may not run past the ROM's end.
class RomEdge : public testing::TestWithParam<unsigned> {};

TEST_P(RomEdge, StoresFaultAndTheRomKeepsItsBytes) {
  constexpr uint64_t kRom = 0x1000, kRomSize = 0x1000;
  Rig rig(0x8000'0000, 1 << 20, GetParam());
  rig.bus.map_rom(kRom, std::vector<uint8_t>(kRomSize, 0xa5), "rom");
  const uint64_t end = kRom + kRomSize, mid = kRom + 0x800;  // a1 = mid: offsets fit 12 bits
  const Program p = {{
                         "lbu a2, -2048(a1)",     // ROM reads work
                         "ld a2, 2040(a1)",       // the last doubleword
                         "sb a0, -2048(a1)",      // stores to ROM
                         "sd a0, 2040(a1)",       //
                         "amoor.d a2, a0, (a1)",  //
                         "ld a2, 2044(a1)",       // straddles the ROM's end
                         "sw a0, 2046(a1)",       //
                         "lbu a2, -2048(a1)",     // reads work again
                     },
                     {
                         {kCauseStoreAccess, kRom, kRom},
                         {kCauseStoreAccess, end - 8, end - 8},
                         {kCauseStoreAccess, mid, mid},
                         {kCauseLoadAccess, end - 4, end},
                         {kCauseStoreAccess, end - 2, end},
                     }};
  EXPECT_EQ(run_passes(rig, 0x8000'0000, mid, p), "");
  EXPECT_EQ(rig.hart.s.x(12), 0xa5u);
  for (uint64_t a = kRom; a < end; ++a) {
    uint64_t v = 0;
    ASSERT_TRUE(rig.bus.read(a, 1, v));
    ASSERT_EQ(v, 0xa5u) << "ROM byte at " << std::hex << a;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, RomEdge, testing::Values(0u, 1u, 2u, 3u),
                         [](const testing::TestParamInfo<unsigned>& info) {
                           return "Tier" + std::to_string(info.param);
                         });

// ---- W^X

struct Mapping {
  uint64_t lo = 0, hi = 0;
  std::string perms, line;
};

std::vector<Mapping> read_maps() {
  std::vector<Mapping> maps;
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    Mapping m;
    std::istringstream fields(line);
    std::string range;
    fields >> range >> m.perms;
    const size_t dash = range.find('-');
    if (dash == std::string::npos) continue;
    m.lo = std::stoull(range.substr(0, dash), nullptr, 16);
    m.hi = std::stoull(range.substr(dash + 1), nullptr, 16);
    m.line = line;
    maps.push_back(m);
  }
  return maps;
}

bool writable_and_executable(const Mapping& m) {
  return m.perms.size() >= 3 && m.perms[1] == 'w' && m.perms[2] == 'x';
}

// The scan itself: a W+X mapping made here is found, and gone once unmapped.
TEST(JitMemory, TheScanSeesAWritableExecutableMapping) {
  void* page = mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) GTEST_SKIP() << "the kernel refuses W+X mappings";
  const auto at = reinterpret_cast<uint64_t>(page);
  auto seen = [&] {
    for (const Mapping& m : read_maps()) {
      if (at >= m.lo && at < m.hi && writable_and_executable(m)) return true;
    }
    return false;
  };
  EXPECT_TRUE(seen());
  munmap(page, kPageSize);
  EXPECT_FALSE(seen());
}

TEST(JitMemory, NeverWritableAndExecutable) {
  // 64 blocks (addi; jal to the next), then `j .`: 64 tier-1 and 64 tier-2 compilations.
  constexpr unsigned kBlocks = 64;
  constexpr uint64_t kBase = 0x8000'0000;
  Rig rig(kBase, 1 << 20, 2);
  std::vector<uint32_t> words;
  for (unsigned i = 0; i < kBlocks; ++i) {
    words.push_back(rv::addi(6, 6, 1));  // addi t1, t1, 1
    words.push_back(rv::jal(0, 4));      // j to the next instruction: ends the block
  }
  words.push_back(kJumpSelfWord);
  rig.put(kBase, words);

  // Another thread reads the maps all the while the JIT compiles and links, so a mapping
  // that is W+X only for a moment is seen too (as far as scheduling lets it).
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> scans{0};
  std::vector<std::string> bad;
  std::thread scanner([&] {
    while (!stop.load()) {
      for (const Mapping& m : read_maps()) {
        if (writable_and_executable(m) && bad.size() < 8) bad.push_back(m.line);
      }
      scans.fetch_add(1);
    }
  });
  rig.exec.run(10 * kBlocks);
  while (scans.load() < 2) std::this_thread::yield();
  stop.store(true);
  scanner.join();
  for (const Mapping& m : read_maps()) {
    if (writable_and_executable(m)) bad.push_back(m.line);
  }
  EXPECT_TRUE(bad.empty()) << "writable and executable mappings:\n" << testing::PrintToString(bad);

  EXPECT_EQ(rig.hart.s.x(6), kBlocks);  // t1
  const JitStats& stats = rig.exec.jit()->stats();
  EXPECT_GE(stats.blocks_compiled, kBlocks);
  EXPECT_GE(stats.regions_compiled, 1u);
  EXPECT_EQ(stats.compile_failures, 0u);
  // Each compiled block's entry lies in a mapping that is executable and not writable.
  const std::vector<Mapping> maps = read_maps();
  unsigned checked = 0;
  for (unsigned i = 0; i < kBlocks; ++i) {
    const CachedBlock* block =
        rig.exec.code_cache().find(BlockKey(kBase + 8 * i, {rig.hart.fp_enabled()}));
    ASSERT_NE(block, nullptr) << "block " << i;
    ASSERT_NE(block->native, nullptr) << "block " << i << " not compiled";
    const auto entry = reinterpret_cast<uint64_t>(block->native);
    bool found = false;
    for (const Mapping& m : maps) {
      if (entry >= m.lo && entry < m.hi) {
        found = true;
        EXPECT_EQ(m.perms.substr(0, 3), "r-x") << "block " << i << ": " << m.line;
      }
    }
    EXPECT_TRUE(found) << "block " << i << " entry " << std::hex << entry << " is in no mapping";
    ++checked;
  }
  EXPECT_EQ(checked, kBlocks);
}

}  // namespace
}  // namespace tiervm::test
