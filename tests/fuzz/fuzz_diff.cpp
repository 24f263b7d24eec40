// Differential fuzzing: the input is a guest program after one byte that picks the
// lockstep slice (low 6 bits) and the tier to compare with (bits 6-7, modulo 3: test tier 1
// LLVM fast, 2 O2 regions, 3 the baseline tier; tests/common/tiers.h). It runs on tier 0
// and on that tier (every block compiled before its first run) in lockstep, and
// any difference in registers, CSRs, trap state or RAM is a crash. F, D and V (VLEN 128,
// vector state compared too) are enabled.
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
// block that the JIT must compile (2-5 ms under ASan, 10-50 ms at O2). Past this many
// traps an input is mostly compile time, so it ends there.
constexpr uint64_t kMaxTraps = 32;
constexpr int kWatchdogMs = 2'000;
constexpr uint64_t kHandler = kRamBase + kRamSize - tiervm::fuzz::kSkipHandlerBytes;
// Where fetch faults and unused RAM (fuzz::JumpFill) end the program: wfi, then back to
// it (both tiers then wait).
constexpr uint64_t kExitStub = kHandler - 8;

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

// Freed memory is reused sooner: with ASan's default 256 MB quarantine, LLVM, which
// allocates on every block, kept touching fresh pages (page faults were a third to half of
// the time per input). 16 MB still holds the blocks of the last few inputs, so a use after
// free of recently freed memory is still caught.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tiervm;
  if (size < 3 || size - 1 > kExitStub - kRamBase) return -1;
  const uint64_t slice = 1 + data[0] % 64;
  const unsigned tier = 1 + (data[0] >> 6) % 3;
  // One pair per tier for the whole run, reset between inputs.
  static lockstep::Lockstep* pairs[3] = {new lockstep::Lockstep(kRamBase, kRamSize, 1),
                                         new lockstep::Lockstep(kRamBase, kRamSize, 2),
                                         new lockstep::Lockstep(kRamBase, kRamSize, 3)};
  static const bool vector_on = [] {
    for (lockstep::Lockstep* p : pairs) {
      p->interp().hart.set_vlen(128);  // kept by every later reset
      p->jit().hart.set_vlen(128);
    }
    return true;
  }();
  static_cast<void>(vector_on);
  lockstep::Lockstep& pair = *pairs[tier - 1];
  pair.reset();
  pair.setup([&](lockstep::Rig& r) {
    r.bus.load_image(kRamBase, {data + 1, size - 1});
    static const fuzz::JumpFill fill(kRamBase, kExitStub, kExitStub);
    fill.apply(r.bus, kRamBase + size - 1);
    fuzz::install_skip_handler(r.bus, kHandler, kExitStub);
    const uint32_t stub[] = {rv::kWfi, rv::jal(0, -4)};
    r.bus.load_image(kExitStub, {reinterpret_cast<const uint8_t*>(stub), sizeof stub});
    r.hart.s.mtvec = kHandler;
    // F and D enabled (FS = Initial), with NX set for odd-sized inputs: the host-FPU fast
    // path runs only once NX is set.
    r.hart.s.mstatus |= 1ull << 13;
    r.hart.s.mstatus |= 1ull << 9;  // V enabled: VS = Initial
    r.hart.s.fflags = static_cast<uint32_t>(size & 1);
    r.hart.s.set_x(2, kHandler);
    r.hart.s.set_x(10, kRamBase);
    r.hart.s.set_x(11, kRamBase + kRamSize / 2);
  });
  const uint64_t traps_before = pair.interp().exec.traps_taken();  // counts across inputs
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
    if (pair.interp().hart.s.waiting || pair.interp().exec.traps_taken() - traps_before > kMaxTraps)
      break;
  }
  dog.disarm();
  if (fuzz::digest_enabled()) {
    const HartState& s = pair.interp().hart.s;
    fuzz::print_digest(data, size, fuzz::state_digest(s, pair.interp().bus.ram_data(), kRamSize),
                       s.instret);
  }
  pair.drop_code();
  return 0;
}
