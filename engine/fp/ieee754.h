#pragma once

// IEEE 754-2008 binary32/binary64 arithmetic with the choices the RISC-V F and D
// extensions make (unprivileged spec, chapters "F" and "D").
//
// Implementation choice: software floating point, written here on integer arithmetic
// (64-bit significands, 128-bit products and quotients), not the host FPU. Reasons:
// - RMM (round to nearest, ties to max magnitude) has no x86 SSE rounding mode; emulating
//   it on the host needs exact error terms per operation (TwoSum, fma residues), which
//   are themselves hard to get right near underflow and overflow.
// - Host FP under g++ needs every operation fenced against constant folding and code
//   motion across fesetround/MXCSR changes: gcc has no `#pragma STDC FENV_ACCESS`, and
//   even -frounding-math (a CMake change) lets it move FP operations across fenv calls
//   (gcc bug 34678); g++ also expands some libm calls inline assuming round-to-nearest
//   (std::rint, seen in fp_host_oracle_test). Add a save/set/restore of MXCSR around each
//   operation, and fix-ups anyway for payload propagation (RISC-V returns the canonical
//   NaN) and for inf*0+qNaN (RISC-V requires NV, x86 does not raise it).
// - Results and flags are bit-identical on every host and every thread, so the
//   interpreter and the JIT tiers (which all call these functions through helpers) can
//   be compared bit for bit.
// Tininess is detected after rounding, as RISC-V specifies ("Subnormal Arithmetic"); x86
// SSE also detects it after rounding (Intel SDM vol. 1, 4.9.1.5), which lets the tests
// use the host FPU as an independent oracle for RNE/RTZ/RDN/RUP.
// Cost: an add is a few tens of host instructions instead of one; FP is rare in the
// workloads we boot. A host fast path (as QEMU's hardfloat: RNE, NX already set, normal
// operands and results) can be added later behind the same functions.
//
// All functions take and return raw bit patterns. Every NaN result is the canonical NaN;
// flags are ORed into `env.flags` (fflags bit layout).

#include <cstdint>

namespace tiervm::fp {

// Rounding modes, with the RISC-V rm/frm encoding (table "Rounding mode encoding").
enum class Rm : uint8_t { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4 };

// Accrued exception flags, with the fflags bit layout.
namespace fflag {
inline constexpr uint32_t NX = 1;   // inexact
inline constexpr uint32_t UF = 2;   // underflow (tiny after rounding and inexact)
inline constexpr uint32_t OF = 4;   // overflow
inline constexpr uint32_t DZ = 8;   // divide by zero
inline constexpr uint32_t NV = 16;  // invalid operation
}  // namespace fflag

inline constexpr uint32_t kCanonicalNaN32 = 0x7fc00000;
inline constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000;

// The rounding mode of one operation and the flags it raised.
struct Env {
  Rm rm = Rm::RNE;
  uint32_t flags = 0;
};

// NaN-boxing (spec "NaN Boxing of Narrower Values"): a single in a 64-bit f register has
// its upper 32 bits all ones; any other pattern reads as the canonical single NaN.
inline uint32_t unbox_f32(uint64_t reg) {
  return (reg >> 32) == 0xffffffff ? static_cast<uint32_t>(reg) : kCanonicalNaN32;
}
inline uint64_t box_f32(uint32_t v) {
  return 0xffffffff00000000ull | v;
}

// ---- Arithmetic (arith.cpp). fma computes a*b+c with a single rounding; the RISC-V
// variants negate operands first (fmsub: c, fnmsub: a, fnmadd: a and c).
uint32_t f32_add(uint32_t a, uint32_t b, Env& env);
uint32_t f32_sub(uint32_t a, uint32_t b, Env& env);
uint32_t f32_mul(uint32_t a, uint32_t b, Env& env);
uint32_t f32_div(uint32_t a, uint32_t b, Env& env);
uint32_t f32_sqrt(uint32_t a, Env& env);
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Env& env);
uint64_t f64_add(uint64_t a, uint64_t b, Env& env);
uint64_t f64_sub(uint64_t a, uint64_t b, Env& env);
uint64_t f64_mul(uint64_t a, uint64_t b, Env& env);
uint64_t f64_div(uint64_t a, uint64_t b, Env& env);
uint64_t f64_sqrt(uint64_t a, Env& env);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Env& env);

// ---- Conversions (convert.cpp). Float to integer rounds by env.rm and saturates out of
// range values with NV (spec table "Domains of float-to-integer conversions"); NaN gives
// the maximum positive value.
uint64_t f32_to_f64(uint32_t a, Env& env);
uint32_t f64_to_f32(uint64_t a, Env& env);
int32_t f32_to_i32(uint32_t a, Env& env);
uint32_t f32_to_u32(uint32_t a, Env& env);
int64_t f32_to_i64(uint32_t a, Env& env);
uint64_t f32_to_u64(uint32_t a, Env& env);
int32_t f64_to_i32(uint64_t a, Env& env);
uint32_t f64_to_u32(uint64_t a, Env& env);
int64_t f64_to_i64(uint64_t a, Env& env);
uint64_t f64_to_u64(uint64_t a, Env& env);
uint32_t i32_to_f32(int32_t a, Env& env);
uint32_t u32_to_f32(uint32_t a, Env& env);
uint32_t i64_to_f32(int64_t a, Env& env);
uint32_t u64_to_f32(uint64_t a, Env& env);
uint64_t i32_to_f64(int32_t a, Env& env);
uint64_t u32_to_f64(uint32_t a, Env& env);
uint64_t i64_to_f64(int64_t a, Env& env);
uint64_t u64_to_f64(uint64_t a, Env& env);

// ---- Comparisons, min/max, classify (compare.cpp). eq is quiet (NV on sNaN only); lt
// and le are signaling (NV on any NaN). min/max are IEEE 754-2019 minimumNumber and
// maximumNumber with -0 < +0 (F extension v2.2).
bool f32_eq(uint32_t a, uint32_t b, Env& env);
bool f32_lt(uint32_t a, uint32_t b, Env& env);
bool f32_le(uint32_t a, uint32_t b, Env& env);
bool f64_eq(uint64_t a, uint64_t b, Env& env);
bool f64_lt(uint64_t a, uint64_t b, Env& env);
bool f64_le(uint64_t a, uint64_t b, Env& env);
uint32_t f32_min(uint32_t a, uint32_t b, Env& env);
uint32_t f32_max(uint32_t a, uint32_t b, Env& env);
uint64_t f64_min(uint64_t a, uint64_t b, Env& env);
uint64_t f64_max(uint64_t a, uint64_t b, Env& env);

// fclass mask (spec table "Format of result of FCLASS instruction"): exactly one bit of
// -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, sNaN, qNaN (bits 0..9).
uint32_t f32_classify(uint32_t a);
uint32_t f64_classify(uint64_t a);

}  // namespace tiervm::fp
