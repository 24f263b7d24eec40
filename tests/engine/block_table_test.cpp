#include "engine/block_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>

namespace tiervm {
namespace {

struct Value {
  uint64_t id = 0;
};

BlockKey key_at(uint64_t paddr, bool fp = true) {
  return BlockKey(paddr, TranslateFlags{fp});
}

TEST(BlockTable, FindsWhatWasInsertedAndTakesItBack) {
  BlockTable<Value> t;
  EXPECT_EQ(t.find(key_at(0x80000000)), nullptr);
  Value* v = t.insert(key_at(0x80000000), std::make_unique<Value>(Value{1}));
  t.insert(key_at(0x80000000, false), std::make_unique<Value>(Value{2}));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.find(key_at(0x80000000)), v);
  EXPECT_EQ(t.find(key_at(0x80000000, false))->id, 2u);  // the flags are part of the key
  EXPECT_EQ(t.find(key_at(0x80000002)), nullptr);
  std::unique_ptr<Value> out = t.take(key_at(0x80000000));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->id, 1u);
  EXPECT_EQ(t.find(key_at(0x80000000)), nullptr);
  EXPECT_EQ(t.find(key_at(0x80000000, false))->id, 2u);
  EXPECT_EQ(t.take(key_at(0x80000000)), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

// Random inserts and removals of clustered keys (code addresses, 2-byte aligned, many in a
// few pages) against std::map: every lookup agrees after every operation, across growth
// and backward-shift erasure.
TEST(BlockTable, AgreesWithAReferenceMap) {
  BlockTable<Value> t;
  std::map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(14);
  uint64_t next_id = 1;
  for (int step = 0; step < 60000; ++step) {
    const uint64_t paddr = 0x80200000 + 2 * (rng() % 40000);
    const BlockKey k = key_at(paddr);
    if (rng() % 3 != 0) {
      if (ref.count(paddr) == 0) {
        t.insert(k, std::make_unique<Value>(Value{next_id}));
        ref[paddr] = next_id++;
      }
    } else {
      std::unique_ptr<Value> out = t.take(k);
      auto it = ref.find(paddr);
      ASSERT_EQ(out != nullptr, it != ref.end()) << step;
      if (out) {
        EXPECT_EQ(out->id, it->second);
        ref.erase(it);
      }
    }
    if (step % 997 == 0) {
      for (const auto& [a, id] : ref) {
        const Value* v = t.find(key_at(a));
        ASSERT_NE(v, nullptr) << step;
        ASSERT_EQ(v->id, id) << step;
      }
    }
  }
  EXPECT_EQ(t.size(), ref.size());
  EXPECT_LE(2 * t.size(), t.capacity());
  size_t seen = 0;
  t.for_each([&](BlockKey k, const Value& v) {
    ++seen;
    EXPECT_EQ(ref.at(k.paddr()), v.id);
  });
  EXPECT_EQ(seen, ref.size());
  size_t drained = 0;
  t.drain([&](std::unique_ptr<Value> v) { drained += v != nullptr; });
  EXPECT_EQ(drained, ref.size());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find(key_at(ref.begin()->first)), nullptr);
}

}  // namespace
}  // namespace tiervm
