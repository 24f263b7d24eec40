// Boots each bare-metal rom (roms/) in the emulator, headless, and checks the exit status
// the guest asked for: the ISA roms exit 0 when every case passes, or the number of the
// first failing case; the *_fail roms fail on purpose with a known code; the demo also
// prints a known greeting.

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/process.h"

namespace tiervm {
namespace {

struct RomCase {
  const char* name;                    // test name suffix
  const char* image;                   // path below the build directory
  int exit_code;                       // expected exit status
  std::vector<std::string> output;     // lines the console must contain
  std::vector<std::string> args = {};  // extra emulator options
};

// gtest prints parameters on failure; the image path says all.
void PrintTo(const RomCase& rom, std::ostream* os) {
  *os << rom.image;
}

// The emulator gives up after this many seconds of guest time (exit 124)...
constexpr int kGuestTimeoutSeconds = 20;
// ...and the test after this much wall time, in case the emulator itself hangs.
constexpr auto kHostTimeout = std::chrono::seconds(60);

// Each rom runs on every tier: the interpreter alone, and tier 1 with every block compiled
// before its first run (so the compiled code, not the interpreter, executes the tests).
struct Tier {
  const char* name;
  std::vector<std::string> args;
};
void PrintTo(const Tier& tier, std::ostream* os) {
  *os << tier.name;
}

const Tier kTiers[] = {
    {"tier0", {"--jit", "off"}},
    {"tier1", {"--jit", "fast", "--jit-threshold", "0"}},
    {"tier2", {"--jit", "tiered", "--jit-threshold", "0"}},
    {"baseline", {"--jit", "baseline", "--jit-threshold", "0"}},
};

class RomTest : public testing::TestWithParam<std::tuple<RomCase, Tier>> {};

TEST_P(RomTest, ExitsWithExpectedStatus) {
  const RomCase& rom = std::get<0>(GetParam());
  const Tier& tier = std::get<1>(GetParam());
  const std::filesystem::path binary_dir = TIERVM_BINARY_DIR;
  const std::filesystem::path emulator = binary_dir / "app" / "tiervm";
  const std::filesystem::path image = binary_dir / rom.image;
  ASSERT_TRUE(std::filesystem::exists(emulator)) << "emulator not built: " << emulator;
  ASSERT_TRUE(std::filesystem::exists(image)) << "rom not built: " << image;

  std::vector<std::string> args = {emulator.string(), "--headless", "--timeout",
                                   std::to_string(kGuestTimeoutSeconds)};
  args.insert(args.end(), tier.args.begin(), tier.args.end());
  args.insert(args.end(), rom.args.begin(), rom.args.end());
  args.push_back(image.string());
  const test::ProcessResult result = test::run_process(args, kHostTimeout);

  ASSERT_TRUE(result.exited) << rom.image << " did not exit normally within "
                             << kHostTimeout.count() << " s; output:\n"
                             << result.output;
  EXPECT_EQ(result.exit_code, rom.exit_code)
      << rom.image << " (for an ISA rom the exit status is the failing case number; 124 "
      << "is a timeout); output:\n"
      << result.output;
  for (const std::string& line : rom.output) {
    EXPECT_NE(result.output.find(line), std::string::npos)
        << "missing console line \"" << line << "\"; output:\n"
        << result.output;
  }
}

const RomCase kRoms[] = {
    {"rv64i", "roms/isa/rv64i.elf", 0, {}},
    {"rv64m", "roms/isa/rv64m.elf", 0, {}},
    {"rv64a", "roms/isa/rv64a.elf", 0, {}},
    {"rv64c", "roms/isa/rv64c.elf", 0, {}},
    {"rv64fd", "roms/isa/rv64fd.elf", 0, {}},
    {"csr", "roms/isa/csr.elf", 0, {}},
    {"traps", "roms/isa/traps.elf", 0, {}},
    {"interrupts", "roms/isa/interrupts.elf", 0, {}},
    {"vm", "roms/isa/vm.elf", 0, {}},
    {"pmp", "roms/isa/pmp.elf", 0, {}},
    {"escape", "roms/isa/escape.elf", 0, {}},
    {"straddle", "roms/isa/straddle.elf", 0, {}},
    {"xpage", "roms/isa/xpage.elf", 0, {}},
    // The vector extension at two VLENs, and without it (every vector instruction illegal).
    {"rvv128", "roms/isa/rvv.elf", 0, {}, {"--vlen", "128"}},
    {"rvv256", "roms/isa/rvv.elf", 0, {}, {"--vlen", "256"}},
    {"rvv_off", "roms/isa/rvv.elf", 0, {}, {"--vlen", "0"}},
    // LMUL 4, 8 and fractional, 4- and 8-register whole accesses, 8-field segments.
    {"rvv2_128", "roms/isa/rvv2.elf", 0, {}, {"--vlen", "128"}},
    {"rvv2_256", "roms/isa/rvv2.elf", 0, {}, {"--vlen", "256"}},
    // V is on by default (--vlen 128); rvv2 fails with 1 without V.
    {"rvv2_default", "roms/isa/rvv2.elf", 0, {}},
    // Stage 2: fixed-point (vxrm rounding, vxsat), expected values from QEMU.
    {"rvv_fixed128", "roms/isa/rvv_fixed.elf", 0, {}, {"--vlen", "128"}},
    {"rvv_fixed256", "roms/isa/rvv_fixed.elf", 0, {}, {"--vlen", "256"}},
    // Stage 2: floating point (frm, fflags, NaN-boxing, FS), expected values from QEMU.
    {"rvv_fp128", "roms/isa/rvv_fp.elf", 0, {}, {"--vlen", "128"}},
    {"rvv_fp256", "roms/isa/rvv_fp.elf", 0, {}, {"--vlen", "256"}},
    // Multi-hart litmus checks (LR/SC, AMOs, a lock, message passing, store buffering,
    // IPIs, cross-modifying code), a host thread per hart; on one hart the rom fails with 1.
    {"smp2",
     "roms/isa/smp.elf",
     0,
     {"smp: 2 harts", "smp: all checks passed"},
     {"--smp", "2", "--hart-threads", "on"}},
    {"smp4",
     "roms/isa/smp.elf",
     0,
     {"smp: 4 harts", "smp: all checks passed"},
     {"--smp", "4", "--hart-threads", "on"}},
    {"smp8",
     "roms/isa/smp.elf",
     0,
     {"smp: 8 harts", "smp: all checks passed"},
     {"--smp", "8", "--hart-threads", "on"}},
    // The performance monitor's slice hook runs on the hart threads while the machine
    // thread drains its events (it crashed in about 1 run in 15 before its lock).
    {"smp4_monitor",
     "roms/isa/smp.elf",
     0,
     {"smp: 4 harts", "smp: all checks passed", "tiervm performance:"},
     {"--smp", "4", "--hart-threads", "on", "--perf-summary"}},
    {"smp1", "roms/isa/smp.elf", 1, {"smp: 1 harts"}},
    // The same harts taking turns on one thread, and in the reproducible mode.
    {"smp4_turns",
     "roms/isa/smp.elf",
     0,
     {"smp: 4 harts", "smp: all checks passed"},
     {"--smp", "4"}},
    {"smp2_deterministic",
     "roms/isa/smp.elf",
     0,
     {"smp: 2 harts", "smp: all checks passed"},
     {"--smp", "2", "--deterministic"}},
    // The failing roms check that the guest's code reaches the exit status.
    {"syscon_fail", "roms/isa/syscon_fail.elf", 7, {"FAIL: test 7"}},
    {"htif", "roms/isa/htif.elf", 0, {}},
    {"htif_fail", "roms/isa/htif_fail.elf", 3, {}},
    {"demo",
     "roms/demo/demo.elf",
     0,
     {"tiervm demo: hello from a RISC-V guest",
      "first primes: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71"}},
};

INSTANTIATE_TEST_SUITE_P(Roms, RomTest,
                         testing::Combine(testing::ValuesIn(kRoms), testing::ValuesIn(kTiers)),
                         [](const testing::TestParamInfo<std::tuple<RomCase, Tier>>& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  std::get<1>(info.param).name;
                         });

// The performance report names hot blocks after the guest's functions, never after the
// RISC-V mapping symbols ("$x", "$xrv64i2p1_m2p0...") that GCC puts at the same addresses.
TEST(RomSymbols, HotBlocksAreNamedAfterFunctions) {
  const std::filesystem::path binary_dir = TIERVM_BINARY_DIR;
  const std::filesystem::path image = binary_dir / "roms/bench/hash_small.elf";
  ASSERT_TRUE(std::filesystem::exists(image)) << "rom not built: " << image;
  const test::ProcessResult result =
      test::run_process({(binary_dir / "app" / "tiervm").string(), "--headless", "--jit",
                         "baseline", "--perf-summary", image.string()},
                        kHostTimeout);
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.output;
  const size_t hottest = result.output.find("hottest blocks");
  ASSERT_NE(hottest, std::string::npos) << result.output;
  const std::string table = result.output.substr(hottest);
  EXPECT_NE(table.find("xxh64"), std::string::npos) << table;  // hash.c's hash function
  EXPECT_EQ(table.find("$x"), std::string::npos) << table;
}

}  // namespace
}  // namespace tiervm
