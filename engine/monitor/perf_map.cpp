#include "engine/monitor/perf_map.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "engine/monitor/symbol_table.h"

namespace tiervm {

namespace {

// jitdump-specification.txt: file header and record ids.
constexpr uint32_t kJitdumpMagic = 0x4A695444;  // "JiTD"
constexpr uint32_t kJitdumpVersion = 1;
constexpr uint32_t kJitCodeLoad = 0;

struct JitdumpHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t total_size;
  uint32_t elf_mach;
  uint32_t pad1;
  uint32_t pid;
  uint64_t timestamp;
  uint64_t flags;
};
static_assert(sizeof(JitdumpHeader) == 40);

struct JitCodeLoad {
  uint32_t id;
  uint32_t total_size;
  uint64_t timestamp;
  uint32_t pid;
  uint32_t tid;
  uint64_t vma;
  uint64_t code_addr;
  uint64_t code_size;
  uint64_t code_index;
};
static_assert(sizeof(JitCodeLoad) == 56);

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

std::string perf_map_name(Tier tier, uint64_t guest_pc, const SymbolTable* symbols) {
  const char* prefix = tier == Tier::Optimized ? "t2:" : "t1:";
  if (symbols) {
    std::string name = symbols->describe(guest_pc);
    if (!name.empty()) return prefix + name;
  }
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(guest_pc));
  return prefix + std::string(hex);
}

std::string PerfMapWriter::default_map_path() {
  return "/tmp/perf-" + std::to_string(getpid()) + ".map";
}

std::string PerfMapWriter::default_jitdump_path() {
  return "jit-" + std::to_string(getpid()) + ".dump";
}

PerfMapWriter::~PerfMapWriter() {
  close();
}

bool PerfMapWriter::open(const std::string& map_path, const std::string& jitdump_path,
                         std::string& error) {
  close();
  map_ = std::fopen(map_path.c_str(), "w");
  if (map_ == nullptr) {
    error = "--perf-map: cannot write '" + map_path + "': " + std::strerror(errno);
    return false;
  }
  if (jitdump_path.empty()) return true;
  dump_ = std::fopen(jitdump_path.c_str(), "w+");
  if (dump_ == nullptr) {
    error = "--perf-map: cannot write '" + jitdump_path + "': " + std::strerror(errno);
    close();
    return false;
  }
  const JitdumpHeader h{kJitdumpMagic,
                        kJitdumpVersion,
                        sizeof(JitdumpHeader),
                        EM_X86_64,
                        0,
                        static_cast<uint32_t>(getpid()),
                        monotonic_ns(),
                        0};
  std::fwrite(&h, sizeof h, 1, dump_);
  std::fflush(dump_);
  // perf record notes this mapping (an MMAP event naming the file): perf inject --jit
  // finds the dump that way.
  void* m = mmap(nullptr, static_cast<size_t>(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_EXEC,
                 MAP_PRIVATE, fileno(dump_), 0);
  marker_ = m == MAP_FAILED ? nullptr : m;
  return true;
}

void PerfMapWriter::code_loaded(const void* code, uint32_t size, const std::string& name) {
  if (map_) {
    std::fprintf(map_, "%llx %x %s\n",
                 static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(code)), size,
                 name.c_str());
    std::fflush(map_);  // perf reads the file after a crash or a kill too
  }
  if (dump_) {
    const auto addr = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(code));
    const JitCodeLoad r{kJitCodeLoad,
                        static_cast<uint32_t>(sizeof(JitCodeLoad) + name.size() + 1 + size),
                        monotonic_ns(),
                        static_cast<uint32_t>(getpid()),
                        static_cast<uint32_t>(gettid()),
                        addr,
                        addr,
                        size,
                        code_index_++};
    std::fwrite(&r, sizeof r, 1, dump_);
    std::fwrite(name.c_str(), name.size() + 1, 1, dump_);
    std::fwrite(code, size, 1, dump_);
    std::fflush(dump_);
  }
}

void PerfMapWriter::close() {
  if (marker_) munmap(marker_, static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  marker_ = nullptr;
  if (map_) std::fclose(map_);
  if (dump_) std::fclose(dump_);
  map_ = dump_ = nullptr;
}

}  // namespace tiervm
