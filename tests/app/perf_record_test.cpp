// `perf record` on tiervm --perf-map: perf attributes JIT time to guest functions. The
// crc32 benchmark spends nearly all its time in bench_run (crc32 inlined there), so
// `perf report` must name t1: or t2:bench_run. Skipped where perf cannot record
// (perf_event_paranoid, containers without perf events, perf not installed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kBinaryDir = TIERVM_BINARY_DIR;
const fs::path kTiervm = kBinaryDir / "app" / "tiervm";
const fs::path kRom = kBinaryDir / "roms" / "bench" / "crc32.elf";

// Runs `command` through the shell: its exit status and its stdout + stderr.
int run(const std::string& command, std::string& output) {
  output.clear();
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class PerfRecord : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tiervm-perf-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::string out;
    if (run("perf record -e cpu-clock -o " + (dir_ / "probe.data").string() + " -- true", out) !=
        0) {
      GTEST_SKIP() << "perf cannot record here (perf_event_paranoid or no perf events): " << out;
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PerfRecord, ReportNamesTheHotGuestFunction) {
  const std::string data = (dir_ / "perf.data").string();
  std::string out;
  ASSERT_EQ(run("perf record -e cpu-clock -F 999 -o " + data + " -- " + kTiervm.string() +
                    " --headless --perf-map " + kRom.string(),
                out),
            0)
      << out;
  ASSERT_NE(out.find("bench crc32: PASS"), std::string::npos) << out;
  ASSERT_EQ(run("perf report -i " + data + " --stdio --sort pid,sym", out), 0) << out;
  std::smatch m;
  EXPECT_TRUE(
      std::regex_search(out, m, std::regex(R"(\d+\.\d+%\s+(\d+):tiervm\s+\[\.\] t[12]:bench_run)")))
      << out;
  if (!m.empty()) fs::remove("/tmp/perf-" + m[1].str() + ".map");
}

TEST_F(PerfRecord, JitdumpGivesPerfTheHostCode) {
  // jitdump timestamps are CLOCK_MONOTONIC: record with -k mono, then perf inject --jit
  // writes an ELF per compiled block and the report names them.
  const std::string data = (dir_ / "perf.data").string();
  const std::string injected = (dir_ / "perf.jit.data").string();
  std::string out;
  ASSERT_EQ(run("cd " + dir_.string() + " && perf record -k mono -e cpu-clock -F 999 -o " + data +
                    " -- " + kTiervm.string() + " --headless --perf-map=jitdump " + kRom.string(),
                out),
            0)
      << out;
  ASSERT_EQ(run("perf inject --jit -i " + data + " -o " + injected, out), 0) << out;
  ASSERT_EQ(run("perf report -i " + injected + " --stdio --sort dso,sym", out), 0) << out;
  std::smatch m;
  EXPECT_TRUE(
      std::regex_search(out, m, std::regex(R"(jitted-(\d+)-\d+\.so\s+\[\.\] t[12]:bench_run)")))
      << out;
  if (!m.empty()) fs::remove("/tmp/perf-" + m[1].str() + ".map");
}

}  // namespace
