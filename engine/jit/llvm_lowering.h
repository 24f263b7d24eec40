#pragma once

// IR -> LLVM IR. Only engine/jit/*.cpp include this header: LLVM types stay out of the
// engine's interface (DESIGN.md), so it names them by forward declaration only.
#include <string>

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace tiervm {

struct JitJob;

// Lowers one job (a block, or a region of blocks) into a new function `name` of `mod`,
// with the signature of JitFn. Each IR op gets the semantics eval_alu gives it
// (engine/ir_eval.h): the common ops inline, the rare ones through a call to
// tiervm_jit_eval, which is eval_alu itself, so no instruction has two definitions.
llvm::Function* lower_job(llvm::Module& mod, const JitJob& job, const std::string& name);

// "" when `fn` is well-formed LLVM IR, else llvm::verifyFunction's report.
std::string verify_lowered(const llvm::Function& fn);

}  // namespace tiervm
