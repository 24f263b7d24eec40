#pragma once

#include <cstdint>
#include <memory>

#include "engine/ir.h"

namespace tiervm {

class Hart;

// Longest block, in guest instructions. Blocks also end at a virtual page boundary, at
// control transfers and around serializing instructions.
inline constexpr unsigned kMaxBlockInsns = 64;

// Translates the guest block starting at virtual `pc`, whose first byte is at physical
// `paddr` (already translated for execution). Decodes through the shared decoder and
// emits each instruction's IR with its emitter. Fetch faults on a later page and
// illegal instructions become Trap terminators at the right instruction, so the block is
// precise; a fetch fault's tval is relative to the block's pc, so the block stays right
// under every virtual mapping of its page. Never fails: an emitter that runs out of
// temporaries (a bug) makes its instruction an illegal-instruction trap and is named in the
// block's `error`, which verify_block reports.
//
// With a debugger attached (hart.debug), a block ends before any instruction at a
// breakpoint, and a block that starts at one is empty: it returns to the dispatcher at its
// own pc (IrExit::Return), so no tier runs through a breakpoint without the dispatcher
// seeing it. `single_step` translates exactly one instruction, breakpoints ignored (a
// debugger's step; such a block is not cached).
std::unique_ptr<IrBlock> translate_block(Hart& hart, uint64_t pc, uint64_t paddr,
                                         TranslateFlags flags, bool single_step = false);

// The same into `out` (replaced whole). The IR is built in a per-thread scratch block whose
// vectors keep their capacity, then copied to `out` at its exact size: one allocation per
// vector instead of one per growth step (a Linux boot translates about 40 000 blocks, and
// those growth steps were 360 000 of its 525 000 allocations).
void translate_block_into(IrBlock& out, Hart& hart, uint64_t pc, uint64_t paddr,
                          TranslateFlags flags, bool single_step = false);

}  // namespace tiervm
