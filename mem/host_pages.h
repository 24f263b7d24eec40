#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tiervm {

// Which 4 KiB pages of [base, base + bytes) (page-aligned, anonymous memory of this
// process) the host has ever backed: one flag per page, set for a page that is present or
// swapped out, clear for one never touched, which reads as zero. From /proc/self/pagemap
// (Linux's pagemap.rst: bit 63 present, bit 62 swapped). Empty when the host cannot tell
// (no pagemap, other page size): then every page must be read.
//
// It lets a snapshot skip most of an untouched guest RAM without reading it: each first
// read of an untouched page costs a page fault (0.5 s for 256 MiB, measured).
std::vector<uint8_t> host_pages_in_use(const uint8_t* base, size_t bytes);

}  // namespace tiervm
