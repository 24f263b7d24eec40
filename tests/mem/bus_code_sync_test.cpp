// Code pages when harts run on host threads (Bus::set_threads, docs/smp.md): a page that
// becomes code for one hart loses the other harts' write fast paths only when each of
// them runs its queued on_mark. Until then their stores reach no watcher, so the marking
// hart's fence.i (Bus::sync_code) must drop its code on the page, and keep doing so until
// every other hart has revoked.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "mem/bus.h"

namespace tiervm {
namespace {

constexpr uint64_t kBase = 0x8000'0000;
constexpr uint64_t kPage = kBase + 0x3000;

struct Watcher {
  unsigned id = 0;
  std::vector<uint64_t> revoked;                       // on_mark pages
  std::vector<std::pair<uint64_t, uint64_t>> dropped;  // on_write ranges
};

// Two harts' code watchers on one bus, threaded unless told otherwise.
struct TwoHarts {
  Bus bus;
  Watcher a;
  Watcher b;
  std::vector<unsigned> kicks;
  explicit TwoHarts(bool threads = true) {
    bus.map_ram(kBase, 1 << 20);
    a.id = add(a);
    b.id = add(b);
    if (!threads) return;
    bus.set_threads({[](const std::function<void()>& fn) { fn(); }, [] {}, [] {},
                     [this](unsigned w) { kicks.push_back(w); }});
  }
  ~TwoHarts() { Bus::set_thread_watcher(Bus::kMaxCodeWatchers); }
  unsigned add(Watcher& w) {
    return bus.add_code_watcher(
        {[&w](uint64_t paddr, uint64_t len) { w.dropped.emplace_back(paddr, len); },
         [&w](uint64_t page) { w.revoked.push_back(page); }});
  }
  // Runs as hart `w` (the calling thread is its thread).
  void as(const Watcher& w) { Bus::set_thread_watcher(w.id); }
};

TEST(BusCodeSync, TheMarkingHartRevokesAtOnceTheOthersWhenTheyApply) {
  TwoHarts t;
  t.as(t.b);
  t.bus.mark_code_page(kPage + 0x10, t.b.id);
  EXPECT_EQ(t.b.revoked, std::vector<uint64_t>{kPage});
  EXPECT_TRUE(t.a.revoked.empty());
  EXPECT_EQ(t.kicks, std::vector<unsigned>{t.a.id});
  t.bus.apply_pending(t.a.id);
  EXPECT_EQ(t.a.revoked, std::vector<uint64_t>{kPage});
}

TEST(BusCodeSync, FenceIDropsCodeOfAPageAnotherHartMayStillWriteFast) {
  TwoHarts t;
  t.as(t.b);
  t.bus.mark_code_page(kPage, t.b.id);
  // Hart a has not revoked: every fence.i of b drops b's code on the page.
  t.bus.sync_code(t.b.id);
  t.bus.sync_code(t.b.id);
  const std::pair<uint64_t, uint64_t> whole_page{kPage, kPageSize};
  EXPECT_EQ(t.b.dropped, (std::vector{whole_page, whole_page}));
  // Revoked now, but b's code may predate a's last fast store: one more drop, then none.
  t.bus.apply_pending(t.a.id);
  t.bus.sync_code(t.b.id);
  EXPECT_EQ(t.b.dropped.size(), 3u);
  t.bus.sync_code(t.b.id);
  t.bus.sync_code(t.b.id);
  EXPECT_EQ(t.b.dropped.size(), 3u);
  EXPECT_TRUE(t.a.dropped.empty());
}

TEST(BusCodeSync, APageRevokedEverywhereNeedsNoDrop) {
  TwoHarts t;
  t.as(t.a);
  t.bus.mark_code_page(kPage, t.a.id);
  t.bus.apply_pending(t.b.id);
  ASSERT_EQ(t.b.revoked, std::vector<uint64_t>{kPage});
  // b translates code on a page a marked first and b has revoked: stores reach b's code.
  t.as(t.b);
  t.bus.mark_code_page(kPage, t.b.id);
  t.bus.sync_code(t.b.id);
  EXPECT_TRUE(t.b.dropped.empty());
  // a marked before b revoked: a's first fence.i drops its code once, later ones do not.
  t.as(t.a);
  t.bus.sync_code(t.a.id);
  t.bus.sync_code(t.a.id);
  EXPECT_EQ(t.a.dropped.size(), 1u);
}

TEST(BusCodeSync, ASecondMarkerRevokesItsOwnFastPathsAtOnce) {
  TwoHarts t;
  t.as(t.a);
  t.bus.mark_code_page(kPage, t.a.id);
  // b's on_mark for the page is still queued when b's own code lands on it.
  t.as(t.b);
  t.bus.mark_code_page(kPage, t.b.id);
  EXPECT_EQ(t.b.revoked, std::vector<uint64_t>{kPage});
  // a marked the page first and revoked its own at once: nothing for b to wait for.
  t.bus.sync_code(t.b.id);
  EXPECT_TRUE(t.b.dropped.empty());
}

TEST(BusCodeSync, AStoreToAnotherHartsCodeIsQueuedToIt) {
  TwoHarts t;
  t.as(t.b);
  t.bus.mark_code_page(kPage, t.b.id);
  t.bus.apply_pending(t.a.id);
  t.as(t.a);
  ASSERT_TRUE(t.bus.write(kPage + 8, 4, 0x13));
  EXPECT_TRUE(t.b.dropped.empty());
  t.bus.apply_pending(t.b.id);
  EXPECT_EQ(t.b.dropped, (std::vector<std::pair<uint64_t, uint64_t>>{{kPage + 8, 4}}));
}

TEST(BusCodeSync, WithoutThreadsEveryWatcherRevokesAtOnce) {
  TwoHarts t(false);
  t.bus.mark_code_page(kPage, t.a.id);
  EXPECT_EQ(t.a.revoked, std::vector<uint64_t>{kPage});
  EXPECT_EQ(t.b.revoked, std::vector<uint64_t>{kPage});
}

}  // namespace
}  // namespace tiervm
