// The implemented CSRs of an RV64 hart with M, S and U modes (priv spec 1.12, tables
// 2.2-2.5, and the Zicsr/Zicntr chapters of the unprivileged spec), one row each; their
// rules by kind are in csr.cpp.

#include "engine/csr_table.h"

#include <array>

namespace tiervm {

namespace {

// Exceptions that may be delegated to S (priv spec 3.1.8): every implemented cause
// except ecall from M (medeleg[11] is read-only zero) and the reserved codes 10 and 14.
constexpr uint64_t kDelegableExceptions = [] {
  uint64_t m = 0;
  for (Cause c :
       {Cause::InsnMisaligned, Cause::InsnAccess, Cause::IllegalInsn, Cause::Breakpoint,
        Cause::LoadMisaligned, Cause::LoadAccess, Cause::StoreMisaligned, Cause::StoreAccess,
        Cause::EcallU, Cause::EcallS, Cause::InsnPage, Cause::LoadPage, Cause::StorePage}) {
    m |= uint64_t{1} << static_cast<uint64_t>(c);
  }
  return m;
}();

// mcountinhibit is WARL and every bit of it is read-only zero here (priv spec 3.1.13
// permits this): the counters always count, which keeps instret the single source for
// minstret, mcycle and the deterministic clock.
constexpr uint64_t kCountinhibitWritable = 0;

using K = CsrKind;
using G = CsrGate;
using S = HartState;

constexpr CsrRow kTable[] = {
    {0x001, 0x001, "fflags", K::Fp, G::Fs, nullptr, kFcsrFflags},
    {0x002, 0x002, "frm", K::Fp, G::Fs, nullptr, kFcsrFrm},
    {0x003, 0x003, "fcsr", K::Fp, G::Fs, nullptr, kFcsrFrm | kFcsrFflags},
    {kCsrVstart, kCsrVstart, "vstart", K::Vector, G::Vs},
    {kCsrVxsat, kCsrVxsat, "vxsat", K::Vector, G::Vs},
    {kCsrVxrm, kCsrVxrm, "vxrm", K::Vector, G::Vs},
    {kCsrVcsr, kCsrVcsr, "vcsr", K::Vector, G::Vs},

    {0x100, 0x100, "sstatus", K::Status},
    {0x104, 0x104, "sie", K::Ie},
    {0x105, 0x105, "stvec", K::Tvec, G::None, &S::stvec},
    {0x106, 0x106, "scounteren", K::Counteren, G::None, &S::scounteren},
    {0x10a, 0x10a, "senvcfg", K::Envcfg, G::None, &S::senvcfg},
    {0x140, 0x140, "sscratch", K::Scratch, G::None, &S::sscratch},
    {0x141, 0x141, "sepc", K::Epc, G::None, &S::sepc},
    {0x142, 0x142, "scause", K::Cause, G::None, &S::scause},
    {0x143, 0x143, "stval", K::Tval, G::None, &S::stval},
    {0x144, 0x144, "sip", K::Ip},
    {0x180, 0x180, "satp", K::Satp, G::Tvm, &S::satp},

    {0x300, 0x300, "mstatus", K::Status},
    // Read-only misa: the spec allows it (priv spec 3.1.1); the hart sets it at reset.
    {0x301, 0x301, "misa", K::ReadOnly, G::None, &S::misa},
    {0x302, 0x302, "medeleg", K::Warl, G::None, &S::medeleg, kDelegableExceptions},
    {0x303, 0x303, "mideleg", K::Warl, G::None, &S::mideleg, kSupervisorIrqs},
    {0x304, 0x304, "mie", K::Ie},
    {0x305, 0x305, "mtvec", K::Tvec, G::None, &S::mtvec},
    {0x306, 0x306, "mcounteren", K::Counteren, G::None, &S::mcounteren},
    {0x30a, 0x30a, "menvcfg", K::Envcfg, G::None, &S::menvcfg},
    {0x320, 0x320, "mcountinhibit", K::Warl, G::None, &S::mcountinhibit, kCountinhibitWritable},
    {0x323, 0x33f, "mhpmevent3", K::Zero},
    {0x340, 0x340, "mscratch", K::Scratch, G::None, &S::mscratch},
    {0x341, 0x341, "mepc", K::Epc, G::None, &S::mepc},
    {0x342, 0x342, "mcause", K::Cause, G::None, &S::mcause},
    {0x343, 0x343, "mtval", K::Tval, G::None, &S::mtval},
    {0x344, 0x344, "mip", K::Ip},
    {0x3a0, 0x3af, "pmpcfg0", K::Pmpcfg},
    {0x3b0, 0x3ef, "pmpaddr0", K::Pmpaddr},

    // No trigger module: tselect is hard-wired to 0, and tdata1 reads type 0 ("no trigger
    // at this index"), which is how debuggers and riscv-tests detect its absence.
    {0x7a0, 0x7a0, "tselect", K::Zero},
    {0x7a1, 0x7a1, "tdata1", K::Zero},
    {0x7a2, 0x7a2, "tdata2", K::Zero},
    {0x7a3, 0x7a3, "tdata3", K::Zero},

    {0xb00, 0xb00, "mcycle", K::Cycle},
    {0xb02, 0xb02, "minstret", K::Instret},
    {0xb03, 0xb1f, "mhpmcounter3", K::Zero},
    {0xc00, 0xc00, "cycle", K::Cycle, G::Counteren},
    {0xc01, 0xc01, "time", K::Time, G::Counteren},
    {0xc02, 0xc02, "instret", K::Instret, G::Counteren},
    {0xc03, 0xc1f, "hpmcounter3", K::Zero, G::Counteren},
    {kCsrVl, kCsrVl, "vl", K::Vector, G::Vs},
    {kCsrVtype, kCsrVtype, "vtype", K::Vector, G::Vs},
    {kCsrVlenb, kCsrVlenb, "vlenb", K::Vector, G::Vs},

    {0xf11, 0xf11, "mvendorid", K::Zero},
    {0xf12, 0xf12, "marchid", K::Zero},
    {0xf13, 0xf13, "mimpid", K::Zero},
    {0xf14, 0xf14, "mhartid", K::ReadOnly, G::None, &S::mhartid},
    {0xf15, 0xf15, "mconfigptr", K::Zero},
};

constexpr unsigned kCsrNumbers = 4096;

constexpr bool has_field(CsrKind k) {
  return (k >= K::Tvec && k <= K::Tval) || k == K::Warl || k == K::ReadOnly || k == K::Satp;
}

constexpr const CsrRow* row_at(uint16_t number) {
  for (const CsrRow& r : kTable) {
    if (r.first == number) return &r;
  }
  return nullptr;
}

// Sorted, without overlaps, each block within one privilege level; storage exactly where a
// kind needs it; and every mirrored kind with both instances (S at the M number - 0x200),
// each on its own storage.
constexpr bool table_well_formed() {
  unsigned next = 0;
  for (const CsrRow& r : kTable) {
    if (r.first < next || r.last < r.first || r.last >= kCsrNumbers) return false;
    if ((r.first >> 8) != (r.last >> 8)) return false;
    if (has_field(r.kind) != (r.field != nullptr)) return false;
    next = r.last + 1u;
    if (!csr_kind_mirrored(r.kind)) continue;
    if (r.first != r.last) return false;
    const bool m_level = csr_level(r.first) == static_cast<unsigned>(Priv::M);
    if (!m_level && csr_level(r.first) != static_cast<unsigned>(Priv::S)) return false;
    const CsrRow* other = row_at(m_level ? r.first - 0x200 : r.first + 0x200);
    if (other == nullptr || other->kind != r.kind) return false;
    if (r.field != nullptr && r.field == other->field) return false;
  }
  return true;
}
static_assert(table_well_formed());

// Row index + 1 for each CSR number, 0 where none.
constexpr auto kIndex = [] {
  static_assert(std::size(kTable) < 255);
  std::array<uint8_t, kCsrNumbers> index{};
  for (unsigned i = 0; i < std::size(kTable); ++i) {
    for (unsigned n = kTable[i].first; n <= kTable[i].last; ++n) {
      index[n] = static_cast<uint8_t>(i + 1);
    }
  }
  return index;
}();

}  // namespace

std::span<const CsrRow> csr_table() {
  return kTable;
}

const CsrRow* find_csr(uint16_t number) {
  if (number >= kCsrNumbers || kIndex[number] == 0) return nullptr;
  return &kTable[kIndex[number] - 1];
}

}  // namespace tiervm
