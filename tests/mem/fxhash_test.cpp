// mem/fxhash.h uses size_t without including <cstddef>; include it first until it does.
#include <cstddef>

#include "mem/fxhash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mem/soft_tlb.h"

namespace tiervm {
namespace {

// mix(state, word) = (rotl(state, 5) ^ word) * seed, modulo 2^64.
TEST(FxHash, KnownValues) {
  // From state 0 the hash is word * seed.
  EXPECT_EQ(FxHash{}(0), 0u);
  EXPECT_EQ(FxHash{}(1), 0x517c'c1b7'2722'0a95u);
  // 0x1000 * seed = seed << 12 (the top three hex digits fall off).
  EXPECT_EQ(FxHash{}(0x1000), 0xcc1b'7272'20a9'5000u);
  // rotl(1, 5) = 32, so mix(1, 0) = seed << 5.
  EXPECT_EQ(FxHash::mix(1, 0), 0x2f98'36e4'e441'52a0u);
  // The rotate wraps the top bit around: rotl(2^63, 5) = 16, and 16 ^ 16 = 0.
  EXPECT_EQ(FxHash::mix(uint64_t{1} << 63, 16), 0u);
}

// Pearson's chi-square statistic of `keys` over the 2^bits buckets chosen by the high bits of
// the hash, as the soft TLB's L2 indexes them.
double chi_square(const std::vector<uint64_t>& keys, unsigned bits) {
  std::vector<unsigned> count(size_t{1} << bits);
  for (uint64_t k : keys) ++count[FxHash{}(k) >> (64 - bits)];
  double expected = static_cast<double>(keys.size()) / static_cast<double>(count.size());
  double chi2 = 0;
  for (unsigned c : count) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

// With b buckets the statistic of a uniform hash has mean b - 1 and standard deviation
// sqrt(2 (b - 1)); allow six deviations.
double chi_square_bound(unsigned bits) {
  double df = static_cast<double>((size_t{1} << bits) - 1);
  return df + 6 * std::sqrt(2 * df);
}

TEST(FxHash, SequentialPagesSpreadOverHighBits) {
  constexpr unsigned kBits = SoftTlb::kL2Bits;
  for (uint64_t mode = 0; mode < kTlbModes; ++mode) {
    std::vector<uint64_t> keys;
    keys.reserve(uint64_t{16} << kBits);
    for (uint64_t page = 0; page < (uint64_t{16} << kBits); ++page) {
      keys.push_back((page << kPageBits) | mode);
    }
    EXPECT_LT(chi_square(keys, kBits), chi_square_bound(kBits)) << "mode " << mode;
  }
}

TEST(FxHash, StridedAndKernelPagesSpreadOverHighBits) {
  constexpr unsigned kBits = SoftTlb::kL2Bits;
  std::vector<uint64_t> strided, kernel;
  for (uint64_t i = 0; i < (uint64_t{16} << kBits); ++i) {
    strided.push_back(i << 21);                           // one page per 2 MiB
    kernel.push_back(0xffff'ffc0'0000'0000 + (i << 12));  // Sv39 upper half
  }
  EXPECT_LT(chi_square(strided, kBits), chi_square_bound(kBits));
  EXPECT_LT(chi_square(kernel, kBits), chi_square_bound(kBits));
}

TEST(FxHash, LowBitsOfPageKeysAreZero) {
  // Why the L2 uses the high bits: the low 12 bits of page << 12 times the seed are all
  // zero, so indexing by low bits would put every page in one bucket.
  for (uint64_t page = 1; page < 1000; ++page) {
    EXPECT_EQ(FxHash{}(page << kPageBits) & kPageMask, 0u);
  }
}

}  // namespace
}  // namespace tiervm
