// The host profiler's files (engine/monitor/perf_map.h) against perf's documents:
// tools/perf/Documentation/jit-interface.txt (perf-PID.map lines "START SIZE name", hex)
// and jitdump-specification.txt (header and JIT_CODE_LOAD record layout).
#include "engine/monitor/perf_map.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/monitor/symbol_table.h"

namespace tiervm {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

template <typename T>
T at(const std::string& bytes, size_t offset) {
  T v{};
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

TEST(PerfMap, NamesAreTierAndGuestSymbol) {
  const SymbolTable symbols({{"memcpy", 0x80000100, 0x40}});
  EXPECT_EQ(perf_map_name(Tier::Optimized, 0x80000110, &symbols), "t2:memcpy+0x10");
  EXPECT_EQ(perf_map_name(Tier::Baseline, 0x80000100, &symbols), "t1:memcpy");
  EXPECT_EQ(perf_map_name(Tier::Fast, 0x80000100, &symbols), "t1:memcpy");
  // No symbol: the guest pc in hex.
  EXPECT_EQ(perf_map_name(Tier::Baseline, 0x80000004, &symbols), "t1:0x80000004");
  EXPECT_EQ(perf_map_name(Tier::Optimized, 0xffffffff80001000, nullptr), "t2:0xffffffff80001000");
}

TEST(PerfMap, MapLinesAndJitdumpRecords) {
  const fs::path dir = fs::temp_directory_path() / ("tiervm-perfmap-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const uint8_t code_a[] = {0x90, 0x90, 0xc3};
  const uint8_t code_b[] = {0x48, 0x31, 0xc0, 0xc3, 0xcc};
  {
    PerfMapWriter w;
    std::string error;
    ASSERT_TRUE(w.open((dir / "perf.map").string(), (dir / "jit.dump").string(), error)) << error;
    w.code_loaded(code_a, sizeof code_a, "t1:memcpy+0x10");
    w.code_loaded(code_b, sizeof code_b, "t2:0x80000000");
  }
  // Map: one line per code, START and SIZE in hex without 0x.
  std::istringstream map(read_all(dir / "perf.map"));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(map, line)) lines.push_back(line);
  char a[64], b[64];
  std::snprintf(a, sizeof a, "%lx 3 t1:memcpy+0x10", reinterpret_cast<unsigned long>(code_a));
  std::snprintf(b, sizeof b, "%lx 5 t2:0x80000000", reinterpret_cast<unsigned long>(code_b));
  EXPECT_EQ(lines, (std::vector<std::string>{a, b}));

  // jitdump: 40-byte header (magic 0x4A695444, version 1, total_size, elf_mach, pad,
  // pid, timestamp, flags), then records: id, total_size, timestamp, pid, tid, vma,
  // code_addr, code_size, code_index, name NUL, code bytes.
  const std::string d = read_all(dir / "jit.dump");
  ASSERT_GE(d.size(), 40u);
  EXPECT_EQ(at<uint32_t>(d, 0), 0x4A695444u);
  EXPECT_EQ(at<uint32_t>(d, 4), 1u);
  EXPECT_EQ(at<uint32_t>(d, 8), 40u);
  EXPECT_EQ(at<uint32_t>(d, 12), static_cast<uint32_t>(EM_X86_64));
  EXPECT_EQ(at<uint32_t>(d, 20), static_cast<uint32_t>(getpid()));
  size_t off = 40;
  const std::pair<const uint8_t*, std::string> want[] = {{code_a, "t1:memcpy+0x10"},
                                                         {code_b, "t2:0x80000000"}};
  const size_t sizes[] = {sizeof code_a, sizeof code_b};
  for (int i = 0; i < 2; ++i) {
    ASSERT_LE(off + 56, d.size());
    const std::string& name = want[i].second;
    EXPECT_EQ(at<uint32_t>(d, off), 0u);  // JIT_CODE_LOAD
    const uint32_t total = at<uint32_t>(d, off + 4);
    EXPECT_EQ(total, 56 + name.size() + 1 + sizes[i]);
    EXPECT_EQ(at<uint32_t>(d, off + 16), static_cast<uint32_t>(getpid()));
    const auto addr = reinterpret_cast<uint64_t>(want[i].first);
    EXPECT_EQ(at<uint64_t>(d, off + 24), addr);  // vma
    EXPECT_EQ(at<uint64_t>(d, off + 32), addr);  // code_addr
    EXPECT_EQ(at<uint64_t>(d, off + 40), sizes[i]);
    EXPECT_EQ(at<uint64_t>(d, off + 48), static_cast<uint64_t>(i));  // code_index
    EXPECT_EQ(std::string(d.c_str() + off + 56), name);
    EXPECT_EQ(d.substr(off + 56 + name.size() + 1, sizes[i]),
              std::string(reinterpret_cast<const char*>(want[i].first), sizes[i]));
    off += total;
  }
  EXPECT_EQ(off, d.size());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tiervm
