#pragma once

#include <cstdint>
#include <span>

#include "engine/hart_state.h"
#include "engine/trap.h"

namespace tiervm {

// The CSR file as data (priv spec 1.12, tables 2.2-2.5): one row per CSR, or per block of
// numbered CSRs such as pmpaddr0..63, saying which kind of register it is and where its
// state lives. The read and write rules of each kind are written once, in csr.cpp. A CSR
// number not in the table is unimplemented: accessing it is an illegal instruction.

// Kinds from Status to Tval have an M instance and an S instance, the S one at the M
// number - 0x200 (mepc 0x341, sepc 0x141). Which instance a row is comes from its number
// (csr_level); a view (sstatus, sie, sip) shares the M instance's storage.
enum class CsrKind : uint8_t {
  Status,     // mstatus; sstatus is a restricted view of it (priv spec 4.1.1)
  Ie,         // mie; sie is its delegated part (4.1.3)
  Ip,         // mip; sip is its delegated part, where only SSIP is writable (4.1.3)
  Tvec,       // xtvec: MODE direct or vectored (3.1.7)
  Counteren,  // xcounteren: enables of the 32 user counters below the mode (3.1.11)
  Envcfg,     // xenvcfg
  Scratch,    // xscratch
  Epc,        // xepc
  Cause,      // xcause
  Tval,       // xtval
  Fp,         // fflags, frm, fcsr: `mask` selects their bits of fcsr (unprivileged spec, F)
  Cycle,      // mcycle and its read-only user shadow cycle
  Instret,    // minstret and its read-only user shadow instret
  Time,       // time: mtime of the board's timer
  Satp,       // satp (4.1.11)
  Pmpcfg,     // pmpcfg0..15 (3.7.1)
  Pmpaddr,    // pmpaddr0..63
  Vector,     // vstart, vxsat, vxrm, vcsr, vl, vtype, vlenb (RVV 1.0 section 3), by number
  Warl,       // `field` with writable bits `mask`; the other bits read as zero
  ReadOnly,   // reads `field`; writes are ignored (or refused by the number)
  Zero,       // reads zero; writes are ignored (or refused by the number)
};

constexpr bool csr_kind_mirrored(CsrKind k) {
  return k <= CsrKind::Tval;
}

// A condition of access beyond the privilege encoded in the number.
enum class CsrGate : uint8_t {
  None,
  Fs,         // illegal while mstatus.FS is Off (priv spec 3.1.6.6)
  Counteren,  // below M, the counter's bit in mcounteren, and for U also in scounteren
  Tvm,        // illegal in S while mstatus.TVM is set (3.1.6.5)
  Vs,         // illegal without V or while mstatus.VS is Off (RVV 1.0 section 3.2)
};

struct CsrRow {
  uint16_t first;  // number of the CSR, or of the first CSR of a block
  uint16_t last;   // == first for a single CSR
  const char* name;
  CsrKind kind;
  CsrGate gate = CsrGate::None;
  uint64_t HartState::*field = nullptr;  // storage, for kinds that are a plain register
  uint64_t mask = 0;                     // Warl: writable bits; Fp: the CSR's bits of fcsr
};

// The rows, sorted by number, without overlaps (checked at compile time).
std::span<const CsrRow> csr_table();
// The row holding CSR `number`, or nullptr when the CSR is not implemented. O(1).
const CsrRow* find_csr(uint16_t number);

// What the number encodes (priv spec 2.1): bits 9:8 are the lowest privilege that may
// access the CSR (and so, for a mirrored kind, the instance); bits 11:10 == 3 mark it
// read-only.
constexpr unsigned csr_level(uint16_t number) {
  return (number >> 8) & 3;
}
constexpr bool csr_read_only(uint16_t number) {
  return ((number >> 10) & 3) == 3;
}

// The supervisor-level interrupts (SSI, STI, SEI): the only ones that may be delegated
// to S (priv spec 3.1.9).
inline constexpr uint64_t kSupervisorIrqs =
    irq_bit(Irq::SSI) | irq_bit(Irq::STI) | irq_bit(Irq::SEI);

// fcsr = frm (bits 7:5) | fflags (bits 4:0): the Fp rows select their bits of it.
inline constexpr uint64_t kFcsrFflags = 0x1f;
inline constexpr uint64_t kFcsrFrm = 0xe0;

// The vector CSRs' numbers (RVV 1.0 section 3).
inline constexpr uint16_t kCsrVstart = 0x008;
inline constexpr uint16_t kCsrVxsat = 0x009;
inline constexpr uint16_t kCsrVxrm = 0x00a;
inline constexpr uint16_t kCsrVcsr = 0x00f;
inline constexpr uint16_t kCsrVl = 0xc20;
inline constexpr uint16_t kCsrVtype = 0xc21;
inline constexpr uint16_t kCsrVlenb = 0xc22;

}  // namespace tiervm
