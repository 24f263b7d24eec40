// Zicsr: csrrw/csrrs/csrrc and their immediate forms (unprivileged spec chapter 9). Each is
// one Call to a helper doing the whole read-modify-write on the hart's CSR file, then the
// block returns to the dispatcher: a CSR write may change privilege-dependent state
// (interrupt enables, FS, satp, MPRV) that the dispatcher and translation depend on.

#include <array>
#include <cstdint>
#include <span>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

enum class CsrOp : uint64_t { Write = 0, Set = 1, Clear = 2 };

// The helper's immediate: the instruction word (for the CSR number and the illegal
// instruction's tval), the operation and whether the instruction reads and writes.
constexpr unsigned kOpShift = 32;
constexpr uint64_t kReads = uint64_t{1} << 34;
constexpr uint64_t kWrites = uint64_t{1} << 35;

constexpr uint16_t kMip = 0x344;

uint64_t csr_access(Hart& hart, uint64_t src, uint64_t, uint64_t, int64_t imm) {
  const auto packed = static_cast<uint64_t>(imm);
  const auto word = static_cast<uint32_t>(packed);
  const auto csr = static_cast<uint16_t>(word >> 20);
  const auto op = static_cast<CsrOp>((packed >> kOpShift) & 3);

  uint64_t old = 0;
  if ((packed & kReads) && !hart.csr_read(csr, old)) {
    hart.s.raise(make_trap(Cause::IllegalInsn, word));
    return 0;
  }
  if (packed & kWrites) {
    // In a read-modify-write of mip, only the software-writable SEIP bit takes part, not
    // the value OR-ed with the external interrupt line (priv spec 3.1.9).
    const uint64_t base = csr == kMip ? hart.s.mip : old;
    const uint64_t next = op == CsrOp::Write ? src
                          : op == CsrOp::Set ? (base | src)
                                             : (base & ~src);
    if (!hart.csr_write(csr, next)) {
      hart.s.raise(make_trap(Cause::IllegalInsn, word));
      return 0;
    }
  }
  return old;
}

// csrrw/csrrwi with rd = x0 do not read the CSR; csrrs/csrrc (and immediate forms) with
// rs1 = x0 (or uimm = 0) do not write it (unprivileged spec 9.1, table 9.1).
template <CsrOp Op, bool Immediate>
void emit_csr(IrBuilder& b, const DecodedInsn& d) {
  uint8_t src = IrBuilder::xr(d.rs1);
  bool writes = Op == CsrOp::Write || d.rs1 != 0;
  if constexpr (Immediate) {
    src = b.temp();
    b.mov_imm(src, d.imm);
    writes = Op == CsrOp::Write || d.imm != 0;
  }
  const bool reads = Op != CsrOp::Write || d.rd != 0;
  uint64_t packed = d.word | (static_cast<uint64_t>(Op) << kOpShift);
  if (reads) packed |= kReads;
  if (writes) packed |= kWrites;
  b.call(csr_access, IrBuilder::xw(d.rd), src, 0, 0, static_cast<int64_t>(packed));
  b.ret(emit::next_offset(b, d));
}

constexpr std::array kRows = {
    InsnDef{Ext::Zicsr, "-----------------001-----1110011", "csrrw", "rd,csr,rs1",
            emit_csr<CsrOp::Write, false>, kInsnSerializing},
    InsnDef{Ext::Zicsr, "-----------------010-----1110011", "csrrs", "rd,csr,rs1",
            emit_csr<CsrOp::Set, false>, kInsnSerializing},
    InsnDef{Ext::Zicsr, "-----------------011-----1110011", "csrrc", "rd,csr,rs1",
            emit_csr<CsrOp::Clear, false>, kInsnSerializing},
    InsnDef{Ext::Zicsr, "-----------------101-----1110011", "csrrwi", "rd,csr,zimm",
            emit_csr<CsrOp::Write, true>, kInsnSerializing},
    InsnDef{Ext::Zicsr, "-----------------110-----1110011", "csrrsi", "rd,csr,zimm",
            emit_csr<CsrOp::Set, true>, kInsnSerializing},
    InsnDef{Ext::Zicsr, "-----------------111-----1110011", "csrrci", "rd,csr,zimm",
            emit_csr<CsrOp::Clear, true>, kInsnSerializing},
};

}  // namespace

std::span<const InsnDef> csr_insns() {
  return kRows;
}

}  // namespace tiervm
