#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tiervm {

// One register as gdb numbers it. The numbering is gdb's own for RISC-V (riscv-tdep.h):
// x0-x31 are 0-31, pc 32, f0-f31 33-64, CSR n is 65 + n (so fflags, frm and fcsr are 66,
// 67 and 68, in the FPU feature as QEMU has them), the virtual `priv` register is
// 65 + 4096, and with the vector extension v0-v31 follow it (as in QEMU's numbering).
struct GdbRegister {
  enum class Kind : uint8_t { X, Pc, F, Csr, Priv, V };
  unsigned regno = 0;
  std::string name;
  unsigned bits = 64;
  Kind kind = Kind::X;
  unsigned index = 0;  // x/f register number, or CSR number
};

inline constexpr unsigned kGdbPcRegno = 32;
inline constexpr unsigned kGdbF0Regno = 33;
inline constexpr unsigned kGdbCsrRegno = 65;
inline constexpr unsigned kGdbPrivRegno = kGdbCsrRegno + 4096;
inline constexpr unsigned kGdbV0Regno = kGdbPrivRegno + 1;
// The `g` packet holds x0-x31 and pc, as QEMU's does; gdb reads the rest with `p`.
inline constexpr unsigned kGdbGRegisters = 33;

// The registers of an RV64GC(V) hart and the target description (gdb manual, "Target
// Descriptions"; features org.gnu.gdb.riscv.cpu, .fpu, .csr, .virtual and, with V,
// .vector) naming them.
class GdbRegisterMap {
 public:
  // `csrs`: the CSRs to describe besides fflags, frm and fcsr, as (name, number); `vlenb`:
  // VLEN / 8 of the hart, 0 without the vector extension.
  explicit GdbRegisterMap(const std::vector<std::pair<std::string, uint16_t>>& csrs,
                          unsigned vlenb = 0);
  // nullptr when gdb's number names no register here.
  const GdbRegister* find(unsigned regno) const;
  const std::vector<GdbRegister>& all() const { return regs_; }
  const std::string& target_xml() const { return xml_; }

 private:
  std::vector<GdbRegister> regs_;  // sorted by regno
  std::string xml_;
};

}  // namespace tiervm
