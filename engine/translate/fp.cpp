// RV64F and RV64D: decoder rows, IR emitters and the helpers they call (unprivileged
// spec, chapters "F" and "D"). Arithmetic is the soft-float library in engine/fp/.
//
// Loads, stores and moves are plain IR; everything that rounds, compares or raises flags
// is a Call to a helper below, or, for add/sub/mul/div/sqrt and the compares, an FP op
// whose host fast path (engine/ir_eval.h) gives the helper's bits when it can. A helper's
// `imm` carries the instruction's rm field in bits 2..0 and its bits (the tval of an
// illegal-instruction trap) above.

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>

#include "engine/decoder.h"
#include "engine/fp/ieee754.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/ir_eval.h"
#include "engine/translate/fs_dirty.h"

namespace tiervm {
namespace {

constexpr unsigned kRmDynamic = 7;
// Or-ing this NaN-boxes a single in a 64-bit f register.
constexpr int64_t kBoxBits = static_cast<int64_t>(0xffffffff00000000ull);

// The instruction bits an illegal-instruction trap reports in tval (priv spec 3.1.16):
// the 16 fetched bits for a compressed instruction.
uint32_t insn_bits(const DecodedInsn& d) {
  return d.length == 2 ? d.raw : d.word;
}

int64_t helper_imm(const DecodedInsn& d) {
  return static_cast<int64_t>((uint64_t{insn_bits(d)} << 3) | (d.rm & 7u));
}

// ---- Helper side.

// The rounding mode of the instruction: static, or frm for DYN. A reserved frm (101..111)
// raises an illegal instruction, as the ratified F extension requires.
bool resolve_rm(Hart& h, int64_t imm, fp::Env& env) {
  unsigned rm = static_cast<unsigned>(imm & 7);
  if (rm == kRmDynamic) rm = h.s.frm;
  if (rm > static_cast<unsigned>(fp::Rm::RMM)) {
    h.s.raise(make_trap(Cause::IllegalInsn, static_cast<uint64_t>(imm) >> 3));
    return false;
  }
  env.rm = static_cast<fp::Rm>(rm);
  return true;
}

// Accrues flags. FS becomes Dirty whenever an f register or fflags may have changed
// (priv spec 3.1.6.6).
void accrue(Hart& h, const fp::Env& env, bool writes_freg) {
  h.s.fflags |= env.flags;
  if (writes_freg || env.flags != 0) h.set_fs_dirty();
}

// How a format sits in a 64-bit f register.
struct S {
  using T = uint32_t;
  static constexpr T kSign = 0x80000000u;
  static T in(uint64_t reg) { return fp::unbox_f32(reg); }
  static uint64_t out(T v) { return fp::box_f32(v); }
};
struct D {
  using T = uint64_t;
  static constexpr T kSign = uint64_t{1} << 63;
  static T in(uint64_t reg) { return reg; }
  static uint64_t out(T v) { return v; }
};
// Integer register operands and results: W forms read the low 32 bits and sign-extend
// their 32-bit result (F extension, "Conversion and Move Instructions").
template <class Int>
struct X {
  using T = Int;
  static T in(uint64_t reg) { return static_cast<T>(reg); }
  static uint64_t out(T v) {
    if constexpr (sizeof(T) == 4) {
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
    } else {
      return static_cast<uint64_t>(v);
    }
  }
};

template <class Out>
constexpr bool kWritesFreg = std::is_same_v<Out, S> || std::is_same_v<Out, D>;

// One rounding operand: fsqrt, fcvt between formats and to/from integers.
template <class In, class Out, typename Out::T (*Op)(typename In::T, fp::Env&)>
uint64_t h_unary(Hart& h, uint64_t a, uint64_t, uint64_t, int64_t imm) {
  fp::Env env;
  if (!resolve_rm(h, imm, env)) return 0;
  const auto r = Op(In::in(a), env);
  accrue(h, env, kWritesFreg<Out>);
  return Out::out(r);
}

// add, sub, mul, div: the definition the IR's FP ops fall back to (engine/ir_eval.h gives
// their host fast path).
template <class F, typename F::T (*Op)(typename F::T, typename F::T, fp::Env&)>
uint64_t h_binary(Hart& h, uint64_t a, uint64_t b, uint64_t, int64_t imm) {
  fp::Env env;
  if (!resolve_rm(h, imm, env)) return 0;
  const auto r = Op(F::in(a), F::in(b), env);
  accrue(h, env, true);
  return F::out(r);
}

template <class F, typename F::T (*Op)(typename F::T, fp::Env&)>
uint64_t h_sqrt(Hart& h, uint64_t a, uint64_t, uint64_t, int64_t imm) {
  fp::Env env;
  if (!resolve_rm(h, imm, env)) return 0;
  const auto r = Op(F::in(a), env);
  accrue(h, env, true);
  return F::out(r);
}

// fmadd (+a*b + c), fmsub (+a*b - c), fnmsub (-a*b + c), fnmadd (-a*b - c). Negating an
// operand is exact, and the NaN cases do not depend on signs. The definition of the FMA
// ops (engine/ir_eval.h, fma_host, gives their host fast path).
template <class F, typename F::T (*Fma)(typename F::T, typename F::T, typename F::T, fp::Env&),
          bool kNegProduct, bool kNegAddend>
uint64_t h_fma(Hart& h, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  const typename F::T x = F::in(a) ^ (kNegProduct ? F::kSign : 0);
  const typename F::T z = F::in(c) ^ (kNegAddend ? F::kSign : 0);
  fp::Env env;
  if (!resolve_rm(h, imm, env)) return 0;
  const auto r = Fma(x, F::in(b), z, env);
  accrue(h, env, true);
  return F::out(r);
}

// fmin/fmax: no rounding, may raise NV.
template <class F, typename F::T (*Op)(typename F::T, typename F::T, fp::Env&)>
uint64_t h_min_max(Hart& h, uint64_t a, uint64_t b, uint64_t, int64_t) {
  fp::Env env;
  const auto r = Op(F::in(a), F::in(b), env);
  accrue(h, env, true);
  return F::out(r);
}

template <class F, bool (*Op)(typename F::T, typename F::T, fp::Env&)>
uint64_t h_compare(Hart& h, uint64_t a, uint64_t b, uint64_t, int64_t) {
  fp::Env env;
  const bool r = Op(F::in(a), F::in(b), env);
  accrue(h, env, false);
  return r;
}

enum class Sgnj { Copy, Negate, Xor };

// Sign injection sets no flags and keeps NaN payloads (of properly boxed inputs).
template <class F, Sgnj kMode>
uint64_t h_sgnj(Hart& h, uint64_t a, uint64_t b, uint64_t, int64_t) {
  const typename F::T x = F::in(a);
  const typename F::T y = F::in(b);
  typename F::T sign = y & F::kSign;
  if constexpr (kMode == Sgnj::Negate) sign ^= F::kSign;
  if constexpr (kMode == Sgnj::Xor) sign ^= x & F::kSign;
  h.set_fs_dirty();
  return F::out((x & ~F::kSign) | sign);
}

template <class F, uint32_t (*Op)(typename F::T)>
uint64_t h_classify(Hart&, uint64_t a, uint64_t, uint64_t, int64_t) {
  return Op(F::in(a));
}

// ---- Emitter side.

using B = IrBuilder;

// FP instructions are illegal while mstatus.FS is Off (priv spec 3.1.6.6), and so are
// the reserved static rounding modes 101 and 110 (F extension, "Rounding mode encoding").
bool fp_legal(IrBuilder& b, const DecodedInsn& d, bool has_rm) {
  const bool reserved_rm = has_rm && (d.rm == 5 || d.rm == 6);
  if (b.flags().fp_enabled && !reserved_rm) return true;
  b.trap(make_trap(Cause::IllegalInsn, insn_bits(d)));
  return false;
}

void mark_dirty(IrBuilder& b) {
  if (b.first_fs_write()) b.call(&h_fs_dirty, kSlotSink);
}

// fd, fs1, fs2, rm
template <IrHelper H>
void emit_f_ff_rm(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, true)) b.call(H, B::fr(d.rd), B::fr(d.rs1), B::fr(d.rs2), 0, helper_imm(d));
}
// fd, fs1, fs2, rm: an op with a host fast path, H its definition
template <IrOp kOp, IrHelper H>
void emit_fp_ff_rm(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, true)) b.fp(kOp, H, B::fr(d.rd), B::fr(d.rs1), B::fr(d.rs2), helper_imm(d));
}
// fd, fs1, rm
template <IrOp kOp, IrHelper H>
void emit_fp_f_rm(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, true)) b.fp(kOp, H, B::fr(d.rd), B::fr(d.rs1), 0, helper_imm(d));
}
// rd, fs1, fs2
template <IrOp kOp, IrHelper H>
void emit_fp_x_ff(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.fp(kOp, H, B::xw(d.rd), B::fr(d.rs1), B::fr(d.rs2));
}
// fd, fs1, fs2, fs3, rm
template <IrOp kOp, IrHelper H>
void emit_fp_fff_rm(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, true)) return;
  b.fp(kOp, H, B::fr(d.rd), B::fr(d.rs1), B::fr(d.rs2), helper_imm(d), B::fr(d.rs3));
}
// rd, fs1, rm
template <IrOp kOp, IrHelper H>
void emit_fp_x_f_rm(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, true)) b.fp(kOp, H, B::xw(d.rd), B::fr(d.rs1), 0, helper_imm(d));
}
// fd, rs1, rm
template <IrOp kOp, IrHelper H>
void emit_fp_f_x_rm(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, true)) b.fp(kOp, H, B::fr(d.rd), B::xr(d.rs1), 0, helper_imm(d));
}
// fd, fs1, fs2 (no rounding)
template <IrOp kOp, IrHelper H>
void emit_fp_ff(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.fp(kOp, H, B::fr(d.rd), B::fr(d.rs1), B::fr(d.rs2));
}
// rd, fs1
template <IrHelper H>
void emit_x_f(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.call(H, B::xw(d.rd), B::fr(d.rs1));
}

// Loads and stores move bits unchanged (NaN payloads included); flw NaN-boxes.
void emit_flw(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, false)) return;
  const uint8_t t = b.temp();
  b.op(IrOp::Load32U, t, B::xr(d.rs1), 0, d.imm);
  b.op(IrOp::OrImm, B::fr(d.rd), t, 0, kBoxBits);
  mark_dirty(b);
}
void emit_fld(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, false)) return;
  const uint8_t t = b.temp();
  b.op(IrOp::Load64, t, B::xr(d.rs1), 0, d.imm);
  b.op(IrOp::Mov, B::fr(d.rd), t);
  mark_dirty(b);
}
void emit_fsw(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.op(IrOp::Store32, kSlotSink, B::xr(d.rs1), B::fr(d.rs2), d.imm);
}
void emit_fsd(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.op(IrOp::Store64, kSlotSink, B::xr(d.rs1), B::fr(d.rs2), d.imm);
}
// fmv.x.w sign-extends the low 32 bits, boxed or not; fmv.w.x NaN-boxes.
void emit_fmv_x_w(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.op(IrOp::SextW, B::xw(d.rd), B::fr(d.rs1));
}
void emit_fmv_x_d(IrBuilder& b, const DecodedInsn& d) {
  if (fp_legal(b, d, false)) b.op(IrOp::Mov, B::xw(d.rd), B::fr(d.rs1));
}
void emit_fmv_w_x(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, false)) return;
  b.op(IrOp::OrImm, B::fr(d.rd), B::xr(d.rs1), 0, kBoxBits);
  mark_dirty(b);
}
void emit_fmv_d_x(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, false)) return;
  b.op(IrOp::Mov, B::fr(d.rd), B::xr(d.rs1));
  mark_dirty(b);
}

// fsgnj.d, fsgnjn.d, fsgnjx.d on 64-bit registers are bit operations (no flags, NaN
// payloads kept): plain IR, with the common one-register forms fmv.d, fneg.d and fabs.d
// as one op. (The single forms unbox their operands and stay helpers.)
template <Sgnj kMode>
void emit_fsgnj_d(IrBuilder& b, const DecodedInsn& d) {
  if (!fp_legal(b, d, false)) return;
  constexpr int64_t kSign = INT64_MIN;
  const uint8_t x = B::fr(d.rs1);
  const uint8_t fd = B::fr(d.rd);
  if (d.rs1 == d.rs2) {
    if constexpr (kMode == Sgnj::Copy) b.op(IrOp::Mov, fd, x);
    if constexpr (kMode == Sgnj::Negate) b.op(IrOp::XorImm, fd, x, 0, kSign);
    if constexpr (kMode == Sgnj::Xor) b.op(IrOp::AndImm, fd, x, 0, ~kSign);
  } else {
    const uint8_t sign = b.temp();
    b.op(IrOp::AndImm, sign, B::fr(d.rs2), 0, kSign);
    if constexpr (kMode == Sgnj::Negate) b.op(IrOp::XorImm, sign, sign, 0, kSign);
    if constexpr (kMode == Sgnj::Xor) {
      b.op(IrOp::Xor, fd, x, sign);
    } else {
      const uint8_t magnitude = b.temp();
      b.op(IrOp::AndImm, magnitude, x, 0, ~kSign);
      b.op(IrOp::Or, fd, magnitude, sign);
    }
  }
  mark_dirty(b);
}

using I32 = X<int32_t>;
using U32 = X<uint32_t>;
using I64 = X<int64_t>;
using U64 = X<uint64_t>;

// Patterns: funct7/rs3+fmt | rs2 | rs1 | funct3 or rm | rd | opcode, MSB first.
constexpr InsnDef kFpInsns[] = {
    {Ext::F, "-----------------010-----0000111", "flw", "fd,imm_i(rs1)", &emit_flw},
    {Ext::D, "-----------------011-----0000111", "fld", "fd,imm_i(rs1)", &emit_fld},
    {Ext::F, "-----------------010-----0100111", "fsw", "fs2,imm_s(rs1)", &emit_fsw},
    {Ext::D, "-----------------011-----0100111", "fsd", "fs2,imm_s(rs1)", &emit_fsd},

    {Ext::F, "-----00------------------1000011", "fmadd.s", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FMAddS, &h_fma<S, &fp::f32_fma, false, false>>},
    {Ext::F, "-----00------------------1000111", "fmsub.s", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FMSubS, &h_fma<S, &fp::f32_fma, false, true>>},
    {Ext::F, "-----00------------------1001011", "fnmsub.s", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FNMSubS, &h_fma<S, &fp::f32_fma, true, false>>},
    {Ext::F, "-----00------------------1001111", "fnmadd.s", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FNMAddS, &h_fma<S, &fp::f32_fma, true, true>>},
    {Ext::D, "-----01------------------1000011", "fmadd.d", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FMAddD, &h_fma<D, &fp::f64_fma, false, false>>},
    {Ext::D, "-----01------------------1000111", "fmsub.d", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FMSubD, &h_fma<D, &fp::f64_fma, false, true>>},
    {Ext::D, "-----01------------------1001011", "fnmsub.d", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FNMSubD, &h_fma<D, &fp::f64_fma, true, false>>},
    {Ext::D, "-----01------------------1001111", "fnmadd.d", "fd,fs1,fs2,fs3,rm",
     &emit_fp_fff_rm<IrOp::FNMAddD, &h_fma<D, &fp::f64_fma, true, true>>},

    {Ext::F, "0000000------------------1010011", "fadd.s", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FAddS, &h_binary<S, &fp::f32_add>>},
    {Ext::F, "0000100------------------1010011", "fsub.s", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FSubS, &h_binary<S, &fp::f32_sub>>},
    {Ext::F, "0001000------------------1010011", "fmul.s", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FMulS, &h_binary<S, &fp::f32_mul>>},
    {Ext::F, "0001100------------------1010011", "fdiv.s", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FDivS, &h_binary<S, &fp::f32_div>>},
    {Ext::F, "010110000000-------------1010011", "fsqrt.s", "fd,fs1,rm",
     &emit_fp_f_rm<IrOp::FSqrtS, &h_sqrt<S, &fp::f32_sqrt>>},
    {Ext::D, "0000001------------------1010011", "fadd.d", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FAddD, &h_binary<D, &fp::f64_add>>},
    {Ext::D, "0000101------------------1010011", "fsub.d", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FSubD, &h_binary<D, &fp::f64_sub>>},
    {Ext::D, "0001001------------------1010011", "fmul.d", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FMulD, &h_binary<D, &fp::f64_mul>>},
    {Ext::D, "0001101------------------1010011", "fdiv.d", "fd,fs1,fs2,rm",
     &emit_fp_ff_rm<IrOp::FDivD, &h_binary<D, &fp::f64_div>>},
    {Ext::D, "010110100000-------------1010011", "fsqrt.d", "fd,fs1,rm",
     &emit_fp_f_rm<IrOp::FSqrtD, &h_sqrt<D, &fp::f64_sqrt>>},

    {Ext::F, "0010000----------000-----1010011", "fsgnj.s", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FSgnjS, &h_sgnj<S, Sgnj::Copy>>},
    {Ext::F, "0010000----------001-----1010011", "fsgnjn.s", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FSgnjnS, &h_sgnj<S, Sgnj::Negate>>},
    {Ext::F, "0010000----------010-----1010011", "fsgnjx.s", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FSgnjxS, &h_sgnj<S, Sgnj::Xor>>},
    {Ext::D, "0010001----------000-----1010011", "fsgnj.d", "fd,fs1,fs2",
     &emit_fsgnj_d<Sgnj::Copy>},
    {Ext::D, "0010001----------001-----1010011", "fsgnjn.d", "fd,fs1,fs2",
     &emit_fsgnj_d<Sgnj::Negate>},
    {Ext::D, "0010001----------010-----1010011", "fsgnjx.d", "fd,fs1,fs2",
     &emit_fsgnj_d<Sgnj::Xor>},
    {Ext::F, "0010100----------000-----1010011", "fmin.s", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FMinS, &h_min_max<S, &fp::f32_min>>},
    {Ext::F, "0010100----------001-----1010011", "fmax.s", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FMaxS, &h_min_max<S, &fp::f32_max>>},
    {Ext::D, "0010101----------000-----1010011", "fmin.d", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FMinD, &h_min_max<D, &fp::f64_min>>},
    {Ext::D, "0010101----------001-----1010011", "fmax.d", "fd,fs1,fs2",
     &emit_fp_ff<IrOp::FMaxD, &h_min_max<D, &fp::f64_max>>},

    {Ext::F, "110000000000-------------1010011", "fcvt.w.s", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtWS, &h_unary<S, I32, &fp::f32_to_i32>>},
    {Ext::F, "110000000001-------------1010011", "fcvt.wu.s", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtWUS, &h_unary<S, U32, &fp::f32_to_u32>>},
    {Ext::F, "110000000010-------------1010011", "fcvt.l.s", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtLS, &h_unary<S, I64, &fp::f32_to_i64>>},
    {Ext::F, "110000000011-------------1010011", "fcvt.lu.s", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtLUS, &h_unary<S, U64, &fp::f32_to_u64>>},
    {Ext::D, "110000100000-------------1010011", "fcvt.w.d", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtWD, &h_unary<D, I32, &fp::f64_to_i32>>},
    {Ext::D, "110000100001-------------1010011", "fcvt.wu.d", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtWUD, &h_unary<D, U32, &fp::f64_to_u32>>},
    {Ext::D, "110000100010-------------1010011", "fcvt.l.d", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtLD, &h_unary<D, I64, &fp::f64_to_i64>>},
    {Ext::D, "110000100011-------------1010011", "fcvt.lu.d", "rd,fs1,rm",
     &emit_fp_x_f_rm<IrOp::FCvtLUD, &h_unary<D, U64, &fp::f64_to_u64>>},
    {Ext::F, "110100000000-------------1010011", "fcvt.s.w", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtSW, &h_unary<I32, S, &fp::i32_to_f32>>},
    {Ext::F, "110100000001-------------1010011", "fcvt.s.wu", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtSWU, &h_unary<U32, S, &fp::u32_to_f32>>},
    {Ext::F, "110100000010-------------1010011", "fcvt.s.l", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtSL, &h_unary<I64, S, &fp::i64_to_f32>>},
    {Ext::F, "110100000011-------------1010011", "fcvt.s.lu", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtSLU, &h_unary<U64, S, &fp::u64_to_f32>>},
    {Ext::D, "110100100000-------------1010011", "fcvt.d.w", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtDW, &h_unary<I32, D, &fp::i32_to_f64>>},
    {Ext::D, "110100100001-------------1010011", "fcvt.d.wu", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtDWU, &h_unary<U32, D, &fp::u32_to_f64>>},
    {Ext::D, "110100100010-------------1010011", "fcvt.d.l", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtDL, &h_unary<I64, D, &fp::i64_to_f64>>},
    {Ext::D, "110100100011-------------1010011", "fcvt.d.lu", "fd,rs1,rm",
     &emit_fp_f_x_rm<IrOp::FCvtDLU, &h_unary<U64, D, &fp::u64_to_f64>>},
    {Ext::D, "010000000001-------------1010011", "fcvt.s.d", "fd,fs1,rm",
     &emit_fp_f_rm<IrOp::FCvtSD, &h_unary<D, S, &fp::f64_to_f32>>},
    {Ext::D, "010000100000-------------1010011", "fcvt.d.s", "fd,fs1,rm",
     &emit_fp_f_rm<IrOp::FCvtDS, &h_unary<S, D, &fp::f32_to_f64>>},

    {Ext::F, "111000000000-----000-----1010011", "fmv.x.w", "rd,fs1", &emit_fmv_x_w},
    {Ext::F, "111100000000-----000-----1010011", "fmv.w.x", "fd,rs1", &emit_fmv_w_x},
    {Ext::D, "111000100000-----000-----1010011", "fmv.x.d", "rd,fs1", &emit_fmv_x_d},
    {Ext::D, "111100100000-----000-----1010011", "fmv.d.x", "fd,rs1", &emit_fmv_d_x},

    {Ext::F, "1010000----------010-----1010011", "feq.s", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FEqS, &h_compare<S, &fp::f32_eq>>},
    {Ext::F, "1010000----------001-----1010011", "flt.s", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FLtS, &h_compare<S, &fp::f32_lt>>},
    {Ext::F, "1010000----------000-----1010011", "fle.s", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FLeS, &h_compare<S, &fp::f32_le>>},
    {Ext::D, "1010001----------010-----1010011", "feq.d", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FEqD, &h_compare<D, &fp::f64_eq>>},
    {Ext::D, "1010001----------001-----1010011", "flt.d", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FLtD, &h_compare<D, &fp::f64_lt>>},
    {Ext::D, "1010001----------000-----1010011", "fle.d", "rd,fs1,fs2",
     &emit_fp_x_ff<IrOp::FLeD, &h_compare<D, &fp::f64_le>>},
    {Ext::F, "111000000000-----001-----1010011", "fclass.s", "rd,fs1",
     &emit_x_f<&h_classify<S, &fp::f32_classify>>},
    {Ext::D, "111000100000-----001-----1010011", "fclass.d", "rd,fs1",
     &emit_x_f<&h_classify<D, &fp::f64_classify>>},
};

}  // namespace

uint64_t h_fs_dirty(Hart& h, uint64_t, uint64_t, uint64_t, int64_t) {
  h.set_fs_dirty();
  return 0;
}

std::span<const InsnDef> fp_insns() {
  return kFpInsns;
}

}  // namespace tiervm
