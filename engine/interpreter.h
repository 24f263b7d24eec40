#pragma once

#include <cstdint>

#include "engine/ir.h"

namespace tiervm {

class Hart;

// Tier 0: executes a block's IR directly.
//
// On normal completion the block's instructions retire and s.pc is the next pc. When an
// instruction traps, the instructions before it retire, s.pc is the trapping
// instruction's pc, registers hold their values before it, and s.trap_pending is set with
// the trap; the caller takes it. Returns true when the block ran to its terminator.
bool interpret_block(Hart& hart, const IrBlock& block);
// The same with loads and stores probing `l1` instead of the hart's L1 TLB: an array of
// `l1_mask` + 1 entries; one that never hits (tags kTlbNoTag) sends every access
// through the hart's slow path (Hart::load / Hart::store), where a debugger's
// watchpoints are checked.
bool interpret_block(Hart& hart, const IrBlock& block, const struct TlbEntry* l1, uint64_t l1_mask);

// Evaluates one primitive (non-memory, non-call) op; shared with tests and constant folding.
uint64_t eval_alu(IrOp op, uint64_t a, uint64_t b, uint64_t c, int64_t imm);

}  // namespace tiervm
