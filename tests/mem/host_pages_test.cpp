#include "mem/host_pages.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>

namespace tiervm {
namespace {

TEST(HostPages, OnlyTouchedPagesAreInUse) {
  constexpr size_t kPage = 4096, kPages = 64;
  void* raw =
      mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(raw, MAP_FAILED);
  // Without transparent huge pages, so that a write backs exactly its own page.
  madvise(raw, kPages * kPage, MADV_NOHUGEPAGE);
  auto* base = static_cast<uint8_t*>(raw);
  base[3 * kPage + 100] = 1;
  base[40 * kPage] = 2;
  base[63 * kPage + kPage - 1] = 3;
  const std::vector<uint8_t> in_use = host_pages_in_use(base, kPages * kPage);
  if (in_use.empty()) GTEST_SKIP() << "no /proc/self/pagemap here";
  ASSERT_EQ(in_use.size(), kPages);
  for (size_t i = 0; i < kPages; ++i) {
    EXPECT_EQ(in_use[i], i == 3 || i == 40 || i == 63 ? 1 : 0) << "page " << i;
  }
  // A page written with zeros was touched all the same.
  base[10 * kPage] = 0;
  EXPECT_EQ(host_pages_in_use(base, kPages * kPage)[10], 1);
  // Misaligned: the host cannot tell.
  EXPECT_TRUE(host_pages_in_use(base + 1, kPage).empty());
  munmap(raw, kPages * kPage);
}

}  // namespace
}  // namespace tiervm
