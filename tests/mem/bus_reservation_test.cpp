// LR/SC and AMOs on the bus when harts run on host threads (Bus::set_threads): a
// reservation is broken by any other store to its granule, even one that writes the value
// already there (no ABA), and LR makes the page leave the stores' fast paths.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "mem/bus.h"

namespace tiervm {
namespace {

constexpr uint64_t kBase = 0x8000'0000;
constexpr uint64_t kWord = kBase + 0x1000;

// One hart's code watcher, run by the test's thread (so its on_marks run at once).
struct ThreadedBus {
  Bus bus;
  int exclusive_sections = 0;
  std::vector<uint64_t> revoked;  // pages the code watcher was told to revoke
  unsigned watcher = 0;
  ThreadedBus() {
    bus.map_ram(kBase, 1 << 20);
    watcher = bus.add_code_watcher({nullptr, [this](uint64_t page) { revoked.push_back(page); }});
    bus.set_threads({[this](const std::function<void()>& fn) {
                       ++exclusive_sections;
                       fn();
                     },
                     [] {}, [] {}, nullptr});
    Bus::set_thread_watcher(watcher);
  }
  ~ThreadedBus() { Bus::set_thread_watcher(Bus::kMaxCodeWatchers); }
};

uint64_t add(uint64_t mem, uint64_t src) {
  return mem + src;
}

TEST(BusReservation, ScSucceedsWithNothingInBetween) {
  ThreadedBus t;
  ASSERT_TRUE(t.bus.write(kWord, 8, 41));
  EXPECT_EQ(t.bus.load_reserved(0, kWord, 8), 41u);
  EXPECT_TRUE(t.bus.store_conditional(0, kWord, 8, 42));
  uint64_t v = 0;
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 42u);
  // An SC clears the reservation: a second one fails and writes nothing.
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 43));
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 42u);
}

TEST(BusReservation, AnotherStoreOfTheSameValueFailsTheSc) {
  ThreadedBus t;
  ASSERT_TRUE(t.bus.write(kWord, 8, 7));
  EXPECT_EQ(t.bus.load_reserved(0, kWord, 8), 7u);
  // Another hart writes 7 over 7 (A -> A): the value alone cannot tell, the SC must fail.
  ASSERT_TRUE(t.bus.write(kWord, 8, 7));
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 8));
  uint64_t v = 0;
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 7u);
}

TEST(BusReservation, AStoreToAnyByteOfTheGranuleFailsTheSc) {
  ThreadedBus t;
  t.bus.load_reserved(1, kWord, 4);
  ASSERT_TRUE(t.bus.write(kWord + 7, 1, 0));
  EXPECT_FALSE(t.bus.store_conditional(1, kWord, 4, 1));
}

TEST(BusReservation, AStoreToAnotherGranuleKeepsTheReservation) {
  ThreadedBus t;
  t.bus.load_reserved(0, kWord, 8);
  ASSERT_TRUE(t.bus.write(kWord + 8, 8, 5));
  EXPECT_TRUE(t.bus.store_conditional(0, kWord, 8, 1));
}

TEST(BusReservation, AnAmoAndADeviceWriteFailTheSc) {
  ThreadedBus t;
  t.bus.load_reserved(0, kWord, 8);
  EXPECT_EQ(t.bus.amo(kWord, 8, 0, add), 0u);  // adds 0: the value does not change
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 1));
  t.bus.load_reserved(0, kWord, 8);
  const uint8_t zero[8] = {};
  ASSERT_TRUE(t.bus.dma_write(kWord, zero));
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 1));
}

TEST(BusReservation, AnotherHartsScFailsThisOne) {
  ThreadedBus t;
  t.bus.load_reserved(0, kWord, 8);
  t.bus.load_reserved(1, kWord, 8);
  EXPECT_TRUE(t.bus.store_conditional(1, kWord, 8, 9));
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 9));
}

TEST(BusReservation, AmoIsAReadModifyWrite) {
  ThreadedBus t;
  ASSERT_TRUE(t.bus.write(kWord, 4, 0xffff'ffff));
  ASSERT_TRUE(t.bus.write(kWord + 4, 4, 0x1234));
  EXPECT_EQ(t.bus.amo(kWord, 4, 1, add), 0xffff'ffffu);
  uint64_t v = 0;
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 0x1234'0000'0000u);  // a 32-bit AMO wraps and leaves the next word alone
}

// Two host threads adding through Bus::amo, as two harts do: no update may be lost.
TEST(BusReservation, AmosFromTwoThreadsAreAtomic) {
  ThreadedBus t;
  constexpr int kAdds = 1'000'000;
  auto adder = [&t] {
    for (int i = 0; i < kAdds; ++i) t.bus.amo(kWord, 8, 1, add);
  };
  std::thread other(adder);
  adder();
  other.join();
  uint64_t v = 0;
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 2u * kAdds);
}

TEST(BusReservation, LrTakesThePageOffTheFastPathsOnce) {
  ThreadedBus t;
  EXPECT_FALSE(t.bus.is_code_page(kWord));
  t.bus.load_reserved(0, kWord, 8);
  EXPECT_TRUE(t.bus.is_code_page(kWord));  // stores to it now reach Bus::write
  EXPECT_EQ(t.revoked, std::vector<uint64_t>{kWord & ~kPageMask});
  t.bus.store_conditional(0, kWord, 8, 1);
  t.bus.load_reserved(0, kWord + 16, 8);
  EXPECT_EQ(t.revoked.size(), 1u);
  // No hart is stopped for it: the others revoke when they next leave guest code.
  EXPECT_EQ(t.exclusive_sections, 0);
}

// Two harts: the test's thread is hart a (slot 0); hart b has not left guest code yet.
struct TwoHartBus : ThreadedBus {
  std::vector<uint64_t> b_revoked;
  std::vector<unsigned> kicks;
  unsigned b = 0;
  TwoHartBus() {
    b = bus.add_code_watcher({nullptr, [this](uint64_t page) { b_revoked.push_back(page); }});
    bus.set_threads({[](const std::function<void()>& fn) { fn(); }, [] {}, [] {},
                     [this](unsigned w) { kicks.push_back(w); }});
  }
};

TEST(BusReservation, AnLrBeforeEveryHartRevokedFailsItsSc) {
  TwoHartBus t;
  ASSERT_TRUE(t.bus.write(kWord, 8, 5));
  EXPECT_EQ(t.bus.load_reserved(0, kWord, 8), 5u);
  EXPECT_EQ(t.kicks, std::vector<unsigned>{t.b});
  EXPECT_TRUE(t.b_revoked.empty());
  // Hart b may still store to the word through its fast path, unseen: the SC must fail.
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 6));
  EXPECT_EQ(t.bus.tentative_reservations(), 1u);
  // Still tentative on the retry until b has run its queued revocation.
  t.bus.load_reserved(0, kWord, 8);
  EXPECT_FALSE(t.bus.store_conditional(0, kWord, 8, 6));
  t.bus.apply_pending(t.b);
  EXPECT_EQ(t.b_revoked, std::vector<uint64_t>{kWord & ~kPageMask});
  t.bus.load_reserved(0, kWord, 8);
  EXPECT_TRUE(t.bus.store_conditional(0, kWord, 8, 6));
  uint64_t v = 0;
  ASSERT_TRUE(t.bus.read(kWord, 8, v));
  EXPECT_EQ(v, 6u);
  EXPECT_EQ(t.bus.tentative_reservations(), 2u);
}

TEST(BusReservation, AnLrOnACodePageRevokedEverywhereIsNotTentative) {
  TwoHartBus t;
  Bus::set_thread_watcher(t.b);
  t.bus.mark_code_page(kWord, t.b);  // b's code: a's revocation is queued
  Bus::set_thread_watcher(t.watcher);
  t.bus.apply_pending(t.watcher);
  t.bus.load_reserved(0, kWord, 8);
  EXPECT_TRUE(t.bus.store_conditional(0, kWord, 8, 1));
  EXPECT_EQ(t.bus.tentative_reservations(), 0u);
}

TEST(BusReservation, AReservedPageWithoutLrsGetsItsFastPathBack) {
  ThreadedBus t;
  t.bus.load_reserved(0, kWord, 8);
  t.bus.store_conditional(0, kWord, 8, 1);
  int stores = 0;
  while (t.bus.is_code_page(kWord) && stores < 100'000) {
    ASSERT_TRUE(t.bus.write(kWord + 8, 8, stores++));
  }
  EXPECT_FALSE(t.bus.is_code_page(kWord));
  EXPECT_GT(stores, 1);
  // While a hart holds a reservation in the page, the mark stays.
  t.bus.load_reserved(0, kWord, 8);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(t.bus.write(kWord + 8, 8, i));
  EXPECT_TRUE(t.bus.is_code_page(kWord));
  EXPECT_TRUE(t.bus.store_conditional(0, kWord, 8, 2));
}

}  // namespace
}  // namespace tiervm
