// The ORC session that compiles lowered blocks (engine/jit/llvm_lowering.cpp turns IR into
// LLVM IR): LLJIT with JITLink, a resource tracker per module, code placement and errors.
// LLVM headers are seen only by engine/jit/*.cpp (this, the lowering, host_disasm.cpp) and
// their tests.
#include "engine/jit/llvm_backend.h"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/ExecutorProcessControl.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/TaskDispatch.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "engine/ir_verify.h"
#include "engine/jit/llvm_lowering.h"

namespace tiervm {

namespace {

std::once_flag g_llvm_init;

}  // namespace

// Records where each generated function was placed and how long it is (its ELF symbol
// size, final after fixups), so the monitor can report host code size and the dashboard
// can disassemble it. Reading sizes from the link graph avoids guessing them from the
// distance to the next function.
class CodePlacementPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                        llvm::jitlink::PassConfiguration& config) override {
    config.PostFixupPasses.push_back([this](llvm::jitlink::LinkGraph& g) {
      std::lock_guard<std::mutex> lock(mutex_);
      for (llvm::jitlink::Symbol* sym : g.defined_symbols()) {
        if (sym->hasName() && sym->isCallable()) sizes_[sym->getName().str()] = sym->getSize();
      }
      return llvm::Error::success();
    });
  }
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override {
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}

  // The size recorded for `name` (forgotten afterwards), or 0.
  uint64_t take_size(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sizes_.find(name);
    if (it == sizes_.end()) return 0;
    const uint64_t size = it->second;
    sizes_.erase(it);
    return size;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, uint64_t> sizes_;
};

namespace {

// An error's message; sets `out_of_memory` when the host refused memory (ENOMEM).
std::string take_message(llvm::Error err, bool& out_of_memory) {
  std::string message;
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase& e) {
    if (e.convertToErrorCode() == std::errc::not_enough_memory) out_of_memory = true;
    if (!message.empty()) message += "; ";
    message += e.message();
  });
  return message;
}

}  // namespace

struct LlvmBackend::Impl {
  struct Jit {
    std::unique_ptr<llvm::orc::LLJIT> jit;
    CodePlacementPlugin* placement = nullptr;  // owned by the jit's object layer
  };
  Jit fast;
  Jit optimizing;
  uint64_t next_module = 1;
  // One tracker per module: removing it unmaps the module's code.
  std::unordered_map<uint64_t, llvm::orc::ResourceTrackerSP> modules;
  // What went wrong in the compile() running now. Errors that ORC's session reports
  // (such as the memory manager failing to map or protect code) come here instead of
  // LLVM's default of printing each on stderr.
  std::string session_error;
  bool out_of_memory = false;

  Jit* jit_for(JitOptLevel level, std::string& error) {
    Jit& slot = level == JitOptLevel::Fast ? fast : optimizing;
    if (slot.jit) return &slot;
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      error = llvm::toString(jtmb.takeError());
      return nullptr;
    }
    jtmb->setCodeGenOptLevel(level == JitOptLevel::Fast ? llvm::CodeGenOptLevel::None
                                                        : llvm::CodeGenOptLevel::Default);
    CodePlacementPlugin* placement = nullptr;
    // JITLink with the process's memory manager, which maps code read-write while it is
    // linked and read-execute afterwards: never writable and executable at once.
    // One compiler thread (ours) and one target machine for every module: LLVM 19 defaults
    // to "concurrent compilation" with its own thread-pool dispatcher, which builds a new
    // TargetMachine (subtarget, lowering tables) for each module, several milliseconds of
    // every region's compile.
    auto epc = llvm::orc::SelfExecutorProcessControl::Create(
        nullptr, std::make_unique<llvm::orc::InPlaceTaskDispatcher>());
    if (!epc) {
      error = llvm::toString(epc.takeError());
      return nullptr;
    }
    auto jit = llvm::orc::LLJITBuilder()
                   .setExecutorProcessControl(std::move(*epc))
                   .setSupportConcurrentCompilation(false)
                   .setJITTargetMachineBuilder(std::move(*jtmb))
                   .setObjectLinkingLayerCreator(
                       [&placement](llvm::orc::ExecutionSession& es, const llvm::Triple&)
                           -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                         auto layer = std::make_unique<llvm::orc::ObjectLinkingLayer>(es);
                         auto plugin = std::make_unique<CodePlacementPlugin>();
                         placement = plugin.get();
                         layer->addPlugin(std::move(plugin));
                         return layer;
                       })
                   .create();
    if (!jit) {
      error = llvm::toString(jit.takeError());
      return nullptr;
    }
    slot.jit = std::move(*jit);
    slot.jit->getExecutionSession().setErrorReporter([this](llvm::Error err) {
      const std::string message = take_message(std::move(err), out_of_memory);
      session_error += session_error.empty() ? message : "; " + message;
    });
    slot.placement = placement;
    return &slot;
  }
};

LlvmBackend::LlvmBackend() : impl_(std::make_unique<Impl>()) {
  std::call_once(g_llvm_init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// Every module's code is removed through its tracker before the trackers are destroyed. A
// tracker destroyed while it still owns code hands it to the JITDylib's default tracker, and
// LLVM 19's ObjectLinkingLayer::handleTransferResources keeps a reference into its
// allocation map across an insertion that may rehash it: a read of freed memory that
// aborted runs now and then, or leaked the code (tests/engine/llvm_backend_test.cpp).
LlvmBackend::~LlvmBackend() {
  for (auto& [id, tracker] : impl_->modules) {
    if (auto err = tracker->remove()) llvm::consumeError(std::move(err));
  }
  impl_->modules.clear();
}

namespace {

void optimize_module(llvm::Module& m) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  // Not the O2 module pipeline: a region is one function with no calls to inline, and
  // what pays in it is promoting the guest registers to SSA (SROA), redundant loads of the
  // hart state and guest memory (EarlyCSE, GVN, LICM), folding (InstCombine) and the CFG.
  // Measured on the bench roms' regions (thread CPU time): 9-17 ms of IR passes per
  // region at O2 -> 3.5-5 ms, nbody's 5 900-instruction region 195 -> 71 ms, with the
  // same host code size and no slower run (docs: /work/notes/t2-perf.md). Unrolling and
  // vectorising only made regions larger.
  static constexpr const char* kRegionPipeline =
      "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,simplifycfg,"
      "loop-mssa(licm),gvn,dse,instcombine<no-verify-fixpoint>,simplifycfg)";
  llvm::ModulePassManager mpm;
  if (auto err = pb.parsePassPipeline(mpm, kRegionPipeline)) {
    llvm::consumeError(std::move(err));
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  mpm.run(m, mam);
}

}  // namespace

std::vector<JitResult> LlvmBackend::compile(const std::vector<JitJob>& jobs, JitOptLevel level,
                                            std::string& error) {
  std::vector<JitResult> results(jobs.size());
  impl_->session_error.clear();
  impl_->out_of_memory = false;
  if (jobs.empty()) return results;
  Impl::Jit* jit = impl_->jit_for(level, error);
  if (jit == nullptr) return results;
  // The session's report says why (the lookup's error only names the symbols).
  auto explain = [this, &error] {
    if (!impl_->session_error.empty()) error = impl_->session_error + " (" + error + ")";
  };

  auto ctx = std::make_unique<llvm::LLVMContext>();
  const uint64_t module_id = impl_->next_module++;
  auto mod = std::make_unique<llvm::Module>("tiervm_m" + std::to_string(module_id), *ctx);
  std::vector<std::string> names(jobs.size());
  const bool verify = ir_verification();
  size_t lowered = 0;
  for (size_t n = 0; n < jobs.size(); ++n) {
    const std::string name = "b" + std::to_string(module_id) + "_" + std::to_string(n);
    llvm::Function* fn = lower_job(*mod, jobs[n], name);
    if (verify) {
      if (const std::string report = verify_lowered(*fn); !report.empty()) {
        // A bug in the lowering: this job fails, the others still compile.
        if (!error.empty()) error += "; ";
        error += "invalid LLVM IR for ";
        error += name;
        error += ": ";
        error += report;
        fn->eraseFromParent();
        continue;
      }
    }
    names[n] = name;
    ++lowered;
  }
  if (lowered == 0) return results;
  if (level == JitOptLevel::Optimize) optimize_module(*mod);
  llvm::orc::ResourceTrackerSP tracker = jit->jit->getMainJITDylib().createResourceTracker();
  if (auto err = jit->jit->addIRModule(
          tracker, llvm::orc::ThreadSafeModule(std::move(mod), std::move(ctx)))) {
    error = take_message(std::move(err), impl_->out_of_memory);
    explain();
    // Removed, not just dropped (see ~LlvmBackend).
    if (auto remove_err = tracker->remove()) llvm::consumeError(std::move(remove_err));
    return results;
  }
  impl_->modules.emplace(module_id, tracker);
  for (size_t n = 0; n < jobs.size(); ++n) {
    results[n].key = jobs[n].key;
    if (names[n].empty()) continue;  // not lowered
    results[n].module = module_id;
    auto sym = jit->jit->lookup(names[n]);
    if (!sym) {
      error = take_message(sym.takeError(), impl_->out_of_memory);
      continue;
    }
    results[n].fn = sym->toPtr<JitFn>();
    results[n].host_bytes =
        static_cast<uint32_t>(std::min<uint64_t>(jit->placement->take_size(names[n]), UINT32_MAX));
  }
  if (!error.empty()) explain();
  return results;
}

bool LlvmBackend::out_of_memory() const {
  return impl_->out_of_memory;
}

void LlvmBackend::release(uint64_t module) {
  auto it = impl_->modules.find(module);
  if (it == impl_->modules.end()) return;
  if (auto err = it->second->remove()) llvm::consumeError(std::move(err));
  impl_->modules.erase(it);
}

size_t LlvmBackend::live_modules() const {
  return impl_->modules.size();
}

std::string LlvmBackend::ir_text(const JitJob& job) {
  llvm::LLVMContext ctx;
  llvm::Module mod("tiervm_ir", ctx);
  llvm::Function* f = lower_job(mod, job, "block");
  std::string out;
  llvm::raw_string_ostream os(out);
  f->print(os);
  return out;
}

}  // namespace tiervm
