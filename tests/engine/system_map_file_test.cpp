// SymbolTable::load_system_map: reads the whole file (its size known up front) and parses it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "engine/monitor/symbol_table.h"

namespace tiervm {
namespace {

std::string temp_path(const char* tag) {
  return ::testing::TempDir() + "tiervm_system_map_" + tag + "_" + std::to_string(getpid());
}

TEST(SystemMapFile, LoadsEverySymbolOfALargeFile) {
  const std::string path = temp_path("large");
  {
    std::ofstream out(path, std::ios::binary);
    // 20 000 functions 0x10 apart (more than a stream buffer or two), and a data symbol.
    char line[64];
    for (unsigned i = 0; i < 20000; ++i) {
      std::snprintf(line, sizeof line, "%016llx T fn_%u\n",
                    static_cast<unsigned long long>(0xffffffff80000000ull + 0x10 * i), i);
      out << line;
    }
    out << "ffffffff90000000 D some_data";  // no newline at the end
  }
  std::string error;
  auto t = SymbolTable::load_system_map(path, error);
  std::remove(path.c_str());
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->size(), 20000u);
  EXPECT_EQ(t->describe(0xffffffff80000000), "fn_0");
  EXPECT_EQ(t->describe(0xffffffff80000000ull + 0x10 * 12345 + 6), "fn_12345+0x6");
  EXPECT_EQ(t->describe(0xffffffff80000000ull + 0x10 * 19999), "fn_19999");
}

TEST(SystemMapFile, MissingOrEmptyFilesAreErrors) {
  std::string error;
  EXPECT_FALSE(SymbolTable::load_system_map(temp_path("missing"), error));
  EXPECT_NE(error.find("cannot read symbol map"), std::string::npos) << error;
  const std::string path = temp_path("empty");
  { std::ofstream out(path); }
  error.clear();
  EXPECT_FALSE(SymbolTable::load_system_map(path, error));
  std::remove(path.c_str());
  EXPECT_NE(error.find("holds no text symbols"), std::string::npos) << error;
}

}  // namespace
}  // namespace tiervm
