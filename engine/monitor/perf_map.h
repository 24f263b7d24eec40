#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/tier.h"

namespace tiervm {

class SymbolTable;

// The name the host profiler shows for JIT code: the tier (t1: baseline or LLVM fast,
// t2: an LLVM O2 region) and the guest function, "t2:memcpy+0x10", or the guest pc in
// hex when no symbol covers it ("t1:0x80000040").
std::string perf_map_name(Tier tier, uint64_t guest_pc, const SymbolTable* symbols);

// Tells Linux perf where JIT code is (perf's tools/perf/Documentation/jit-interface.txt):
// /tmp/perf-PID.map, one "START SIZE name" line (hex) per compiled block or region, which
// `perf report` reads by itself; and optionally a jitdump file (jitdump-specification.txt,
// version 1: a header, then one JIT_CODE_LOAD record with the code bytes per block) that
// `perf inject --jit` turns into ELF objects so `perf annotate` shows the host code. The
// jitdump file is mmapped executable once so that `perf record` sees it (how perf finds
// it); its timestamps are CLOCK_MONOTONIC, so record with `perf record -k mono`.
// One thread (the hart's, where code is installed).
class PerfMapWriter {
 public:
  PerfMapWriter() = default;
  ~PerfMapWriter();
  PerfMapWriter(const PerfMapWriter&) = delete;
  PerfMapWriter& operator=(const PerfMapWriter&) = delete;

  // Opens `map_path` (and `jitdump_path` unless empty) for writing; false with a
  // message in `error`.
  bool open(const std::string& map_path, const std::string& jitdump_path, std::string& error);
  // Code of `size` bytes at `code` now runs guest code named `name`.
  void code_loaded(const void* code, uint32_t size, const std::string& name);
  void close();

  static std::string default_map_path();  // /tmp/perf-PID.map
  // jit-PID.dump in the current directory: perf inject --jit writes one ELF file per
  // code record next to it.
  static std::string default_jitdump_path();

 private:
  std::FILE* map_ = nullptr;
  std::FILE* dump_ = nullptr;
  void* marker_ = nullptr;  // the jitdump file's executable mapping
  uint64_t code_index_ = 0;
};

}  // namespace tiervm
