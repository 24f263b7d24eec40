// Boots each bare-metal rom (roms/) in the emulator, headless, and checks the exit status
// the guest asked for: the ISA roms exit 0 when every case passes, or the number of the
// first failing case; the *_fail roms fail on purpose with a known code; the demo also
// prints a known greeting.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace tiervm {
namespace {

struct RomCase {
  const char* name;                 // test name suffix
  const char* image;                // path below the build directory
  int exit_code;                    // expected exit status
  std::vector<std::string> output;  // lines the console must contain
};

// gtest prints parameters on failure; the image path says all.
void PrintTo(const RomCase& rom, std::ostream* os) {
  *os << rom.image;
}

// The emulator gives up after this many seconds of guest time (exit 124)...
constexpr int kGuestTimeoutSeconds = 20;
// ...and the test after this much wall time, in case the emulator itself hangs.
constexpr auto kHostTimeout = std::chrono::seconds(60);

struct RunResult {
  bool exited = false;  // exited normally (not killed by a signal or by us)
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `argv` with stdin from /dev/null and stdout+stderr captured.
RunResult run(const std::vector<std::string>& args) {
  RunResult result;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);

  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawn_error != 0) {
    close(pipe_fds[0]);
    result.output = std::string("posix_spawn: ") + std::strerror(spawn_error);
    return result;
  }

  const auto deadline = std::chrono::steady_clock::now() + kHostTimeout;
  bool killed = false;
  char buffer[4096];
  for (;;) {
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, 100);
    if (ready > 0) {
      const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
      if (n > 0) {
        result.output.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) break;  // every writer closed: the child is gone
      if (errno != EINTR) break;
    }
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(pipe_fds[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!killed && WIFEXITED(status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

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
  args.push_back(image.string());
  const RunResult result = run(args);

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

}  // namespace
}  // namespace tiervm
