#include "engine/gdb/gdb_registers.h"

#include <algorithm>

namespace tiervm {

namespace {

// The ABI names gdb's RISC-V target expects in the cpu and fpu features (QEMU's
// gdb-xml/riscv-64bit-cpu.xml and -fpu.xml use the same).
constexpr const char* kXNames[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                     "fp",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                     "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                     "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr const char* kFNames[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                     "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                     "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                     "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

std::string reg_xml(const GdbRegister& r, const char* type) {
  return "  <reg name=\"" + r.name + "\" bitsize=\"" + std::to_string(r.bits) + "\" regnum=\"" +
         std::to_string(r.regno) + "\" type=\"" + type + "\"/>\n";
}

}  // namespace

GdbRegisterMap::GdbRegisterMap(const std::vector<std::pair<std::string, uint16_t>>& csrs,
                               unsigned vlenb) {
  using K = GdbRegister::Kind;
  std::string cpu, fpu, csr, virt;
  for (unsigned i = 0; i < 32; ++i) {
    regs_.push_back({i, kXNames[i], 64, K::X, i});
    cpu += reg_xml(regs_.back(), i == 1 ? "code_ptr" : (i == 2 || i == 8 ? "data_ptr" : "int"));
  }
  regs_.push_back({kGdbPcRegno, "pc", 64, K::Pc, 0});
  cpu += reg_xml(regs_.back(), "code_ptr");
  for (unsigned i = 0; i < 32; ++i) {
    regs_.push_back({kGdbF0Regno + i, kFNames[i], 64, K::F, i});
    fpu += reg_xml(regs_.back(), "ieee_double");
  }
  const std::pair<const char*, uint16_t> fp_csrs[] = {{"fflags", 1}, {"frm", 2}, {"fcsr", 3}};
  for (const auto& [name, n] : fp_csrs) {
    regs_.push_back({kGdbCsrRegno + n, name, 32, K::Csr, n});
    fpu += reg_xml(regs_.back(), "int");
  }
  for (const auto& [name, n] : csrs) {
    if (n >= 1 && n <= 3) continue;
    regs_.push_back({kGdbCsrRegno + n, name, 64, K::Csr, n});
    csr += reg_xml(regs_.back(), "int");
  }
  regs_.push_back({kGdbPrivRegno, "priv", 64, K::Priv, 0});
  virt += reg_xml(regs_.back(), "int");
  // The vector registers as QEMU describes them (gdb-xml from riscv_gen_dynamic_vector_xml):
  // a union of the register as bytes, halfwords, words, doublewords and quadwords.
  std::string vector;
  if (vlenb != 0) {
    const std::string n = std::to_string(vlenb);
    vector =
        "  <vector id=\"bytes\" type=\"uint8\" count=\"" + n + "\"/>\n" +
        "  <vector id=\"shorts\" type=\"uint16\" count=\"" + std::to_string(vlenb / 2) + "\"/>\n" +
        "  <vector id=\"words\" type=\"uint32\" count=\"" + std::to_string(vlenb / 4) + "\"/>\n" +
        "  <vector id=\"longs\" type=\"uint64\" count=\"" + std::to_string(vlenb / 8) + "\"/>\n" +
        "  <vector id=\"quads\" type=\"uint128\" count=\"" + std::to_string(vlenb / 16) + "\"/>\n" +
        "  <union id=\"riscv_vector\">\n    <field name=\"b\" type=\"bytes\"/>\n"
        "    <field name=\"s\" type=\"shorts\"/>\n    <field name=\"w\" type=\"words\"/>\n"
        "    <field name=\"l\" type=\"longs\"/>\n    <field name=\"q\" type=\"quads\"/>\n"
        "  </union>\n";
    for (unsigned i = 0; i < 32; ++i) {
      regs_.push_back({kGdbV0Regno + i, "v" + std::to_string(i), vlenb * 8, K::V, i});
      vector += reg_xml(regs_.back(), "riscv_vector");
    }
  }
  std::sort(regs_.begin(), regs_.end(),
            [](const GdbRegister& a, const GdbRegister& b) { return a.regno < b.regno; });

  xml_ =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
      "<architecture>riscv:rv64</architecture>\n"
      "<feature name=\"org.gnu.gdb.riscv.cpu\">\n" +
      cpu + "</feature>\n<feature name=\"org.gnu.gdb.riscv.fpu\">\n" + fpu +
      "</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n" + csr +
      "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n" + virt + "</feature>\n" +
      (vector.empty() ? ""
                      : "<feature name=\"org.gnu.gdb.riscv.vector\">\n" + vector + "</feature>\n") +
      "</target>\n";
}

const GdbRegister* GdbRegisterMap::find(unsigned regno) const {
  auto it = std::lower_bound(regs_.begin(), regs_.end(), regno,
                             [](const GdbRegister& r, unsigned n) { return r.regno < n; });
  return it != regs_.end() && it->regno == regno ? &*it : nullptr;
}

}  // namespace tiervm
