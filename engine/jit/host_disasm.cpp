// LLVM MC disassembly of the code the JIT generated, for the dashboard's block view.
#include "engine/jit/host_disasm.h"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstPrinter.h>
#include <llvm/MC/MCInstrAnalysis.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace tiervm {

namespace {

// The MC objects for the host target, made once (they are immutable after set-up;
// printing uses a fresh MCInst per call, so concurrent callers only share const state).
struct HostMc {
  std::string error;
  llvm::Triple triple;
  std::unique_ptr<llvm::MCRegisterInfo> regs;
  std::unique_ptr<llvm::MCAsmInfo> asm_info;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
  std::unique_ptr<llvm::MCInstrInfo> instrs;
  std::unique_ptr<llvm::MCContext> context;
  std::unique_ptr<llvm::MCDisassembler> disassembler;
  std::unique_ptr<llvm::MCInstPrinter> printer;
  std::unique_ptr<llvm::MCInstrAnalysis> analysis;  // branch targets (may be null)

  HostMc() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetDisassembler();
    const std::string name = llvm::sys::getProcessTriple();
    triple = llvm::Triple(name);
    const llvm::Target* target = llvm::TargetRegistry::lookupTarget(name, error);
    if (target == nullptr) return;
    regs.reset(target->createMCRegInfo(name));
    llvm::MCTargetOptions options;
    if (regs) asm_info.reset(target->createMCAsmInfo(*regs, name, options));
    subtarget.reset(target->createMCSubtargetInfo(name, llvm::sys::getHostCPUName(), ""));
    instrs.reset(target->createMCInstrInfo());
    if (!regs || !asm_info || !subtarget || !instrs) {
      error = "LLVM has no MC support for " + name;
      return;
    }
    context =
        std::make_unique<llvm::MCContext>(triple, asm_info.get(), regs.get(), subtarget.get());
    disassembler.reset(target->createMCDisassembler(*subtarget, *context));
    // Syntax variant 1 is Intel on x86 (0 would be AT&T); other hosts have only one.
    printer.reset(
        target->createMCInstPrinter(triple, triple.isX86() ? 1 : 0, *asm_info, *instrs, *regs));
    if (!disassembler || !printer) {
      error = "LLVM has no disassembler for " + name;
      return;
    }
    printer->setPrintImmHex(true);
    analysis.reset(target->createMCInstrAnalysis(instrs.get()));
    printer->setPrintBranchImmAsAddress(true);  // "jne 0x7f..." rather than "jne 0x67"
  }
};

const HostMc& host_mc() {
  static const HostMc mc;
  return mc;
}

}  // namespace

std::string disassemble_host(std::span<const uint8_t> code, uint64_t address) {
  static std::mutex mutex;  // MCContext and the printer are not thread-safe
  std::lock_guard<std::mutex> lock(mutex);
  const HostMc& mc = host_mc();
  if (!mc.error.empty()) return "(no host disassembler: " + mc.error + ")\n";
  char line[96];
  std::snprintf(line, sizeof line, "; %zu bytes at 0x%016" PRIx64 "\n", code.size(), address);
  std::string out = line;
  const llvm::ArrayRef<uint8_t> bytes(code.data(), code.size());
  for (uint64_t off = 0; off < bytes.size();) {
    llvm::MCInst inst;
    uint64_t size = 0;
    const auto status =
        mc.disassembler->getInstruction(inst, size, bytes.slice(off), address + off, llvm::nulls());
    std::snprintf(line, sizeof line, "+%04" PRIx64 "  ", off);
    out += line;
    if (status != llvm::MCDisassembler::Success || size == 0) {
      std::snprintf(line, sizeof line, ".byte 0x%02x\n", bytes[off]);
      out += line;
      ++off;
      continue;
    }
    std::string text;
    llvm::raw_string_ostream ts(text);
    // x86 branch displacements count from the next instruction, and its printer adds them
    // to the address it is given (llvm-objdump passes the same).
    const uint64_t base = mc.triple.isX86() ? address + off + size : address + off;
    mc.printer->printInst(&inst, base, "", *mc.subtarget, ts);
    // The printer separates with tabs, which ImGui does not expand.
    const size_t first = text.find_first_not_of(" \t");
    if (first != std::string::npos) text.erase(0, first);
    std::replace(text.begin(), text.end(), '\t', ' ');
    // A branch inside the function shows its target as an offset, like the lines.
    uint64_t target = 0;
    if (mc.analysis && mc.analysis->evaluateBranch(inst, address + off, size, target) &&
        target >= address && target < address + bytes.size()) {
      std::snprintf(line, sizeof line, "0x%" PRIx64, target);
      const size_t at = text.rfind(line);
      if (at != std::string::npos) {
        char rel[24];
        std::snprintf(rel, sizeof rel, "+%04" PRIx64, target - address);
        text.replace(at, std::strlen(line), rel);
      }
    }
    out += text;
    out += '\n';
    off += size;
  }
  return out;
}

}  // namespace tiervm
