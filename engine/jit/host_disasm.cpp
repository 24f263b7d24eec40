// LLVM MC disassembly of the code the JIT generated, for the dashboard's block view.
#include "engine/jit/host_disasm.h"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstPrinter.h>
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
  std::string out;
  llvm::raw_string_ostream os(out);
  const llvm::ArrayRef<uint8_t> bytes(code.data(), code.size());
  for (uint64_t off = 0; off < bytes.size();) {
    llvm::MCInst inst;
    uint64_t size = 0;
    const auto status =
        mc.disassembler->getInstruction(inst, size, bytes.slice(off), address + off, llvm::nulls());
    const bool ok = status == llvm::MCDisassembler::Success && size > 0;
    if (!ok) size = 1;
    char head[40];
    std::snprintf(head, sizeof head, "%016" PRIx64 "  ", address + off);
    os << head;
    std::string hex;
    for (uint64_t i = 0; i < size && i < 10; ++i) {
      char b[4];
      std::snprintf(b, sizeof b, "%02x", bytes[off + i]);
      hex += b;
    }
    if (size > 10) hex += "..";
    os << hex << std::string(hex.size() < 22 ? 22 - hex.size() : 1, ' ');
    if (ok) {
      std::string text;
      llvm::raw_string_ostream ts(text);
      mc.printer->printInst(&inst, address + off, "", *mc.subtarget, ts);
      // The printer separates with tabs, which ImGui does not expand.
      const size_t first = text.find_first_not_of(" \t");
      if (first != std::string::npos) text.erase(0, first);
      std::replace(text.begin(), text.end(), '\t', ' ');
      os << text;
    } else {
      char b[16];
      std::snprintf(b, sizeof b, ".byte 0x%02x", bytes[off]);
      os << b;
    }
    os << '\n';
    off += size;
  }
  return out;
}

}  // namespace tiervm
