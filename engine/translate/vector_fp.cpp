// Vector floating-point instructions (RVV 1.0 section 13 and the FP reductions of 14.3,
// 14.4, and vfmv.f.s, vfmv.s.f, vfslide1up/down of section 16) at SEW 32 and 64 (16 would
// need Zvfh, which tiervm does not advertise). Arithmetic is the soft-float library in
// engine/fp/ that the scalar F and D instructions use, so a vector element and the scalar
// instruction give the same bits and flags. Like the scalar instructions: illegal while
// mstatus.FS is Off; dynamic rounding from frm (a reserved frm is an illegal instruction
// for the instructions that round); flags of active elements accrue into fflags and make
// FS Dirty, as does vfmv.f.s; a scalar operand f[rs1] of SEW 32 reads as the canonical
// NaN unless it is NaN-boxed. Each row is a helper run by vector_run
// (engine/translate/vector_run.h); tail and masked-off elements are left undisturbed.

#include <bit>
#include <cstdint>
#include <span>
#include <type_traits>

#include "engine/decoder.h"
#include "engine/fp/ieee754.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/ir_eval.h"
#include "engine/translate/vector_emit.h"
#include "engine/translate/vector_inline.h"
#include "engine/translate/vector_run.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

using fp::Env;

// ---- Formats.
struct F32 {
  using T = uint32_t;
  static constexpr unsigned kBits = 32;
  static constexpr T kSign = 0x80000000u;
  static constexpr unsigned kExpBits = 8;
  static T scalar(uint64_t reg) { return fp::unbox_f32(reg); }
  static constexpr auto add = fp::f32_add;
  static constexpr auto sub = fp::f32_sub;
  static constexpr auto mul = fp::f32_mul;
  static constexpr auto div = fp::f32_div;
  static constexpr auto sqrt = fp::f32_sqrt;
  static constexpr auto fma = fp::f32_fma;
  static constexpr auto min = fp::f32_min;
  static constexpr auto max = fp::f32_max;
  static constexpr auto eq = fp::f32_eq;
  static constexpr auto lt = fp::f32_lt;
  static constexpr auto le = fp::f32_le;
  static constexpr auto classify = fp::f32_classify;
  static uint64_t to_int(T a, Env& e) { return static_cast<uint32_t>(fp::f32_to_i32(a, e)); }
  static uint64_t to_uint(T a, Env& e) { return fp::f32_to_u32(a, e); }
  static T from_int(uint64_t a, Env& e) {
    return fp::i32_to_f32(static_cast<int32_t>(static_cast<uint32_t>(a)), e);
  }
  static T from_uint(uint64_t a, Env& e) { return fp::u32_to_f32(static_cast<uint32_t>(a), e); }
};
struct F64 {
  using T = uint64_t;
  static constexpr unsigned kBits = 64;
  static constexpr T kSign = uint64_t{1} << 63;
  static constexpr unsigned kExpBits = 11;
  static T scalar(uint64_t reg) { return reg; }
  static constexpr auto add = fp::f64_add;
  static constexpr auto sub = fp::f64_sub;
  static constexpr auto mul = fp::f64_mul;
  static constexpr auto div = fp::f64_div;
  static constexpr auto sqrt = fp::f64_sqrt;
  static constexpr auto fma = fp::f64_fma;
  static constexpr auto min = fp::f64_min;
  static constexpr auto max = fp::f64_max;
  static constexpr auto eq = fp::f64_eq;
  static constexpr auto lt = fp::f64_lt;
  static constexpr auto le = fp::f64_le;
  static constexpr auto classify = fp::f64_classify;
  static uint64_t to_int(T a, Env& e) { return static_cast<uint64_t>(fp::f64_to_i64(a, e)); }
  static uint64_t to_uint(T a, Env& e) { return fp::f64_to_u64(a, e); }
  static T from_int(uint64_t a, Env& e) { return fp::i64_to_f64(static_cast<int64_t>(a), e); }
  static T from_uint(uint64_t a, Env& e) { return fp::u64_to_f64(a, e); }
};

// The FP element widths: SEW 32 and 64.
bool fp_sew(unsigned sew) {
  return sew == 32 || sew == 64;
}

// What every FP vector helper adds to vector_run: FS must not be Off; the rounding mode is
// frm (Rounds: a reserved frm is illegal); the flags the body raised accrue into fflags
// and make FS Dirty. body(s, f, t, env).
template <bool Rounds, class Body>
uint64_t fp_run(Hart& hart, int64_t imm, Body&& body) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    if ((s.mstatus & mstatus::FS) == 0) return kVectorIllegal;
    Env env;
    if (Rounds) {
      if (s.frm > static_cast<uint32_t>(fp::Rm::RMM)) return kVectorIllegal;
      env.rm = static_cast<fp::Rm>(s.frm);
    }
    const VResult r = body(s, f, t, env);
    if (r && env.flags != 0) {
      s.fflags |= env.flags;
      hart.set_fs_dirty();
    }
    return r;
  });
}

// The second operand of element i: vs1's element or the scalar f[rs1].
template <class F, Src S>
typename F::T fsrc1(HartState& s, const VFields& f, uint64_t freg, uint64_t i) {
  if (S == Src::V) return static_cast<typename F::T>(vget(s, f.vs1, i, F::kBits / 8));
  return F::scalar(freg);
}

// ---- Element operations: a is vs2's element, b the second operand's (vs1 or f[rs1]).
#define TIERVM_FOP(name, expr)                                          \
  struct name {                                                         \
    template <class F>                                                  \
    static typename F::T op(typename F::T a, typename F::T b, Env& e) { \
      (void)a, (void)b, (void)e;                                        \
      return expr;                                                      \
    }                                                                   \
  }
TIERVM_FOP(FAdd, F::add(a, b, e));
TIERVM_FOP(FSub, F::sub(a, b, e));
TIERVM_FOP(FRsub, F::sub(b, a, e));
TIERVM_FOP(FMul, F::mul(a, b, e));
TIERVM_FOP(FDiv, F::div(a, b, e));
TIERVM_FOP(FRdiv, F::div(b, a, e));
TIERVM_FOP(FMin, F::min(a, b, e));
TIERVM_FOP(FMax, F::max(a, b, e));
TIERVM_FOP(FSgnj, static_cast<typename F::T>((a & ~F::kSign) | (b & F::kSign)));
TIERVM_FOP(FSgnjn, static_cast<typename F::T>((a & ~F::kSign) | (~b & F::kSign)));
TIERVM_FOP(FSgnjx, static_cast<typename F::T>(a ^ (b & F::kSign)));
#undef TIERVM_FOP

// Multiply-add (13.6, 13.7): d is vd's element. vfmacc vd = +(vs1 * vs2) + vd, vfnmacc
// -(vs1 * vs2) - vd, vfmsac +(vs1 * vs2) - vd, vfnmsac -(vs1 * vs2) + vd; vfmadd
// +(vs1 * vd) + vs2, vfnmadd -(vs1 * vd) - vs2, vfmsub +(vs1 * vd) - vs2, vfnmsub
// -(vs1 * vd) + vs2. One rounding; negations flip sign bits first, like the scalar fnm*.
#define TIERVM_FMA(name, x, y, z)                                                        \
  struct name {                                                                          \
    template <class F>                                                                   \
    static typename F::T op(typename F::T d, typename F::T a, typename F::T b, Env& e) { \
      const typename F::T n = F::kSign;                                                  \
      (void)n;                                                                           \
      return F::fma(x, y, z, e);                                                         \
    }                                                                                    \
  }
TIERVM_FMA(FMacc, b, a, d);
TIERVM_FMA(FNmacc, static_cast<typename F::T>(b ^ n), a, static_cast<typename F::T>(d ^ n));
TIERVM_FMA(FMsac, b, a, static_cast<typename F::T>(d ^ n));
TIERVM_FMA(FNmsac, static_cast<typename F::T>(b ^ n), a, d);
TIERVM_FMA(FMadd, b, d, a);
TIERVM_FMA(FNmadd, static_cast<typename F::T>(b ^ n), d, static_cast<typename F::T>(a ^ n));
TIERVM_FMA(FMsub, b, d, static_cast<typename F::T>(a ^ n));
TIERVM_FMA(FNmsub, static_cast<typename F::T>(b ^ n), d, a);
#undef TIERVM_FMA

// ---- The host FPU's fast path (engine/ir_eval.h, as the scalar instructions use it): when
// the rounding mode is RNE and NX has already accrued (in fflags or from an earlier
// element), a result the host computes finite and normal has the soft-float's bits and
// raises no flag that is not already set. HostFp<Op>::run gives it, or false for the
// soft-float path.
template <class F>
using HostFloat = std::conditional_t<F::kBits == 32, float, double>;
// The element as an f register holds it (singles NaN-boxed), as ir_eval.h takes it.
template <class F>
uint64_t host_reg(typename F::T v) {
  if constexpr (F::kBits == 32) return uint64_t{v} | 0xffffffff00000000ull;
  return v;
}

template <class Op>
struct HostFp {
  static constexpr bool kHas = false;
  template <class F>
  static bool run(typename F::T, typename F::T, typename F::T, typename F::T&) {
    return false;
  }
};
#define TIERVM_HOST_FOP(name, kind, x, y)                                                \
  template <>                                                                            \
  struct HostFp<name> {                                                                  \
    static constexpr bool kHas = true;                                                   \
    template <class F>                                                                   \
    static bool run(typename F::T, typename F::T a, typename F::T b, typename F::T& r) { \
      uint64_t out = 0;                                                                  \
      if (!ir_eval_detail::fp_host<HostFloat<F>, ir_eval_detail::FpKind::kind>(          \
              host_reg<F>(x), host_reg<F>(y), out)) {                                    \
        return false;                                                                    \
      }                                                                                  \
      r = static_cast<typename F::T>(out);                                               \
      return true;                                                                       \
    }                                                                                    \
  }
TIERVM_HOST_FOP(FAdd, Add, a, b);
TIERVM_HOST_FOP(FSub, Sub, a, b);
TIERVM_HOST_FOP(FRsub, Sub, b, a);
TIERVM_HOST_FOP(FMul, Mul, a, b);
TIERVM_HOST_FOP(FDiv, Div, a, b);
TIERVM_HOST_FOP(FRdiv, Div, b, a);
#undef TIERVM_HOST_FOP
// fma_host<F, negate the product, negate the addend>(x, y, z) = (+-x) * y + (+-z), with the
// operands in the order the TIERVM_FMA rows above give F::fma.
#define TIERVM_HOST_FMA(name, neg_product, neg_addend, x, y, z)                            \
  template <>                                                                              \
  struct HostFp<name> {                                                                    \
    static constexpr bool kHas = true;                                                     \
    template <class F>                                                                     \
    static bool run(typename F::T d, typename F::T a, typename F::T b, typename F::T& r) { \
      uint64_t out = 0;                                                                    \
      if (!ir_eval_detail::fma_host<HostFloat<F>, neg_product, neg_addend, true>(          \
              host_reg<F>(x), host_reg<F>(y), host_reg<F>(z), out)) {                      \
        return false;                                                                      \
      }                                                                                    \
      r = static_cast<typename F::T>(out);                                                 \
      return true;                                                                         \
    }                                                                                      \
  }
TIERVM_HOST_FMA(FMacc, false, false, b, a, d);
TIERVM_HOST_FMA(FNmacc, true, true, b, a, d);
TIERVM_HOST_FMA(FMsac, false, true, b, a, d);
TIERVM_HOST_FMA(FNmsac, true, false, b, a, d);
TIERVM_HOST_FMA(FMadd, false, false, b, d, a);
TIERVM_HOST_FMA(FNmadd, true, true, b, d, a);
TIERVM_HOST_FMA(FMsub, false, true, b, d, a);
TIERVM_HOST_FMA(FNmsub, true, false, b, d, a);
#undef TIERVM_HOST_FMA

// One element of Op: the host's result when HostFp gives it, else the soft-float's. d is
// vd's element (multiply-adds), a vs2's, b the second operand.
template <class F, class Op, bool Fma>
typename F::T fp_element(const HartState& s, typename F::T d, typename F::T a, typename F::T b,
                         Env& env) {
  if constexpr (HostFp<Op>::kHas) {
    if (env.rm == fp::Rm::RNE && ((s.fflags | env.flags) & fp::fflag::NX) != 0) {
      typename F::T r;
      if (HostFp<Op>::template run<F>(d, a, b, r)) return r;
    }
  }
  if constexpr (Fma) {
    return Op::template op<F>(d, a, b, env);
  } else {
    return Op::template op<F>(a, b, env);
  }
}

// A single widened to a double, exactly: the host converts any non-NaN (subnormals too:
// DAZ is off) without a flag; NaNs go to the soft-float (canonical NaN, NV for a signaling
// one).
inline uint64_t widen_f32(uint32_t x, Env& env) {
  if ((x & 0x7fffffffu) > 0x7f800000u) return fp::f32_to_f64(x, env);
  return std::bit_cast<uint64_t>(static_cast<double>(std::bit_cast<float>(x)));
}

// Compares (13.13): vmfeq and vmfne are quiet, the others signaling.
struct FEq {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return F::eq(a, b, e);
  }
};
struct FNe {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return !F::eq(a, b, e);
  }
};
struct FLt {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return F::lt(a, b, e);
  }
};
struct FLe {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return F::le(a, b, e);
  }
};
struct FGt {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return F::lt(b, a, e);
  }
};
struct FGe {
  template <class F>
  static bool op(typename F::T a, typename F::T b, Env& e) {
    return F::le(b, a, e);
  }
};

// Single-width: vd[i] = Op(vs2[i], src1), or with Fma Op(vd[i], vs2[i], src1).
template <class F, class Op, Src S, bool Fma>
void fbinary_elems(HartState& s, const VFields& f, const VType& t, uint64_t freg, Env& env) {
  using T = typename F::T;
  constexpr unsigned kBytes = F::kBits / 8;
  (void)t;
  // In place: single-width groups are the same group or disjoint (as h_binary's).
  for (uint64_t i = s.vstart; i < s.vl; ++i) {
    if (!active(s, f, i)) continue;
    const T a = static_cast<T>(vget(s, f.vs2, i, kBytes));
    const T b = fsrc1<F, S>(s, f, freg, i);
    const T d = Fma ? static_cast<T>(vget(s, f.vd, i, kBytes)) : T{0};
    vset(s, f.vd, i, kBytes, fp_element<F, Op, Fma>(s, d, a, b, env));
  }
}

template <class Op, Src S, bool Fma, bool Rounds = true>
uint64_t h_fbinary(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<Rounds>(hart, imm,
                        [&](HartState& s, const VFields& f, const VType& t, Env& env) -> VResult {
                          const int emul = t.lmul_log2;
                          if (!fp_sew(t.sew) || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
                              (S == Src::V && !vgroup_ok(f.vs1, emul)) || (!f.vm && f.vd == 0)) {
                            return kVectorIllegal;
                          }
                          if (t.sew == 32) {
                            fbinary_elems<F32, Op, S, Fma>(s, f, t, freg, env);
                          } else {
                            fbinary_elems<F64, Op, S, Fma>(s, f, t, freg, env);
                          }
                          return 0;
                        });
}

// Compares into a mask; register rules as the integer compares'.
template <class F, class Cmp, Src S>
void fcompare_elems(HartState& s, const VFields& f, uint64_t freg, Env& env) {
  using T = typename F::T;
  Dest out(s, f.vd, 1);
  for (uint64_t i = s.vstart; i < s.vl; ++i) {
    if (!active(s, f, i)) continue;
    const T a = static_cast<T>(vget(s, f.vs2, i, F::kBits / 8));
    out.set_bit(i, Cmp::template op<F>(a, fsrc1<F, S>(s, f, freg, i), env));
  }
  out.commit();
}

template <class Cmp, Src S>
uint64_t h_fcompare(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<false>(
      hart, imm, [&](HartState& s, const VFields& f, const VType& t, Env& env) -> VResult {
        const int emul = t.lmul_log2;
        const unsigned n = vgroup_regs(emul);
        if (!fp_sew(t.sew) || !vgroup_ok(f.vs2, emul) || (S == Src::V && !vgroup_ok(f.vs1, emul)) ||
            (f.vd != f.vs2 && voverlap(f.vd, 1, f.vs2, n)) ||
            (S == Src::V && f.vd != f.vs1 && voverlap(f.vd, 1, f.vs1, n))) {
          return kVectorIllegal;
        }
        if (t.sew == 32) {
          fcompare_elems<F32, Cmp, S>(s, f, freg, env);
        } else {
          fcompare_elems<F64, Cmp, S>(s, f, freg, env);
        }
        return 0;
      });
}

// ---- Unary operations and conversions. Op::ok(sew) says whether SEW (of vd for the same
// width and narrowing shapes, of vs2 for widening) is legal; Op::op(sew, v, env) maps vs2's
// element to vd's.
enum class Shape { Same, Widen, Narrow };

// Same width, generic over the format.
template <class G>
struct SameFp {
  static bool ok(unsigned sew) { return fp_sew(sew); }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    return sew == 32 ? G::template op<F32>(static_cast<uint32_t>(v), e) : G::template op<F64>(v, e);
  }
};
struct GSqrt {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    return F::sqrt(a, e);
  }
};
struct GClass {
  template <class F>
  static uint64_t op(typename F::T a, Env&) {
    return F::classify(a);
  }
};
struct GToInt {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    return F::to_int(a, e);
  }
};
struct GToUint {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    return F::to_uint(a, e);
  }
};
// Round toward zero whatever frm says (the .rtz conversions).
template <class G>
struct GRtz {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    Env z{fp::Rm::RTZ, 0};
    const uint64_t r = G::template op<F>(a, z);
    e.flags |= z.flags;
    return r;
  }
};
struct GFromInt {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    return F::from_int(a, e);
  }
};
struct GFromUint {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    return F::from_uint(a, e);
  }
};

// vfrsqrt7 and vfrec7 (13.9, 13.10): 7-bit estimates from the spec's tables.
constexpr uint8_t kRsqrt7[128] = {
    52,  51,  50,  48,  47,  46, 44, 43,  42,  41,  40,  39,  38,  36,  35,  34,  33,  32,  31,
    30,  30,  29,  28,  27,  26, 25, 24,  23,  23,  22,  21,  20,  19,  19,  18,  17,  16,  16,
    15,  14,  14,  13,  12,  12, 11, 10,  10,  9,   9,   8,   7,   7,   6,   6,   5,   4,   4,
    3,   3,   2,   2,   1,   1,  0,  127, 125, 123, 121, 119, 118, 116, 114, 113, 111, 109, 108,
    106, 105, 103, 102, 100, 99, 97, 96,  95,  93,  92,  91,  90,  88,  87,  86,  85,  84,  83,
    82,  80,  79,  78,  77,  76, 75, 74,  73,  72,  71,  70,  70,  69,  68,  67,  66,  65,  64,
    63,  63,  62,  61,  60,  59, 59, 58,  57,  56,  56,  55,  54,  53};
constexpr uint8_t kRec7[128] = {
    127, 125, 123, 121, 119, 117, 116, 114, 112, 110, 109, 107, 105, 104, 102, 100, 99, 97, 96,
    94,  93,  91,  90,  88,  87,  85,  84,  83,  81,  80,  79,  77,  76,  75,  74,  72, 71, 70,
    69,  68,  66,  65,  64,  63,  62,  61,  60,  59,  58,  57,  56,  55,  54,  53,  52, 51, 50,
    49,  48,  47,  46,  45,  44,  43,  42,  41,  40,  40,  39,  38,  37,  36,  35,  35, 34, 33,
    32,  31,  31,  30,  29,  28,  28,  27,  26,  25,  25,  24,  23,  23,  22,  21,  21, 20, 19,
    19,  18,  17,  17,  16,  15,  15,  14,  14,  13,  12,  12,  11,  11,  10,  9,   9,  8,  8,
    7,   7,   6,   5,   5,   4,   4,   3,   3,   2,   2,   1,   1,   0};

// fclass bits (fp::f32_classify).
enum : uint32_t {
  kNegInf = 1,
  kNegNormal = 2,
  kNegSub = 4,
  kNegZero = 8,
  kPosZero = 16,
  kPosSub = 32,
  kPosNormal = 64,
  kPosInf = 128,
  kSNaN = 256,
  kQNaN = 512
};

template <class F>
typename F::T canonical_nan() {
  return F::kBits == 32 ? static_cast<typename F::T>(fp::kCanonicalNaN32)
                        : static_cast<typename F::T>(fp::kCanonicalNaN64);
}

// A finite nonzero value as (exponent, significand without its leading one), subnormals
// normalized: the exponent then goes to 0, -1, ... (spec 13.9's "normalize").
template <class F>
void unpack_norm(typename F::T a, int64_t& exp, uint64_t& sig) {
  constexpr unsigned m = F::kBits - 1 - F::kExpBits;
  const uint64_t mask = (uint64_t{1} << m) - 1;
  exp = static_cast<int64_t>((a >> m) & ((uint64_t{1} << F::kExpBits) - 1));
  sig = a & mask;
  if (exp == 0) {
    while ((sig & (uint64_t{1} << (m - 1))) == 0) {
      --exp;
      sig <<= 1;
    }
    sig = (sig << 1) & mask;
  }
}

struct GRsqrt7 {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    using T = typename F::T;
    constexpr unsigned m = F::kBits - 1 - F::kExpBits;
    constexpr int64_t bias = (int64_t{1} << (F::kExpBits - 1)) - 1;
    const uint32_t c = F::classify(a);
    if (c & (kNegInf | kNegNormal | kNegSub | kSNaN)) {
      e.flags |= fp::fflag::NV;
      return canonical_nan<F>();
    }
    if (c & kQNaN) return canonical_nan<F>();
    if (c & (kNegZero | kPosZero)) {
      e.flags |= fp::fflag::DZ;
      return (a & F::kSign) | (((T{1} << F::kExpBits) - 1) << m);  // +-inf
    }
    if (c & kPosInf) return 0;
    int64_t exp;
    uint64_t sig;
    unpack_norm<F>(a, exp, sig);
    const unsigned idx = static_cast<unsigned>(((exp & 1) << 6) | (sig >> (m - 6)));
    const int64_t out_exp = (3 * bias - 1 - exp) / 2;
    return (static_cast<uint64_t>(out_exp) << m) | (uint64_t{kRsqrt7[idx]} << (m - 7));
  }
};

struct GRec7 {
  template <class F>
  static uint64_t op(typename F::T a, Env& e) {
    constexpr unsigned m = F::kBits - 1 - F::kExpBits;
    constexpr int64_t bias = (int64_t{1} << (F::kExpBits - 1)) - 1;
    const uint64_t sign = a & F::kSign;
    const uint64_t inf = ((uint64_t{1} << F::kExpBits) - 1) << m;
    const uint32_t c = F::classify(a);
    if (c & (kNegInf | kPosInf)) return sign;  // +-0
    if (c & (kNegZero | kPosZero)) {
      e.flags |= fp::fflag::DZ;
      return sign | inf;
    }
    if (c & kSNaN) e.flags |= fp::fflag::NV;
    if (c & (kSNaN | kQNaN)) return canonical_nan<F>();
    int64_t exp;
    uint64_t sig;
    unpack_norm<F>(a, exp, sig);
    if (exp < -1) {
      // 1/x overflows: infinity or the largest finite value, by the rounding mode.
      e.flags |= fp::fflag::NX | fp::fflag::OF;
      const bool to_max = e.rm == fp::Rm::RTZ || (e.rm == fp::Rm::RDN && sign == 0) ||
                          (e.rm == fp::Rm::RUP && sign != 0);
      return sign | (to_max ? inf - 1 : inf);
    }
    int64_t out_exp = 2 * bias - 1 - exp;
    uint64_t out_sig = uint64_t{kRec7[sig >> (m - 7)]} << (m - 7);
    if (out_exp <= 0) {
      // Subnormal result: the leading one shifted in.
      out_sig = (out_sig | (uint64_t{1} << m)) >> (1 - out_exp);
      out_exp = 0;
    }
    return sign | (static_cast<uint64_t>(out_exp) << m) | out_sig;
  }
};

// ---- Widening conversions: SEW of vs2 to 2 * SEW of vd.
struct WFToU {  // vfwcvt.xu.f.v: f32 -> u64
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) {
    return fp::f32_to_u64(static_cast<uint32_t>(v), e);
  }
};
struct WFToI {  // vfwcvt.x.f.v: f32 -> i64
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) {
    return static_cast<uint64_t>(fp::f32_to_i64(static_cast<uint32_t>(v), e));
  }
};
struct WUToF {  // vfwcvt.f.xu.v: u16 -> f32, u32 -> f64 (exact)
  static bool ok(unsigned sew) { return sew == 16 || sew == 32; }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    return sew == 16 ? fp::u32_to_f32(static_cast<uint32_t>(v), e)
                     : fp::u32_to_f64(static_cast<uint32_t>(v), e);
  }
};
struct WIToF {  // vfwcvt.f.x.v: i16 -> f32, i32 -> f64 (exact)
  static bool ok(unsigned sew) { return sew == 16 || sew == 32; }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    return sew == 16 ? fp::i32_to_f32(static_cast<int32_t>(sext_bits(v, 16)), e)
                     : fp::i32_to_f64(static_cast<int32_t>(static_cast<uint32_t>(v)), e);
  }
};
struct WFToF {  // vfwcvt.f.f.v: f32 -> f64
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) {
    return fp::f32_to_f64(static_cast<uint32_t>(v), e);
  }
};
template <class W>
struct WRtz {
  static bool ok(unsigned sew) { return W::ok(sew); }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    Env z{fp::Rm::RTZ, 0};
    const uint64_t r = W::op(sew, v, z);
    e.flags |= z.flags;
    return r;
  }
};

// ---- Narrowing conversions: 2 * SEW of vs2 to SEW of vd.
// A float to a 16-bit integer: through the 32-bit conversion, then saturated with NV
// only (the 32-bit conversion's NX does not count for an out-of-range value).
template <bool Signed>
uint64_t f32_to_int16(uint32_t a, Env& e) {
  Env w{e.rm, 0};
  if (Signed) {
    const int32_t r = fp::f32_to_i32(a, w);
    if (r > 32767 || r < -32768) {
      e.flags |= fp::fflag::NV;
      return r > 0 ? 0x7fff : 0x8000;
    }
    e.flags |= w.flags;
    return static_cast<uint16_t>(r);
  }
  const uint32_t r = fp::f32_to_u32(a, w);
  if (r > 0xffff) {
    e.flags |= fp::fflag::NV;
    return 0xffff;
  }
  e.flags |= w.flags;
  return r;
}
struct NFToU {  // vfncvt.xu.f.w: f32 -> u16, f64 -> u32
  static bool ok(unsigned sew) { return sew == 16 || sew == 32; }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    return sew == 16 ? f32_to_int16<false>(static_cast<uint32_t>(v), e) : fp::f64_to_u32(v, e);
  }
};
struct NFToI {  // vfncvt.x.f.w: f32 -> i16, f64 -> i32
  static bool ok(unsigned sew) { return sew == 16 || sew == 32; }
  static uint64_t op(unsigned sew, uint64_t v, Env& e) {
    return sew == 16 ? f32_to_int16<true>(static_cast<uint32_t>(v), e)
                     : static_cast<uint32_t>(fp::f64_to_i32(v, e));
  }
};
struct NUToF {  // vfncvt.f.xu.w: u64 -> f32
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) { return fp::u64_to_f32(v, e); }
};
struct NIToF {  // vfncvt.f.x.w: i64 -> f32
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) {
    return fp::i64_to_f32(static_cast<int64_t>(v), e);
  }
};
struct NFToF {  // vfncvt.f.f.w: f64 -> f32
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) { return fp::f64_to_f32(v, e); }
};
// vfncvt.rod.f.f.w: round to odd = truncate, then set the last bit when inexact.
struct NFToFRod {
  static bool ok(unsigned sew) { return sew == 32; }
  static uint64_t op(unsigned, uint64_t v, Env& e) {
    Env z{fp::Rm::RTZ, 0};
    uint32_t r = fp::f64_to_f32(v, z);
    if ((z.flags & fp::fflag::NX) != 0) r |= 1;
    e.flags |= z.flags;
    return r;
  }
};

template <class Op, Shape Sh, bool Rounds = true>
uint64_t h_funary(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return fp_run<Rounds>(
      hart, imm, [&](HartState& s, const VFields& f, const VType& t, Env& env) -> VResult {
        const int emul = t.lmul_log2;
        const int demul = Sh == Shape::Widen ? emul + 1 : emul;
        const int semul = Sh == Shape::Narrow ? emul + 1 : emul;
        const unsigned dn = vgroup_regs(demul), sn = vgroup_regs(semul);
        bool ok = Op::ok(t.sew) && demul <= 3 && semul <= 3 && vgroup_ok(f.vd, demul) &&
                  vgroup_ok(f.vs2, semul) && (f.vm || f.vd != 0);
        if (Sh == Shape::Widen) ok = ok && vdest_may_overlap(f.vd, demul, f.vs2, semul);
        if (Sh == Shape::Narrow) ok = ok && (f.vd == f.vs2 || !voverlap(f.vd, dn, f.vs2, sn));
        if (!ok) return kVectorIllegal;
        const unsigned sb = (Sh == Shape::Narrow ? 2 : 1) * t.sew_bytes();
        const unsigned db = (Sh == Shape::Widen ? 2 : 1) * t.sew_bytes();
        Dest out(s, f.vd, dn);
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          out.set(i, db, Op::op(t.sew, vget(s, f.vs2, i, sb), env));
        }
        out.commit();
        return 0;
      });
}

// ---- Widening arithmetic (13.3, 13.5, 13.7): vd has 2 * SEW bits (SEW = 32); vs2 too for
// the .w forms (WideA). Narrow operands are converted to f64 exactly (an sNaN raises NV
// there), then the f64 operation rounds once.
template <class Op, Src S, bool WideA, bool Fma>
uint64_t h_fwiden(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<true>(
      hart, imm, [&](HartState& s, const VFields& f, const VType& t, Env& env) -> VResult {
        const int emul = t.lmul_log2, wemul = emul + 1;
        if (t.sew != 32 || wemul > 3 || !vgroup_ok(f.vd, wemul) ||
            !vgroup_ok(f.vs2, WideA ? wemul : emul) || (!f.vm && f.vd == 0) ||
            (!WideA && !vdest_may_overlap(f.vd, wemul, f.vs2, emul)) ||
            (S == Src::V &&
             (!vgroup_ok(f.vs1, emul) || !vdest_may_overlap(f.vd, wemul, f.vs1, emul)))) {
          return kVectorIllegal;
        }
        // In place, in element order, as the integer h_widen.
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          const uint64_t a = WideA ? vget(s, f.vs2, i, 8)
                                   : widen_f32(static_cast<uint32_t>(vget(s, f.vs2, i, 4)), env);
          const uint64_t b = widen_f32(fsrc1<F32, S>(s, f, freg, i), env);
          const uint64_t d = Fma ? vget(s, f.vd, i, 8) : 0;
          vset(s, f.vd, i, 8, fp_element<F64, Op, Fma>(s, d, a, b, env));
        }
        return 0;
      });
}

// ---- Reductions (14.3, 14.4): vd[0] = vs1[0] combined with the active vs2[i] in element
// order (the unordered sums use the ordered order too, like QEMU). Wide: vs2's SEW-32
// elements converted to f64, vs1[0] and vd[0] f64. vstart must be 0.
template <class F, class Op, bool Wide>
void freduce_elems(HartState& s, const VFields& f, Env& env) {
  using T = typename F::T;
  if (s.vl == 0) return;
  const unsigned ab = Wide ? 8 : F::kBits / 8;
  uint64_t acc = vget(s, f.vs1, 0, ab);
  for (uint64_t i = 0; i < s.vl; ++i) {
    if (!active(s, f, i)) continue;
    if constexpr (Wide) {
      const uint64_t e = fp::f32_to_f64(static_cast<uint32_t>(vget(s, f.vs2, i, 4)), env);
      acc = Op::template op<F64>(acc, e, env);
    } else {
      acc = Op::template op<F>(static_cast<T>(acc), static_cast<T>(vget(s, f.vs2, i, ab)), env);
    }
  }
  vset(s, f.vd, 0, ab, acc);
}

template <class Op, bool Wide, bool Rounds>
uint64_t h_freduce(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return fp_run<Rounds>(hart, imm,
                        [&](HartState& s, const VFields& f, const VType& t, Env& env) -> VResult {
                          if (s.vstart != 0 || !vgroup_ok(f.vs2, t.lmul_log2) || !fp_sew(t.sew) ||
                              (Wide && t.sew != 32)) {
                            return kVectorIllegal;
                          }
                          if (t.sew == 32) {
                            freduce_elems<F32, Op, Wide>(s, f, env);
                          } else {
                            freduce_elems<F64, Op, Wide>(s, f, env);
                          }
                          return 0;
                        });
}

// ---- Moves, merge, slides.
// The scalar f[rs1] as a SEW-bit element.
uint64_t scalar_elem(unsigned sew, uint64_t freg) {
  return sew == 32 ? F32::scalar(freg) : freg;
}

// vfmerge.vfm (vm = 0): vd[i] = v0[i] ? f[rs1] : vs2[i]; vfmv.v.f (vm = 1, vs2 = 0).
uint64_t h_fmerge(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<false>(
      hart, imm, [&](HartState& s, const VFields& f, const VType& t, Env&) -> VResult {
        const int emul = t.lmul_log2;
        if (!fp_sew(t.sew) || !vgroup_ok(f.vd, emul) ||
            (!f.vm && (f.vd == 0 || !vgroup_ok(f.vs2, emul)))) {
          return kVectorIllegal;
        }
        const unsigned bytes = t.sew_bytes();
        const uint64_t x = scalar_elem(t.sew, freg);
        Dest out(s, f.vd, vgroup_regs(emul));
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          out.set(i, bytes, f.vm || vmask_bit(s, 0, i) ? x : vget(s, f.vs2, i, bytes));
        }
        out.commit();
        return 0;
      });
}

// vfmv.f.s: f[rd] = vs2[0] (NaN-boxed at SEW 32), whatever vl and vstart are.
uint64_t h_fmv_f_s(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return fp_run<false>(hart, imm,
                       [&](HartState& s, const VFields& f, const VType& t, Env&) -> VResult {
                         if (!fp_sew(t.sew)) return kVectorIllegal;
                         hart.set_fs_dirty();
                         const uint64_t v = vget(s, f.vs2, 0, t.sew_bytes());
                         return t.sew == 32 ? fp::box_f32(static_cast<uint32_t>(v)) : v;
                       });
}

// vfmv.s.f: vd[0] = f[rs1] when vstart < vl.
uint64_t h_fmv_s_f(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<false>(hart, imm,
                       [&](HartState& s, const VFields& f, const VType& t, Env&) -> VResult {
                         if (!fp_sew(t.sew)) return kVectorIllegal;
                         if (s.vstart < s.vl) {
                           vset(s, f.vd, 0, t.sew_bytes(), scalar_elem(t.sew, freg));
                         }
                         return 0;
                       });
}

// vfslide1up.vf / vfslide1down.vf (16.3.3, 16.3.4) with f[rs1].
template <bool Up>
uint64_t h_fslide1(Hart& hart, uint64_t freg, uint64_t, uint64_t, int64_t imm) {
  return fp_run<false>(hart, imm,
                       [&](HartState& s, const VFields& f, const VType& t, Env&) -> VResult {
                         const int emul = t.lmul_log2;
                         const unsigned n = vgroup_regs(emul);
                         if (!fp_sew(t.sew) || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
                             (!f.vm && f.vd == 0) || (Up && voverlap(f.vd, n, f.vs2, n))) {
                           return kVectorIllegal;
                         }
                         const unsigned bytes = t.sew_bytes();
                         const uint64_t x = scalar_elem(t.sew, freg);
                         Dest out(s, f.vd, n);
                         for (uint64_t i = s.vstart; i < s.vl; ++i) {
                           if (!active(s, f, i)) continue;
                           if (Up) {
                             out.set(i, bytes, i == 0 ? x : vget(s, f.vs2, i - 1, bytes));
                           } else {
                             out.set(i, bytes, i + 1 == s.vl ? x : vget(s, f.vs2, i + 1, bytes));
                           }
                         }
                         out.commit();
                         return 0;
                       });
}

using emit::vector_call;
using emit::vector_call_f;
using emit::vector_call_fw;

#define OPFVV "001"
#define OPFVF "101"

// .vv and .vf forms of a single-width operation.
#define FVV(f6, name, op)                                       \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVV), name ".vv", "vd,vs2,vs1,vm", \
        vector_call<h_fbinary<op, Src::V, false>>               \
  }
#define FVF(f6, name, op)                                       \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVF), name ".vf", "vd,vs2,fs1,vm", \
        vector_call_f<h_fbinary<op, Src::X, false>>             \
  }
#define FVV_NR(f6, name, op)                                    \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVV), name ".vv", "vd,vs2,vs1,vm", \
        vector_call<h_fbinary<op, Src::V, false, false>>        \
  }
#define FVF_NR(f6, name, op)                                    \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVF), name ".vf", "vd,vs2,fs1,vm", \
        vector_call_f<h_fbinary<op, Src::X, false, false>>      \
  }
// Multiply-add: the assembler order is vd, vs1/fs1, vs2.
#define FMA_VV(f6, name, op)                                    \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVV), name ".vv", "vd,vs1,vs2,vm", \
        vector_call<h_fbinary<op, Src::V, true>>                \
  }
#define FMA_VF(f6, name, op)                                    \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVF), name ".vf", "vd,fs1,vs2,vm", \
        vector_call_f<h_fbinary<op, Src::X, true>>              \
  }
#define FCMP_VV(f6, name, op)                                   \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVV), name ".vv", "vd,vs2,vs1,vm", \
        vector_call<h_fcompare<op, Src::V>>                     \
  }
#define FCMP_VF(f6, name, op)                                   \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPFVF), name ".vf", "vd,vs2,fs1,vm", \
        vector_call_f<h_fcompare<op, Src::X>>                   \
  }
// VFUNARY0 / VFUNARY1 rows: funct6 and the vs1 field select the operation.
#define FUN(f6, vs1, name, op, shape) \
  { Ext::V, TIERVM_OPV_VS1(f6, vs1, OPFVV), name, "vd,vs2,vm", vector_call<h_funary<op, (shape)>> }
#define FUN_NR(f6, vs1, name, op, shape)                       \
  {                                                            \
    Ext::V, TIERVM_OPV_VS1(f6, vs1, OPFVV), name, "vd,vs2,vm", \
        vector_call<h_funary<op, (shape), false>>              \
  }
#define FW_VV(f6, name, op, wide, fma, args) \
  { Ext::V, TIERVM_OPV(f6, OPFVV), name, args, vector_call<h_fwiden<op, Src::V, (wide), (fma)>> }
#define FW_VF(f6, name, op, wide, fma, args) \
  { Ext::V, TIERVM_OPV(f6, OPFVF), name, args, vector_call_f<h_fwiden<op, Src::X, (wide), (fma)>> }
#define FRED(f6, name, op, wide, rounds)                  \
  {                                                       \
    Ext::V, TIERVM_OPV(f6, OPFVV), name, "vd,vs2,vs1,vm", \
        vector_call<h_freduce<op, (wide), (rounds)>>      \
  }

const InsnDef kRows[] = {
    FVV("000000", "vfadd", FAdd),
    FVF("000000", "vfadd", FAdd),
    FVV("000010", "vfsub", FSub),
    FVF("000010", "vfsub", FSub),
    FVF("100111", "vfrsub", FRsub),
    FVV("100100", "vfmul", FMul),
    FVF("100100", "vfmul", FMul),
    FVV("100000", "vfdiv", FDiv),
    FVF("100000", "vfdiv", FDiv),
    FVF("100001", "vfrdiv", FRdiv),
    FVV_NR("000100", "vfmin", FMin),
    FVF_NR("000100", "vfmin", FMin),
    FVV_NR("000110", "vfmax", FMax),
    FVF_NR("000110", "vfmax", FMax),
    FVV_NR("001000", "vfsgnj", FSgnj),
    FVF_NR("001000", "vfsgnj", FSgnj),
    FVV_NR("001001", "vfsgnjn", FSgnjn),
    FVF_NR("001001", "vfsgnjn", FSgnjn),
    FVV_NR("001010", "vfsgnjx", FSgnjx),
    FVF_NR("001010", "vfsgnjx", FSgnjx),
    FMA_VV("101100", "vfmacc", FMacc),
    FMA_VF("101100", "vfmacc", FMacc),
    FMA_VV("101101", "vfnmacc", FNmacc),
    FMA_VF("101101", "vfnmacc", FNmacc),
    FMA_VV("101110", "vfmsac", FMsac),
    FMA_VF("101110", "vfmsac", FMsac),
    FMA_VV("101111", "vfnmsac", FNmsac),
    FMA_VF("101111", "vfnmsac", FNmsac),
    FMA_VV("101000", "vfmadd", FMadd),
    FMA_VF("101000", "vfmadd", FMadd),
    FMA_VV("101001", "vfnmadd", FNmadd),
    FMA_VF("101001", "vfnmadd", FNmadd),
    FMA_VV("101010", "vfmsub", FMsub),
    FMA_VF("101010", "vfmsub", FMsub),
    FMA_VV("101011", "vfnmsub", FNmsub),
    FMA_VF("101011", "vfnmsub", FNmsub),
    // Compares.
    FCMP_VV("011000", "vmfeq", FEq),
    FCMP_VF("011000", "vmfeq", FEq),
    FCMP_VV("011100", "vmfne", FNe),
    FCMP_VF("011100", "vmfne", FNe),
    FCMP_VV("011011", "vmflt", FLt),
    FCMP_VF("011011", "vmflt", FLt),
    FCMP_VV("011001", "vmfle", FLe),
    FCMP_VF("011001", "vmfle", FLe),
    FCMP_VF("011101", "vmfgt", FGt),
    FCMP_VF("011111", "vmfge", FGe),
    // VFUNARY1.
    FUN("010011", "00000", "vfsqrt.v", SameFp<GSqrt>, Shape::Same),
    FUN_NR("010011", "00100", "vfrsqrt7.v", SameFp<GRsqrt7>, Shape::Same),
    FUN("010011", "00101", "vfrec7.v", SameFp<GRec7>, Shape::Same),
    FUN_NR("010011", "10000", "vfclass.v", SameFp<GClass>, Shape::Same),
    // VFUNARY0: single-width, widening and narrowing conversions.
    FUN("010010", "00000", "vfcvt.xu.f.v", SameFp<GToUint>, Shape::Same),
    FUN("010010", "00001", "vfcvt.x.f.v", SameFp<GToInt>, Shape::Same),
    FUN("010010", "00010", "vfcvt.f.xu.v", SameFp<GFromUint>, Shape::Same),
    FUN("010010", "00011", "vfcvt.f.x.v", SameFp<GFromInt>, Shape::Same),
    FUN("010010", "00110", "vfcvt.rtz.xu.f.v", SameFp<GRtz<GToUint>>, Shape::Same),
    FUN("010010", "00111", "vfcvt.rtz.x.f.v", SameFp<GRtz<GToInt>>, Shape::Same),
    FUN("010010", "01000", "vfwcvt.xu.f.v", WFToU, Shape::Widen),
    FUN("010010", "01001", "vfwcvt.x.f.v", WFToI, Shape::Widen),
    FUN("010010", "01010", "vfwcvt.f.xu.v", WUToF, Shape::Widen),
    FUN("010010", "01011", "vfwcvt.f.x.v", WIToF, Shape::Widen),
    FUN("010010", "01100", "vfwcvt.f.f.v", WFToF, Shape::Widen),
    FUN("010010", "01110", "vfwcvt.rtz.xu.f.v", WRtz<WFToU>, Shape::Widen),
    FUN("010010", "01111", "vfwcvt.rtz.x.f.v", WRtz<WFToI>, Shape::Widen),
    FUN("010010", "10000", "vfncvt.xu.f.w", NFToU, Shape::Narrow),
    FUN("010010", "10001", "vfncvt.x.f.w", NFToI, Shape::Narrow),
    FUN("010010", "10010", "vfncvt.f.xu.w", NUToF, Shape::Narrow),
    FUN("010010", "10011", "vfncvt.f.x.w", NIToF, Shape::Narrow),
    FUN("010010", "10100", "vfncvt.f.f.w", NFToF, Shape::Narrow),
    FUN("010010", "10101", "vfncvt.rod.f.f.w", NFToFRod, Shape::Narrow),
    FUN("010010", "10110", "vfncvt.rtz.xu.f.w", WRtz<NFToU>, Shape::Narrow),
    FUN("010010", "10111", "vfncvt.rtz.x.f.w", WRtz<NFToI>, Shape::Narrow),
    // Widening arithmetic.
    FW_VV("110000", "vfwadd.vv", FAdd, false, false, "vd,vs2,vs1,vm"),
    FW_VF("110000", "vfwadd.vf", FAdd, false, false, "vd,vs2,fs1,vm"),
    FW_VV("110010", "vfwsub.vv", FSub, false, false, "vd,vs2,vs1,vm"),
    FW_VF("110010", "vfwsub.vf", FSub, false, false, "vd,vs2,fs1,vm"),
    FW_VV("110100", "vfwadd.wv", FAdd, true, false, "vd,vs2,vs1,vm"),
    FW_VF("110100", "vfwadd.wf", FAdd, true, false, "vd,vs2,fs1,vm"),
    FW_VV("110110", "vfwsub.wv", FSub, true, false, "vd,vs2,vs1,vm"),
    FW_VF("110110", "vfwsub.wf", FSub, true, false, "vd,vs2,fs1,vm"),
    FW_VV("111000", "vfwmul.vv", FMul, false, false, "vd,vs2,vs1,vm"),
    FW_VF("111000", "vfwmul.vf", FMul, false, false, "vd,vs2,fs1,vm"),
    FW_VV("111100", "vfwmacc.vv", FMacc, false, true, "vd,vs1,vs2,vm"),
    FW_VF("111100", "vfwmacc.vf", FMacc, false, true, "vd,fs1,vs2,vm"),
    FW_VV("111101", "vfwnmacc.vv", FNmacc, false, true, "vd,vs1,vs2,vm"),
    FW_VF("111101", "vfwnmacc.vf", FNmacc, false, true, "vd,fs1,vs2,vm"),
    FW_VV("111110", "vfwmsac.vv", FMsac, false, true, "vd,vs1,vs2,vm"),
    FW_VF("111110", "vfwmsac.vf", FMsac, false, true, "vd,fs1,vs2,vm"),
    FW_VV("111111", "vfwnmsac.vv", FNmsac, false, true, "vd,vs1,vs2,vm"),
    FW_VF("111111", "vfwnmsac.vf", FNmsac, false, true, "vd,fs1,vs2,vm"),
    // Reductions.
    FRED("000001", "vfredusum.vs", FAdd, false, true),
    FRED("000011", "vfredosum.vs", FAdd, false, true),
    FRED("000101", "vfredmin.vs", FMin, false, false),
    FRED("000111", "vfredmax.vs", FMax, false, false),
    FRED("110001", "vfwredusum.vs", FAdd, true, true),
    FRED("110011", "vfwredosum.vs", FAdd, true, true),
    // Moves, merge, slides.
    {Ext::V, "0101110----------" OPFVF "-----1010111", "vfmerge.vfm", "vd,vs2,fs1,v0",
     vector_call_f<h_fmerge>},
    {Ext::V, "010111100000-----" OPFVF "-----1010111", "vfmv.v.f", "vd,fs1",
     vector_call_f<h_fmerge>},
    {Ext::V, "0100001-----00000" OPFVV "-----1010111", "vfmv.f.s", "fd,vs2",
     vector_call_fw<h_fmv_f_s>},
    {Ext::V, "010000100000-----" OPFVF "-----1010111", "vfmv.s.f", "vd,fs1",
     vector_call_f<h_fmv_s_f>},
    {Ext::V, TIERVM_OPV("001110", OPFVF), "vfslide1up.vf", "vd,vs2,fs1,vm",
     vector_call_f<h_fslide1<true>>},
    {Ext::V, TIERVM_OPV("001111", OPFVF), "vfslide1down.vf", "vd,vs2,fs1,vm",
     vector_call_f<h_fslide1<false>>},
};

// The rows above whose operation the LLVM tiers may run on the host FPU in line.
#define VIN_F(op, fma)                                                               \
  {&h_fbinary<op, Src::V, fma>, {VInlineKind::FBinary, VElemOp::op, VOperand::V}}, { \
    &h_fbinary<op, Src::X, fma>, {                                                   \
      VInlineKind::FBinary, VElemOp::op, VOperand::X                                 \
    }                                                                                \
  }
const VInlineEntry kInline[] = {
    VIN_F(FAdd, false), VIN_F(FSub, false),  VIN_F(FRsub, false), VIN_F(FMul, false),
    VIN_F(FDiv, false), VIN_F(FRdiv, false), VIN_F(FMacc, true),  VIN_F(FNmacc, true),
    VIN_F(FMsac, true), VIN_F(FNmsac, true), VIN_F(FMadd, true),  VIN_F(FNmadd, true),
    VIN_F(FMsub, true), VIN_F(FNmsub, true),
};
#undef VIN_F

}  // namespace

std::span<const InsnDef> vector_fp_insns() {
  return kRows;
}

std::span<const VInlineEntry> vector_fp_inline() {
  return kInline;
}

}  // namespace tiervm
