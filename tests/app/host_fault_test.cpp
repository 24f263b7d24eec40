// Faults of the host, through the real `tiervm` binary: with no memory for JIT code (every
// mprotect to executable fails with ENOMEM, as when the process has used up its mappings),
// an ISA rom run with every block queued for compilation still passes, and stderr holds
// exactly one warning.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/no_exec_memory.h"

namespace tiervm {
namespace {

namespace fs = std::filesystem;

const fs::path kTiervm = fs::path(TIERVM_BINARY_DIR) / "app" / "tiervm";
const fs::path kRom = fs::path(TIERVM_BINARY_DIR) / "roms" / "isa" / "rv64i.elf";

[[noreturn]] void exec_without_code_memory(const char* jit) {
  if (!test::refuse_executable_memory()) std::_Exit(3);
  std::vector<std::string> args = {kTiervm.string(),  "--headless", "--jit",     jit,
                                   "--jit-threshold", "0",          "--timeout", "60",
                                   kRom.string()};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  std::_Exit(4);
}

class JitOutOfMemory : public ::testing::TestWithParam<const char*> {};

TEST_P(JitOutOfMemory, RomPassesWithOneWarning) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(exec_without_code_memory(GetParam()), ::testing::ExitedWithCode(0),
              "^tiervm: warning: out of memory for JIT code; continuing in the interpreter\n$");
}

INSTANTIATE_TEST_SUITE_P(Jit, JitOutOfMemory, ::testing::Values("baseline", "fast", "tiered"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace tiervm
