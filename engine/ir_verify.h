#pragma once

#include <string>

#include "engine/ir.h"

namespace tiervm {

// Checks the invariants every tier relies on: a terminator is present; every op is known,
// a Call has its helper; slots are in range; a temporary is written before it is read, in
// the same guest instruction (temporaries are per instruction); nothing reads the sink
// slot or writes x0 (the builder redirects such writes to the sink); guest instruction
// indices are in range and in order; translation recorded no error. Returns the first
// problem found, or "" for a valid block.
std::string verify_block(const IrBlock& block);

// Whether the engine verifies its IR: each translated block in the code cache (a failure
// is an internal error that aborts with the block's IR) and each function the LLVM
// backend lowers (llvm::verifyFunction; a failure is a compile error). On in debug builds
// and when the environment variable TIERVM_VERIFY_IR is set to anything but "0"; the test
// programs turn it on for every test.
bool ir_verification();
void set_ir_verification(bool on);

}  // namespace tiervm
