#pragma once

#include <cstdint>

namespace tiervm {

class Hart;

// The helper the translator calls once per block, before its first instruction that
// writes an f register or fflags: sets mstatus.FS (and SD) Dirty (priv spec 3.1.6.6).
// The LLVM tiers recognise it and set the bits in line (engine/jit/llvm_lowering.cpp).
uint64_t h_fs_dirty(Hart& h, uint64_t, uint64_t, uint64_t, int64_t);

}  // namespace tiervm
