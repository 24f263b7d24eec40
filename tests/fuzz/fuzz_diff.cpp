// Differential fuzzing: the input is a guest program after one byte that picks the
// lockstep slice (low 6 bits) and the tier to compare with (bit 6: tier 2). It runs on
// tier 0 and on tier 1 or 2 (every block compiled before its first run) in lockstep, and
// any difference in registers, CSRs, trap state or RAM is a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/decoder.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/lockstep.h"

namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kBudget = 2'000;
// Random bytes are mostly illegal instructions: each trap resumes 2 bytes on, at a new
// block that tier 1 must compile (~0.5 ms). Past this many traps an input is mostly
// compile time, so it ends there.
constexpr uint64_t kMaxTraps = 100;
constexpr int kWatchdogMs = 2'000;
constexpr uint64_t kHandler = kRamBase + kRamSize - tiervm::fuzz::kSkipHandlerBytes;

// The program as instructions, for the failure report.
std::string listing(const uint8_t* code, size_t size) {
  std::string out;
  for (size_t i = 0; i + 2 <= size && i < 512;) {
    uint32_t w = code[i] | uint32_t{code[i + 1]} << 8;
    if ((w & 3) == 3 && i + 4 <= size) w |= (code[i + 2] | uint32_t{code[i + 3]} << 8) << 16;
    out += "    " + tiervm::lockstep::hex(kRamBase + i) + ": " +
           tiervm::disassemble(w, kRamBase + i) + "\n";
    i += (w & 3) == 3 ? 4 : 2;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tiervm;
  if (size < 3 || size - 1 > kRamSize - tiervm::fuzz::kSkipHandlerBytes) return -1;
  const uint64_t slice = 1 + data[0] % 64;
  const unsigned tier = (data[0] & 0x40) ? 2 : 1;
  lockstep::Lockstep pair(kRamBase, kRamSize, tier);
  pair.setup([&](lockstep::Rig& r) {
    r.bus.load_image(kRamBase, {data + 1, size - 1});
    fuzz::install_skip_handler(r.bus, kHandler);
    r.hart.s.mtvec = kHandler;
    r.hart.s.set_x(2, kHandler);
    r.hart.s.set_x(10, kRamBase);
    r.hart.s.set_x(11, kRamBase + kRamSize / 2);
  });
  fuzz::Watchdog& dog = fuzz::Watchdog::instance();
  dog.arm({&pair.interp().exec, &pair.jit().exec}, kWatchdogMs);
  // Bounded even when runs return without progress (a trap loop, a stop request).
  for (uint64_t steps = 0; pair.interp().hart.s.instret < kBudget && steps < 2 * kBudget; ++steps) {
    const uint64_t limit = pair.interp().hart.s.instret + slice;
    const std::string diff = pair.step(limit);
    if (dog.fired()) break;  // stopped part-way: the states say nothing
    FUZZ_CHECK(diff.empty(), "tier 0 and tier %u differ after running to instret %llu:\n%s%s", tier,
               static_cast<unsigned long long>(limit), diff.c_str(),
               listing(data + 1, size - 1).c_str());
    if (pair.interp().hart.s.waiting || pair.interp().exec.traps_taken() > kMaxTraps) break;
  }
  dog.disarm();
  return 0;
}
