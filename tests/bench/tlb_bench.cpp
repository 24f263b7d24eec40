// Soft TLB costs (mem/soft_tlb.h): the L2 lookup (open addressing with FxHash) against
// std::unordered_map with std::hash and with FxHash on the same keys and hit/miss mixes,
// and the L1 probe that JIT code and the interpreter inline for every load and store.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "mem/bus.h"
#include "mem/fxhash.h"
#include "mem/soft_tlb.h"

namespace tiervm {
namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 64ull << 20;
// Half the L2's slots: a realistic load that stays clear of eviction.
constexpr unsigned kPages = SoftTlb::kL2Size / 2;
constexpr uint64_t kVirtBase = 0x40'0000'0000;
constexpr uint64_t kMissBase = 0x70'0000'0000;  // never inserted
constexpr size_t kQueries = 1 << 16;

uint64_t next_random(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Virtual pages to look up, in random order: `hit_percent` of them inserted ones.
std::vector<uint64_t> queries(int hit_percent) {
  std::vector<uint64_t> q(kQueries);
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  for (uint64_t& v : q) {
    const bool hit = static_cast<int>(next_random(s) % 100) < hit_percent;
    const uint64_t page = next_random(s) % kPages;
    v = (hit ? kVirtBase : kMissBase) + page * kPageSize;
  }
  return q;
}

struct TlbFixture {
  Bus bus;
  SoftTlb tlb;
  TlbFixture() {
    bus.map_ram(kRamBase, kRamSize);
    for (uint64_t i = 0; i < kPages; ++i) {
      tlb.insert(bus, TlbMode::S, kVirtBase + i * kPageSize, kRamBase + i * kPageSize, true, true,
                 false);
    }
  }
};

void BM_TlbL2_SoftTlb(benchmark::State& state) {
  TlbFixture f;
  const std::vector<uint64_t> q = queries(static_cast<int>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.tlb.lookup_l2(f.bus, TlbMode::S, q[i]));
    i = (i + 1) & (kQueries - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("FxHash open addressing; a hit also refills the L1 entry");
}

template <typename Hash, bool kRefill>
void BM_TlbL2_UnorderedMap(benchmark::State& state) {
  Bus bus;
  bus.map_ram(kRamBase, kRamSize);
  constexpr uint64_t kL1Mask = (uint64_t{1} << SoftTlb::kL1MinBits) - 1;
  std::vector<TlbEntry> l1(kL1Mask + 1);
  // The same key SoftTlb hashes: page base | mode.
  std::unordered_map<uint64_t, TlbL2Entry, Hash> map;
  for (uint64_t i = 0; i < kPages; ++i) {
    TlbL2Entry e;
    e.vpage = kVirtBase + i * kPageSize;
    e.ppage = kRamBase + i * kPageSize;
    e.can_read = e.can_write = true;
    e.mode = static_cast<uint8_t>(TlbMode::S);
    map.emplace(e.vpage | e.mode, e);
  }
  const std::vector<uint64_t> q = queries(static_cast<int>(state.range(0)));
  const uint64_t mode = static_cast<uint64_t>(TlbMode::S);
  size_t i = 0;
  for (auto _ : state) {
    auto it = map.find(q[i] | mode);
    if (kRefill && it != map.end())
      l1[SoftTlb::l1_index(q[i], kL1Mask)] = SoftTlb::l1_entry_for(bus, it->second);
    benchmark::DoNotOptimize(it == map.end() ? nullptr : &it->second);
    i = (i + 1) & (kQueries - 1);
  }
  state.SetItemsProcessed(state.iterations());
  if (kRefill) state.SetLabel("a hit also refills an L1 entry like SoftTlb");
}

// Argument: percentage of lookups that hit.
BENCHMARK(BM_TlbL2_SoftTlb)->ArgName("hit%")->Arg(100)->Arg(90)->Arg(50)->Arg(0);
#define TIERVM_MAP_BENCH(hash, refill, name)     \
  BENCHMARK(BM_TlbL2_UnorderedMap<hash, refill>) \
      ->Name(name)                               \
      ->ArgName("hit%")                          \
      ->Arg(100)                                 \
      ->Arg(90)                                  \
      ->Arg(50)                                  \
      ->Arg(0)
TIERVM_MAP_BENCH(std::hash<uint64_t>, true, "BM_TlbL2_UnorderedMap_StdHash");
TIERVM_MAP_BENCH(FxHash, true, "BM_TlbL2_UnorderedMap_FxHash");
// The bare hash-table probe, without the L1 refill.
TIERVM_MAP_BENCH(std::hash<uint64_t>, false, "BM_TlbL2_UnorderedMapFindOnly_StdHash");
TIERVM_MAP_BENCH(FxHash, false, "BM_TlbL2_UnorderedMapFindOnly_FxHash");

// The inline fast path of a 64-bit load: index the L1, compare the tag, add the host
// addend, load. Argument: number of distinct pages touched (at most the L1's 256 all hit;
// more than that evict each other, and a miss falls back to the L2 lookup, as the slow
// path of a load does).
void BM_TlbL1_Load(benchmark::State& state) {
  TlbFixture f;
  const unsigned pages = static_cast<unsigned>(state.range(0));
  std::vector<uint64_t> addrs(kQueries);
  uint64_t s = 12345;
  for (uint64_t& a : addrs) {
    a = kVirtBase + (next_random(s) % pages) * kPageSize + (next_random(s) % 512) * 8;
  }
  uint64_t misses = 0;
  size_t i = 0;
  for (auto _ : state) {
    const uint64_t va = addrs[i];
    i = (i + 1) & (kQueries - 1);
    TlbEntry* e = &f.tlb.l1(TlbMode::S, va);
    if (e->tag_read != (va & ~kPageMask)) [[unlikely]] {
      ++misses;
      if (f.tlb.lookup_l2(f.bus, TlbMode::S, va & ~kPageMask) == nullptr) {
        state.SkipWithError("page missing from the L2");
        break;
      }
    }
    const auto* host =
        reinterpret_cast<const uint64_t*>(static_cast<uintptr_t>(va + e->host_addend));
    benchmark::DoNotOptimize(*host);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["l1_miss_ratio"] =
      benchmark::Counter(static_cast<double>(misses) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_TlbL1_Load)->ArgName("pages")->Arg(64)->Arg(256)->Arg(1024)->Arg(kPages);

}  // namespace
}  // namespace tiervm
