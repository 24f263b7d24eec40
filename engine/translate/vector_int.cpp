// Vector integer instructions (RVV 1.0 sections 11, 14-16): single-width and widening
// arithmetic, shifts, narrowing shifts, compares, min/max, multiply, divide,
// multiply-add, merge and moves, extension, reductions, mask instructions,
// permutations (moves to and from x registers, slides, gathers, compress). Each row is a
// helper that runs the elements from vstart to vl one by one. Tail and masked-off
// elements are left undisturbed (docs/vector.md). A helper computes into a copy of the
// destination group and writes it back at the end, so sources that overlap the
// destination read their old values whatever the element order.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/vector_emit.h"
#include "engine/translate/vector_inline.h"
#include "engine/translate/vector_run.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

// ---- Element operations: d is vd's old element (multiply-add), a is vs2's, b the second
// operand's; all SEW bits wide, results truncated by the caller.
struct Add {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a + b; }
};
struct Sub {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a - b; }
};
struct Rsub {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return b - a; }
};
struct And {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a & b; }
};
struct Or {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a | b; }
};
struct Xor {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a ^ b; }
};
struct Minu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return std::min(a, b); }
};
struct Maxu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return std::max(a, b); }
};
struct Min {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    return sext_bits(a, sew) < sext_bits(b, sew) ? a : b;
  }
};
struct Max {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    return sext_bits(a, sew) > sext_bits(b, sew) ? a : b;
  }
};
// Shifts use the low lg2(SEW) bits of the amount (section 11.6).
struct Sll {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    return a << (b & (sew - 1));
  }
};
struct Srl {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    return a >> (b & (sew - 1));
  }
};
struct Sra {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    return static_cast<uint64_t>(sext_bits(a, sew) >> (b & (sew - 1)));
  }
};
struct Mul {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return a * b; }
};
// High halves: the 2*SEW-bit product's upper SEW bits (128-bit host arithmetic).
struct Mulh {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    const __int128 p = static_cast<__int128>(sext_bits(a, sew)) * sext_bits(b, sew);
    return static_cast<uint64_t>(p >> sew);
  }
};
struct Mulhu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(p >> sew);
  }
};
// vs2 signed, the second operand unsigned.
struct Mulhsu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    const __int128 p = static_cast<__int128>(sext_bits(a, sew)) * static_cast<__int128>(b);
    return static_cast<uint64_t>(p >> sew);
  }
};
// Division by zero and overflow as the scalar M extension (section 11.11): x/0 = all ones,
// x%0 = x, MIN/-1 = MIN, MIN%-1 = 0.
struct Divu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) {
    return b == 0 ? ~uint64_t{0} : a / b;
  }
};
struct Remu {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned) { return b == 0 ? a : a % b; }
};
struct Div {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    const int64_t x = sext_bits(a, sew), y = sext_bits(b, sew);
    if (y == 0) return ~uint64_t{0};
    if (y == -1) return static_cast<uint64_t>(0) - static_cast<uint64_t>(x);  // MIN/-1 wraps
    return static_cast<uint64_t>(x / y);
  }
};
struct Rem {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b, unsigned sew) {
    const int64_t x = sext_bits(a, sew), y = sext_bits(b, sew);
    if (y == 0) return a;
    if (y == -1) return 0;
    return static_cast<uint64_t>(x % y);
  }
};
// Multiply-add (section 11.13): vmacc vd = vs1 * vs2 + vd, vnmsac vd = -(vs1 * vs2) + vd,
// vmadd vd = vs1 * vd + vs2, vnmsub vd = -(vs1 * vd) + vs2.
struct Macc {
  static uint64_t op(uint64_t d, uint64_t a, uint64_t b, unsigned) { return b * a + d; }
};
struct Nmsac {
  static uint64_t op(uint64_t d, uint64_t a, uint64_t b, unsigned) { return d - b * a; }
};
struct Madd {
  static uint64_t op(uint64_t d, uint64_t a, uint64_t b, unsigned) { return b * d + a; }
};
struct Nmsub {
  static uint64_t op(uint64_t d, uint64_t a, uint64_t b, unsigned) { return a - b * d; }
};

// ---- Compares into a mask (section 11.8).
struct Eq {
  static bool op(uint64_t a, uint64_t b, unsigned) { return a == b; }
};
struct Ne {
  static bool op(uint64_t a, uint64_t b, unsigned) { return a != b; }
};
struct Ltu {
  static bool op(uint64_t a, uint64_t b, unsigned) { return a < b; }
};
struct Lt {
  static bool op(uint64_t a, uint64_t b, unsigned sew) {
    return sext_bits(a, sew) < sext_bits(b, sew);
  }
};
struct Leu {
  static bool op(uint64_t a, uint64_t b, unsigned) { return a <= b; }
};
struct Le {
  static bool op(uint64_t a, uint64_t b, unsigned sew) {
    return sext_bits(a, sew) <= sext_bits(b, sew);
  }
};
struct Gtu {
  static bool op(uint64_t a, uint64_t b, unsigned) { return a > b; }
};
struct Gt {
  static bool op(uint64_t a, uint64_t b, unsigned sew) {
    return sext_bits(a, sew) > sext_bits(b, sew);
  }
};

// Single-width: vd[i] = Op(vd[i], vs2[i], src1) for active i in [vstart, vl).
template <class Op, Src S>
uint64_t h_binary(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    if (!vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
        (S == Src::V && !vgroup_ok(f.vs1, emul)) || (!f.vm && f.vd == 0)) {
      return kVectorIllegal;
    }
    // In place: vd, vs2 and vs1 are groups of one size and alignment, so each pair is the
    // same group or disjoint, and element i reads only elements i.
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      constexpr unsigned kSew = 8 * kBytes;
      for (uint64_t i = s.vstart; i < s.vl; ++i) {
        if (!active(s, f, i)) continue;
        const uint64_t r = Op::op(vget(s, f.vd, i, kBytes), vget(s, f.vs2, i, kBytes),
                                  src1<S>(s, f, x, i, kSew), kSew);
        vset(s, f.vd, i, kBytes, trunc_bits(r, kSew));
      }
    });
    return 0;
  });
}

// Compares: mask bit i of vd = Cmp(vs2[i], src1).
template <class Cmp, Src S>
uint64_t h_compare(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const unsigned n = vgroup_regs(emul);
    // The one-register destination may be a source's first register, else not overlap it.
    if (!vgroup_ok(f.vs2, emul) || (S == Src::V && !vgroup_ok(f.vs1, emul)) ||
        (f.vd != f.vs2 && voverlap(f.vd, 1, f.vs2, n)) ||
        (S == Src::V && f.vd != f.vs1 && voverlap(f.vd, 1, f.vs1, n))) {
      return kVectorIllegal;
    }
    const unsigned sew = t.sew, bytes = t.sew_bytes();
    Dest out(s, f.vd, 1);
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      out.set_bit(i, Cmp::op(vget(s, f.vs2, i, bytes), src1<S>(s, f, x, i, sew), sew));
    }
    out.commit();
    return 0;
  });
}

// vadc/vsbc (vm = 0: carry/borrow in from v0) and vmadc/vmsbc (carry/borrow out into a
// mask; vm = 0 with carry in, vm = 1 without), section 11.4.
template <bool Subtract, bool MaskOut, Src S>
uint64_t h_carry(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const unsigned n = vgroup_regs(emul);
    bool ok = vgroup_ok(f.vs2, emul) && (S != Src::V || vgroup_ok(f.vs1, emul));
    if (MaskOut) {
      ok = ok && (f.vd == f.vs2 || !voverlap(f.vd, 1, f.vs2, n)) &&
           (S != Src::V || f.vd == f.vs1 || !voverlap(f.vd, 1, f.vs1, n));
    } else {
      ok = ok && vgroup_ok(f.vd, emul) && f.vd != 0;
    }
    if (!ok) return kVectorIllegal;
    const unsigned sew = t.sew, bytes = t.sew_bytes();
    Dest out(s, f.vd, MaskOut ? 1 : n);
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      const uint64_t a = vget(s, f.vs2, i, bytes), b = src1<S>(s, f, x, i, sew);
      const uint64_t c = f.vm ? 0 : vmask_bit(s, 0, i);
      const unsigned __int128 wide = Subtract ? static_cast<unsigned __int128>(a) - b - c
                                              : static_cast<unsigned __int128>(a) + b + c;
      if (MaskOut) {
        out.set_bit(i, ((wide >> sew) & 1) != 0);
      } else {
        out.set(i, bytes, trunc_bits(static_cast<uint64_t>(wide), sew));
      }
    }
    out.commit();
    return 0;
  });
}

// vmerge (vm = 0): vd[i] = v0[i] ? src1 : vs2[i]; vmv.v.* (vm = 1, vs2 = 0): vd[i] = src1.
template <Src S>
uint64_t h_merge(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    if (!vgroup_ok(f.vd, emul) || (!f.vm && (f.vd == 0 || !vgroup_ok(f.vs2, emul))) ||
        (S == Src::V && !vgroup_ok(f.vs1, emul))) {
      return kVectorIllegal;
    }
    // In place, as h_binary (vd is not v0 when v0 is read).
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      for (uint64_t i = s.vstart; i < s.vl; ++i) {
        const bool take = f.vm || vmask_bit(s, 0, i);
        vset(s, f.vd, i, kBytes,
             take ? src1<S>(s, f, x, i, 8 * kBytes) : vget(s, f.vs2, i, kBytes));
      }
    });
    return 0;
  });
}

// ---- Widening (section 11.2, 11.12, 11.14): vd has 2*SEW bits; vs2 has 2*SEW bits for
// the .w forms (WideA). Operands are sign- or zero-extended to 2*SEW as the instruction
// says (SignedA for vs2, SignedB for the second operand).
struct WAdd {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b) { return a + b; }
};
struct WSub {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b) { return a - b; }
};
struct WMul {
  static uint64_t op(uint64_t, uint64_t a, uint64_t b) { return a * b; }
};
struct WMacc {
  static uint64_t op(uint64_t d, uint64_t a, uint64_t b) { return a * b + d; }
};

template <class Op, Src S, bool SignedA, bool SignedB, bool WideA>
uint64_t h_widen(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2, wemul = emul + 1;
    if (t.sew > 32 || wemul > 3 || !vgroup_ok(f.vd, wemul) ||
        !vgroup_ok(f.vs2, WideA ? wemul : emul) || (!f.vm && f.vd == 0) ||
        (!WideA && !vdest_may_overlap(f.vd, wemul, f.vs2, emul)) ||
        (S == Src::V &&
         (!vgroup_ok(f.vs1, emul) || !vdest_may_overlap(f.vd, wemul, f.vs1, emul)))) {
      return kVectorIllegal;
    }
    // In place, in element order: a narrow source may only overlap the upper half of vd's
    // group (checked above), whose element j lies past every element < j of vd, so no
    // source element is overwritten before it is read.
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      if constexpr (kBytes <= 4) {  // SEW 64 was refused above
        constexpr unsigned kSew = 8 * kBytes, kWide = 2 * kBytes;
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          const uint64_t a =
              WideA ? vget(s, f.vs2, i, kWide) : extend(vget(s, f.vs2, i, kBytes), kSew, SignedA);
          const uint64_t b = extend(src1<S>(s, f, x, i, kSew), kSew, SignedB);
          vset(s, f.vd, i, kWide, trunc_bits(Op::op(vget(s, f.vd, i, kWide), a, b), 2 * kSew));
        }
      }
    });
    return 0;
  });
}

// vnsrl/vnsra (section 11.7): vd[i] = (vs2[i] of 2*SEW bits >> (src1 & (2*SEW - 1))),
// truncated to SEW.
template <bool Arith, Src S>
uint64_t h_narrow_shift(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2, wemul = emul + 1;
    if (t.sew > 32 || wemul > 3 || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, wemul) ||
        (S == Src::V && !vgroup_ok(f.vs1, emul)) || (!f.vm && f.vd == 0) ||
        (f.vd != f.vs2 && voverlap(f.vd, vgroup_regs(emul), f.vs2, vgroup_regs(wemul)))) {
      return kVectorIllegal;
    }
    // In place, in element order: vd may only be vs2's first register, where element i of
    // vd lies before vs2's element i + 1 and later ones.
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      if constexpr (kBytes <= 4) {  // SEW 64 was refused above
        constexpr unsigned kSew = 8 * kBytes, kWsew = 2 * kSew;
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          const uint64_t a = vget(s, f.vs2, i, 2 * kBytes);
          const unsigned sh = static_cast<unsigned>(src1<S>(s, f, x, i, kSew) & (kWsew - 1));
          const uint64_t r = Arith ? static_cast<uint64_t>(sext_bits(a, kWsew) >> sh) : a >> sh;
          vset(s, f.vd, i, kBytes, trunc_bits(r, kSew));
        }
      }
    });
    return 0;
  });
}

// vzext/vsext.vf2/4/8 (section 11.3): vd[i] = extend(vs2[i] of SEW / Factor bits).
template <unsigned Factor, bool Signed>
uint64_t h_extend(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const int src_emul = emul - (Factor == 2 ? 1 : Factor == 4 ? 2 : 3);
    if (t.sew / Factor < 8 || src_emul < -3 || !vgroup_ok(f.vd, emul) ||
        !vgroup_ok(f.vs2, src_emul) || (!f.vm && f.vd == 0) ||
        !vdest_may_overlap(f.vd, emul, f.vs2, src_emul)) {
      return kVectorIllegal;
    }
    // In place, in element order, as h_widen: the source may only overlap the upper part
    // of vd's group.
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      if constexpr (kBytes >= Factor) {
        constexpr unsigned kSew = 8 * kBytes, kBits = kSew / Factor;
        for (uint64_t i = s.vstart; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          vset(s, f.vd, i, kBytes,
               trunc_bits(extend(vget(s, f.vs2, i, kBits / 8), kBits, Signed), kSew));
        }
      }
    });
    return 0;
  });
}

// ---- Reductions (section 14): vd[0] = Op over vs1[0] and the active vs2[i], i < vl.
// Widening sums (Wide) read SEW-bit elements extended to 2*SEW. vstart must be 0.
template <class Op, bool Wide, bool Signed>
uint64_t h_reduce(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    if (s.vstart != 0 || !vgroup_ok(f.vs2, t.lmul_log2) || (Wide && t.sew > 32)) {
      return kVectorIllegal;
    }
    if (s.vl == 0) return 0;
    with_elem_bytes(t.sew_bytes(), [&](auto kBytes) {
      if constexpr (!Wide || kBytes <= 4) {
        constexpr unsigned kSew = 8 * kBytes, kRsew = Wide ? 2 * kSew : kSew;
        uint64_t acc = vget(s, f.vs1, 0, kRsew / 8);
        for (uint64_t i = 0; i < s.vl; ++i) {
          if (!active(s, f, i)) continue;
          uint64_t e = vget(s, f.vs2, i, kBytes);
          if (Wide) e = trunc_bits(extend(e, kSew, Signed), kRsew);
          acc = trunc_bits(Op::op(0, acc, e, kRsew), kRsew);
        }
        vset(s, f.vd, 0, kRsew / 8, acc);
      }
    });
    return 0;
  });
}

// ---- Mask instructions (section 15).
enum class MaskOp { AndN, And, Or, Xor, OrN, Nand, Nor, Xnor };

template <MaskOp Op>
uint64_t h_mask_logic(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType&) -> VResult {
    Dest out(s, f.vd, 1);
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      const bool a = vmask_bit(s, f.vs2, i), b = vmask_bit(s, f.vs1, i);
      bool r = false;
      switch (Op) {
        case MaskOp::AndN:
          r = a && !b;
          break;
        case MaskOp::And:
          r = a && b;
          break;
        case MaskOp::Or:
          r = a || b;
          break;
        case MaskOp::Xor:
          r = a != b;
          break;
        case MaskOp::OrN:
          r = a || !b;
          break;
        case MaskOp::Nand:
          r = !(a && b);
          break;
        case MaskOp::Nor:
          r = !(a || b);
          break;
        case MaskOp::Xnor:
          r = a == b;
          break;
      }
      out.set_bit(i, r);
    }
    out.commit();
    return 0;
  });
}

// vcpop.m (First = false): active set bits of vs2 below vl; vfirst.m: the lowest such
// index, or -1. Both need vstart = 0.
template <bool First>
uint64_t h_mask_count(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType&) -> VResult {
    if (s.vstart != 0) return kVectorIllegal;
    uint64_t count = 0;
    for (uint64_t i = 0; i < s.vl; ++i) {
      if (!active(s, f, i) || !vmask_bit(s, f.vs2, i)) continue;
      if (First) {
        return i;
      }
      ++count;
    }
    return First ? ~uint64_t{0} : count;
  });
}

// vmsbf/vmsif/vmsof.m: set-before-first, set-including-first, set-only-first over the
// active elements (section 15.4-15.6). vd may overlap neither vs2 nor (masked) v0.
enum class SetFirst { Before, Including, Only };

template <SetFirst Kind>
uint64_t h_set_first(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType&) -> VResult {
    if (s.vstart != 0 || f.vd == f.vs2 || (!f.vm && f.vd == 0)) return kVectorIllegal;
    Dest out(s, f.vd, 1);
    bool found = false;
    for (uint64_t i = 0; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      const bool bit = vmask_bit(s, f.vs2, i);
      bool r = false;
      switch (Kind) {
        case SetFirst::Before:
          r = !found && !bit;
          break;
        case SetFirst::Including:
          r = !found;
          break;
        case SetFirst::Only:
          r = !found && bit;
          break;
      }
      found = found || bit;
      out.set_bit(i, r);
    }
    out.commit();
    return 0;
  });
}

// viota.m: vd[i] = the number of active set bits of vs2 below i (section 15.8); vid.v:
// vd[i] = i (15.9).
template <bool Iota>
uint64_t h_iota(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    if (!vgroup_ok(f.vd, emul) || (!f.vm && f.vd == 0) ||
        (Iota && (s.vstart != 0 || voverlap(f.vd, vgroup_regs(emul), f.vs2, 1)))) {
      return kVectorIllegal;
    }
    const unsigned bytes = t.sew_bytes();
    Dest out(s, f.vd, vgroup_regs(emul));
    uint64_t sum = 0;
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      out.set(i, bytes, trunc_bits(Iota ? sum : i, t.sew));
      if (Iota && vmask_bit(s, f.vs2, i)) ++sum;
    }
    out.commit();
    return 0;
  });
}

// ---- Permutations (section 16).
// vmv.x.s: x[rd] = vs2[0] sign-extended from SEW, whatever vl and vstart are.
uint64_t h_vmv_x_s(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const uint64_t v = static_cast<uint64_t>(sext_bits(vget(s, f.vs2, 0, t.sew_bytes()), t.sew));
    return v;
  });
}

// vmv.s.x: vd[0] = x[rs1] when vstart < vl.
uint64_t h_vmv_s_x(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    if (s.vstart < s.vl) vset(s, f.vd, 0, t.sew_bytes(), trunc_bits(x, t.sew));
    return 0;
  });
}

enum class Slide { Up, Down, Up1, Down1 };

// vslideup/vslidedown by x[rs1] or uimm5, vslide1up/vslide1down with x[rs1] (16.3).
template <Slide Kind, Src S>
uint64_t h_slide(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const unsigned n = vgroup_regs(emul);
    const bool up = Kind == Slide::Up || Kind == Slide::Up1;
    if (!vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) || (!f.vm && f.vd == 0) ||
        (up && voverlap(f.vd, n, f.vs2, n))) {
      return kVectorIllegal;
    }
    const unsigned sew = t.sew, bytes = t.sew_bytes();
    const uint64_t vlmax = t.vlmax(s.vlenb);
    const uint64_t offset =
        Kind == Slide::Up1 || Kind == Slide::Down1 ? 1 : (S == Src::X ? x : f.vs1);
    Dest out(s, f.vd, n);
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      switch (Kind) {
        case Slide::Up:
          if (i >= offset) out.set(i, bytes, vget(s, f.vs2, i - offset, bytes));
          break;
        case Slide::Up1:
          out.set(i, bytes, i == 0 ? trunc_bits(x, sew) : vget(s, f.vs2, i - 1, bytes));
          break;
        case Slide::Down:
          out.set(i, bytes,
                  offset < vlmax && i + offset < vlmax ? vget(s, f.vs2, i + offset, bytes) : 0);
          break;
        case Slide::Down1:
          out.set(i, bytes, i + 1 == s.vl ? trunc_bits(x, sew) : vget(s, f.vs2, i + 1, bytes));
          break;
      }
    }
    out.commit();
    return 0;
  });
}

// vrgather.vv/vx/vi: vd[i] = index < VLMAX ? vs2[index] : 0; vrgatherei16.vv (Ei16) takes
// 16-bit indices from vs1 (16.4).
template <Src S, bool Ei16>
uint64_t h_gather(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const unsigned n = vgroup_regs(emul);
    int idx_emul = emul;
    if (Ei16) idx_emul = emul + 4 - (t.sew == 8 ? 3 : t.sew == 16 ? 4 : t.sew == 32 ? 5 : 6);
    if (idx_emul < -3 || idx_emul > 3 || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
        (S == Src::V && !vgroup_ok(f.vs1, idx_emul)) || (!f.vm && f.vd == 0) ||
        voverlap(f.vd, n, f.vs2, n) ||
        (S == Src::V && voverlap(f.vd, n, f.vs1, vgroup_regs(idx_emul)))) {
      return kVectorIllegal;
    }
    const unsigned bytes = t.sew_bytes();
    const uint64_t vlmax = t.vlmax(s.vlenb);
    Dest out(s, f.vd, n);
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      const uint64_t index =
          S == Src::V ? vget(s, f.vs1, i, Ei16 ? 2 : bytes) : (S == Src::X ? x : f.vs1);
      out.set(i, bytes, index < vlmax ? vget(s, f.vs2, index, bytes) : 0);
    }
    out.commit();
    return 0;
  });
}

// vcompress.vm: the vs2[i] whose vs1 mask bit is set, i < vl, packed into vd from
// element 0 (16.5). vstart must be 0; vd overlaps neither source.
uint64_t h_compress(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    const unsigned n = vgroup_regs(emul);
    if (s.vstart != 0 || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
        voverlap(f.vd, n, f.vs2, n) || voverlap(f.vd, n, f.vs1, 1)) {
      return kVectorIllegal;
    }
    const unsigned bytes = t.sew_bytes();
    Dest out(s, f.vd, n);
    uint64_t next = 0;
    for (uint64_t i = 0; i < s.vl; ++i) {
      if (vmask_bit(s, f.vs1, i)) out.set(next++, bytes, vget(s, f.vs2, i, bytes));
    }
    out.commit();
    return 0;
  });
}

// vmv<nr>r.v: copies nr = simm5 + 1 (1, 2, 4, 8) whole registers, whatever vtype and vl
// are (16.6); elements from vstart, of SEW bits when vtype is legal, else bytes.
uint64_t h_move_whole(Hart& hart, uint64_t, uint64_t, uint64_t, int64_t imm) {
  return vector_run_any_vtype(hart, imm, [&](HartState& s, const VFields& f) -> VResult {
    const unsigned nr = f.vs1 + 1;
    if ((nr & (nr - 1)) != 0 || f.vd % nr != 0 || f.vs2 % nr != 0) return kVectorIllegal;
    VType t;
    const unsigned bytes = decode_vtype(s.vtype, t) ? t.sew_bytes() : 1;
    const uint64_t from = s.vstart * bytes, total = nr * s.vlenb;
    if (from < total && f.vd != f.vs2) {
      std::memmove(vreg_bytes(s, f.vd) + from, vreg_bytes(s, f.vs2) + from, total - from);
    }
    return 0;
  });
}

using emit::vector_call;
using emit::vector_call_x;

#define OPIVV "000"
#define OPMVV "010"
#define OPIVI "011"
#define OPIVX "100"
#define OPMVX "110"

// An OPI instruction in its .vv, .vx and .vi forms.
#define VVXI(f6, name, op)                                                                         \
  {Ext::V, TIERVM_OPV(f6, OPIVV), name ".vv", "vd,vs2,vs1,vm", vector_call<h_binary<op, Src::V>>}, \
      {Ext::V, TIERVM_OPV(f6, OPIVX), name ".vx", "vd,vs2,rs1,vm",                                 \
       vector_call<h_binary<op, Src::X>>},                                                         \
  {                                                                                                \
    Ext::V, TIERVM_OPV(f6, OPIVI), name ".vi", "vd,vs2,simm5,vm",                                  \
        vector_call<h_binary<op, Src::I>>                                                          \
  }
#define VVX(f6, f3v, f3x, name, op)                                                                \
  {Ext::V, TIERVM_OPV(f6, f3v), name ".vv", "vd,vs2,vs1,vm", vector_call<h_binary<op, Src::V>>}, { \
    Ext::V, TIERVM_OPV(f6, f3x), name ".vx", "vd,vs2,rs1,vm", vector_call<h_binary<op, Src::X>>    \
  }
// Shifts: the immediate is unsigned.
#define VSHIFT(f6, name, op)                                                                       \
  {Ext::V, TIERVM_OPV(f6, OPIVV), name ".vv", "vd,vs2,vs1,vm", vector_call<h_binary<op, Src::V>>}, \
      {Ext::V, TIERVM_OPV(f6, OPIVX), name ".vx", "vd,vs2,rs1,vm",                                 \
       vector_call<h_binary<op, Src::X>>},                                                         \
  {                                                                                                \
    Ext::V, TIERVM_OPV(f6, OPIVI), name ".vi", "vd,vs2,uimm5,vm",                                  \
        vector_call<h_binary<op, Src::U>>                                                          \
  }
// Multiply-add: the assembler order is vd, vs1/rs1, vs2.
#define VMADD(f6, name, op)                                                                        \
  {Ext::V, TIERVM_OPV(f6, OPMVV), name ".vv", "vd,vs1,vs2,vm", vector_call<h_binary<op, Src::V>>}, \
  {                                                                                                \
    Ext::V, TIERVM_OPV(f6, OPMVX), name ".vx", "vd,rs1,vs2,vm", vector_call<h_binary<op, Src::X>>  \
  }
#define VCMP_V(f6, name, op) \
  { Ext::V, TIERVM_OPV(f6, OPIVV), name ".vv", "vd,vs2,vs1,vm", vector_call<h_compare<op, Src::V>> }
#define VCMP_X(f6, name, op) \
  { Ext::V, TIERVM_OPV(f6, OPIVX), name ".vx", "vd,vs2,rs1,vm", vector_call<h_compare<op, Src::X>> }
#define VCMP_I(f6, name, op)                                      \
  {                                                               \
    Ext::V, TIERVM_OPV(f6, OPIVI), name ".vi", "vd,vs2,simm5,vm", \
        vector_call<h_compare<op, Src::I>>                        \
  }
#define VWIDEN(f6, name, op, sa, sb)                            \
  {Ext::V, TIERVM_OPV(f6, OPMVV), name ".vv", "vd,vs2,vs1,vm",  \
   vector_call<h_widen<op, Src::V, sa, sb, false>>},            \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPMVX), name ".vx", "vd,vs2,rs1,vm", \
        vector_call<h_widen<op, Src::X, sa, sb, false>>         \
  }
#define VWIDEN_W(f6, name, op, sb)                              \
  {Ext::V, TIERVM_OPV(f6, OPMVV), name ".wv", "vd,vs2,vs1,vm",  \
   vector_call<h_widen<op, Src::V, false, sb, true>>},          \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPMVX), name ".wx", "vd,vs2,rs1,vm", \
        vector_call<h_widen<op, Src::X, false, sb, true>>       \
  }
#define VRED(f6, name, op)                                      \
  {                                                             \
    Ext::V, TIERVM_OPV(f6, OPMVV), name ".vs", "vd,vs2,vs1,vm", \
        vector_call<h_reduce<op, false, false>>                 \
  }
#define VMASK(f6, name, op)                                                  \
  {                                                                          \
    Ext::V, f6 "1----------" OPMVV "-----1010111", name ".mm", "vd,vs2,vs1", \
        vector_call<h_mask_logic<(op)>>                                      \
  }

const InsnDef kRows[] = {
    VVXI("000000", "vadd", Add),
    VVX("000010", OPIVV, OPIVX, "vsub", Sub),
    {Ext::V, TIERVM_OPV("000011", OPIVX), "vrsub.vx", "vd,vs2,rs1,vm",
     vector_call<h_binary<Rsub, Src::X>>},
    {Ext::V, TIERVM_OPV("000011", OPIVI), "vrsub.vi", "vd,vs2,simm5,vm",
     vector_call<h_binary<Rsub, Src::I>>},
    VVX("000100", OPIVV, OPIVX, "vminu", Minu),
    VVX("000101", OPIVV, OPIVX, "vmin", Min),
    VVX("000110", OPIVV, OPIVX, "vmaxu", Maxu),
    VVX("000111", OPIVV, OPIVX, "vmax", Max),
    VVXI("001001", "vand", And),
    VVXI("001010", "vor", Or),
    VVXI("001011", "vxor", Xor),
    VSHIFT("100101", "vsll", Sll),
    VSHIFT("101000", "vsrl", Srl),
    VSHIFT("101001", "vsra", Sra),
    // Narrowing shifts.
    {Ext::V, TIERVM_OPV("101100", OPIVV), "vnsrl.wv", "vd,vs2,vs1,vm",
     vector_call<h_narrow_shift<false, Src::V>>},
    {Ext::V, TIERVM_OPV("101100", OPIVX), "vnsrl.wx", "vd,vs2,rs1,vm",
     vector_call<h_narrow_shift<false, Src::X>>},
    {Ext::V, TIERVM_OPV("101100", OPIVI), "vnsrl.wi", "vd,vs2,uimm5,vm",
     vector_call<h_narrow_shift<false, Src::U>>},
    {Ext::V, TIERVM_OPV("101101", OPIVV), "vnsra.wv", "vd,vs2,vs1,vm",
     vector_call<h_narrow_shift<true, Src::V>>},
    {Ext::V, TIERVM_OPV("101101", OPIVX), "vnsra.wx", "vd,vs2,rs1,vm",
     vector_call<h_narrow_shift<true, Src::X>>},
    {Ext::V, TIERVM_OPV("101101", OPIVI), "vnsra.wi", "vd,vs2,uimm5,vm",
     vector_call<h_narrow_shift<true, Src::U>>},
    // Add/subtract with carry (vm = 0: carry in from v0).
    {Ext::V, "0100000----------" OPIVV "-----1010111", "vadc.vvm", "vd,vs2,vs1,v0",
     vector_call<h_carry<false, false, Src::V>>},
    {Ext::V, "0100000----------" OPIVX "-----1010111", "vadc.vxm", "vd,vs2,rs1,v0",
     vector_call<h_carry<false, false, Src::X>>},
    {Ext::V, "0100000----------" OPIVI "-----1010111", "vadc.vim", "vd,vs2,simm5,v0",
     vector_call<h_carry<false, false, Src::I>>},
    {Ext::V, "0100010----------" OPIVV "-----1010111", "vmadc.vvm", "vd,vs2,vs1,v0",
     vector_call<h_carry<false, true, Src::V>>},
    {Ext::V, "0100010----------" OPIVX "-----1010111", "vmadc.vxm", "vd,vs2,rs1,v0",
     vector_call<h_carry<false, true, Src::X>>},
    {Ext::V, "0100010----------" OPIVI "-----1010111", "vmadc.vim", "vd,vs2,simm5,v0",
     vector_call<h_carry<false, true, Src::I>>},
    {Ext::V, "0100011----------" OPIVV "-----1010111", "vmadc.vv", "vd,vs2,vs1",
     vector_call<h_carry<false, true, Src::V>>},
    {Ext::V, "0100011----------" OPIVX "-----1010111", "vmadc.vx", "vd,vs2,rs1",
     vector_call<h_carry<false, true, Src::X>>},
    {Ext::V, "0100011----------" OPIVI "-----1010111", "vmadc.vi", "vd,vs2,simm5",
     vector_call<h_carry<false, true, Src::I>>},
    {Ext::V, "0100100----------" OPIVV "-----1010111", "vsbc.vvm", "vd,vs2,vs1,v0",
     vector_call<h_carry<true, false, Src::V>>},
    {Ext::V, "0100100----------" OPIVX "-----1010111", "vsbc.vxm", "vd,vs2,rs1,v0",
     vector_call<h_carry<true, false, Src::X>>},
    {Ext::V, "0100110----------" OPIVV "-----1010111", "vmsbc.vvm", "vd,vs2,vs1,v0",
     vector_call<h_carry<true, true, Src::V>>},
    {Ext::V, "0100110----------" OPIVX "-----1010111", "vmsbc.vxm", "vd,vs2,rs1,v0",
     vector_call<h_carry<true, true, Src::X>>},
    {Ext::V, "0100111----------" OPIVV "-----1010111", "vmsbc.vv", "vd,vs2,vs1",
     vector_call<h_carry<true, true, Src::V>>},
    {Ext::V, "0100111----------" OPIVX "-----1010111", "vmsbc.vx", "vd,vs2,rs1",
     vector_call<h_carry<true, true, Src::X>>},
    // Merge (vm = 0) and move (vm = 1, vs2 = 0).
    {Ext::V, "0101110----------" OPIVV "-----1010111", "vmerge.vvm", "vd,vs2,vs1,v0",
     vector_call<h_merge<Src::V>>},
    {Ext::V, "0101110----------" OPIVX "-----1010111", "vmerge.vxm", "vd,vs2,rs1,v0",
     vector_call<h_merge<Src::X>>},
    {Ext::V, "0101110----------" OPIVI "-----1010111", "vmerge.vim", "vd,vs2,simm5,v0",
     vector_call<h_merge<Src::I>>},
    {Ext::V, "010111100000-----" OPIVV "-----1010111", "vmv.v.v", "vd,vs1",
     vector_call<h_merge<Src::V>>},
    {Ext::V, "010111100000-----" OPIVX "-----1010111", "vmv.v.x", "vd,rs1",
     vector_call<h_merge<Src::X>>},
    {Ext::V, "010111100000-----" OPIVI "-----1010111", "vmv.v.i", "vd,simm5",
     vector_call<h_merge<Src::I>>},
    // Compares.
    VCMP_V("011000", "vmseq", Eq),
    VCMP_X("011000", "vmseq", Eq),
    VCMP_I("011000", "vmseq", Eq),
    VCMP_V("011001", "vmsne", Ne),
    VCMP_X("011001", "vmsne", Ne),
    VCMP_I("011001", "vmsne", Ne),
    VCMP_V("011010", "vmsltu", Ltu),
    VCMP_X("011010", "vmsltu", Ltu),
    VCMP_V("011011", "vmslt", Lt),
    VCMP_X("011011", "vmslt", Lt),
    VCMP_V("011100", "vmsleu", Leu),
    VCMP_X("011100", "vmsleu", Leu),
    VCMP_I("011100", "vmsleu", Leu),
    VCMP_V("011101", "vmsle", Le),
    VCMP_X("011101", "vmsle", Le),
    VCMP_I("011101", "vmsle", Le),
    VCMP_X("011110", "vmsgtu", Gtu),
    VCMP_I("011110", "vmsgtu", Gtu),
    VCMP_X("011111", "vmsgt", Gt),
    VCMP_I("011111", "vmsgt", Gt),
    // Multiply, divide.
    VVX("100101", OPMVV, OPMVX, "vmul", Mul),
    VVX("100111", OPMVV, OPMVX, "vmulh", Mulh),
    VVX("100100", OPMVV, OPMVX, "vmulhu", Mulhu),
    VVX("100110", OPMVV, OPMVX, "vmulhsu", Mulhsu),
    VVX("100000", OPMVV, OPMVX, "vdivu", Divu),
    VVX("100001", OPMVV, OPMVX, "vdiv", Div),
    VVX("100010", OPMVV, OPMVX, "vremu", Remu),
    VVX("100011", OPMVV, OPMVX, "vrem", Rem),
    VMADD("101101", "vmacc", Macc),
    VMADD("101111", "vnmsac", Nmsac),
    VMADD("101001", "vmadd", Madd),
    VMADD("101011", "vnmsub", Nmsub),
    // Widening add/subtract/multiply (and multiply-add: vd, vs1/rs1, vs2 order).
    VWIDEN("110000", "vwaddu", WAdd, false, false),
    VWIDEN("110001", "vwadd", WAdd, true, true),
    VWIDEN("110010", "vwsubu", WSub, false, false),
    VWIDEN("110011", "vwsub", WSub, true, true),
    VWIDEN_W("110100", "vwaddu", WAdd, false),
    VWIDEN_W("110101", "vwadd", WAdd, true),
    VWIDEN_W("110110", "vwsubu", WSub, false),
    VWIDEN_W("110111", "vwsub", WSub, true),
    VWIDEN("111000", "vwmulu", WMul, false, false),
    VWIDEN("111010", "vwmulsu", WMul, true, false),
    VWIDEN("111011", "vwmul", WMul, true, true),
    {Ext::V, TIERVM_OPV("111100", OPMVV), "vwmaccu.vv", "vd,vs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::V, false, false, false>>},
    {Ext::V, TIERVM_OPV("111100", OPMVX), "vwmaccu.vx", "vd,rs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::X, false, false, false>>},
    {Ext::V, TIERVM_OPV("111101", OPMVV), "vwmacc.vv", "vd,vs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::V, true, true, false>>},
    {Ext::V, TIERVM_OPV("111101", OPMVX), "vwmacc.vx", "vd,rs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::X, true, true, false>>},
    {Ext::V, TIERVM_OPV("111111", OPMVV), "vwmaccsu.vv", "vd,vs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::V, false, true, false>>},
    {Ext::V, TIERVM_OPV("111111", OPMVX), "vwmaccsu.vx", "vd,rs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::X, false, true, false>>},
    {Ext::V, TIERVM_OPV("111110", OPMVX), "vwmaccus.vx", "vd,rs1,vs2,vm",
     vector_call<h_widen<WMacc, Src::X, true, false, false>>},
    // Integer extension (VXUNARY0).
    {Ext::V, TIERVM_OPV_VS1("010010", "00010", OPMVV), "vzext.vf8", "vd,vs2,vm",
     vector_call<h_extend<8, false>>},
    {Ext::V, TIERVM_OPV_VS1("010010", "00011", OPMVV), "vsext.vf8", "vd,vs2,vm",
     vector_call<h_extend<8, true>>},
    {Ext::V, TIERVM_OPV_VS1("010010", "00100", OPMVV), "vzext.vf4", "vd,vs2,vm",
     vector_call<h_extend<4, false>>},
    {Ext::V, TIERVM_OPV_VS1("010010", "00101", OPMVV), "vsext.vf4", "vd,vs2,vm",
     vector_call<h_extend<4, true>>},
    {Ext::V, TIERVM_OPV_VS1("010010", "00110", OPMVV), "vzext.vf2", "vd,vs2,vm",
     vector_call<h_extend<2, false>>},
    {Ext::V, TIERVM_OPV_VS1("010010", "00111", OPMVV), "vsext.vf2", "vd,vs2,vm",
     vector_call<h_extend<2, true>>},
    // Reductions.
    VRED("000000", "vredsum", Add),
    VRED("000001", "vredand", And),
    VRED("000010", "vredor", Or),
    VRED("000011", "vredxor", Xor),
    VRED("000100", "vredminu", Minu),
    VRED("000101", "vredmin", Min),
    VRED("000110", "vredmaxu", Maxu),
    VRED("000111", "vredmax", Max),
    {Ext::V, TIERVM_OPV("110000", OPIVV), "vwredsumu.vs", "vd,vs2,vs1,vm",
     vector_call<h_reduce<Add, true, false>>},
    {Ext::V, TIERVM_OPV("110001", OPIVV), "vwredsum.vs", "vd,vs2,vs1,vm",
     vector_call<h_reduce<Add, true, true>>},
    // Mask logicals (vm = 1).
    VMASK("011000", "vmandn", MaskOp::AndN),
    VMASK("011001", "vmand", MaskOp::And),
    VMASK("011010", "vmor", MaskOp::Or),
    VMASK("011011", "vmxor", MaskOp::Xor),
    VMASK("011100", "vmorn", MaskOp::OrN),
    VMASK("011101", "vmnand", MaskOp::Nand),
    VMASK("011110", "vmnor", MaskOp::Nor),
    VMASK("011111", "vmxnor", MaskOp::Xnor),
    // VWXUNARY0, VRXUNARY0, VMUNARY0.
    {Ext::V, "0100001-----00000" OPMVV "-----1010111", "vmv.x.s", "rd,vs2",
     vector_call_x<h_vmv_x_s>},
    {Ext::V, TIERVM_OPV_VS1("010000", "10000", OPMVV), "vcpop.m", "rd,vs2,vm",
     vector_call_x<h_mask_count<false>>},
    {Ext::V, TIERVM_OPV_VS1("010000", "10001", OPMVV), "vfirst.m", "rd,vs2,vm",
     vector_call_x<h_mask_count<true>>},
    {Ext::V, "010000100000-----" OPMVX "-----1010111", "vmv.s.x", "vd,rs1", vector_call<h_vmv_s_x>},
    {Ext::V, TIERVM_OPV_VS1("010100", "00001", OPMVV), "vmsbf.m", "vd,vs2,vm",
     vector_call<h_set_first<SetFirst::Before>>},
    {Ext::V, TIERVM_OPV_VS1("010100", "00010", OPMVV), "vmsof.m", "vd,vs2,vm",
     vector_call<h_set_first<SetFirst::Only>>},
    {Ext::V, TIERVM_OPV_VS1("010100", "00011", OPMVV), "vmsif.m", "vd,vs2,vm",
     vector_call<h_set_first<SetFirst::Including>>},
    {Ext::V, TIERVM_OPV_VS1("010100", "10000", OPMVV), "viota.m", "vd,vs2,vm",
     vector_call<h_iota<true>>},
    {Ext::V, "010100-0000010001" OPMVV "-----1010111", "vid.v", "vd,vm",
     vector_call<h_iota<false>>},
    // Slides, gathers, compress, whole-register moves.
    {Ext::V, TIERVM_OPV("001110", OPIVX), "vslideup.vx", "vd,vs2,rs1,vm",
     vector_call<h_slide<Slide::Up, Src::X>>},
    {Ext::V, TIERVM_OPV("001110", OPIVI), "vslideup.vi", "vd,vs2,uimm5,vm",
     vector_call<h_slide<Slide::Up, Src::U>>},
    {Ext::V, TIERVM_OPV("001111", OPIVX), "vslidedown.vx", "vd,vs2,rs1,vm",
     vector_call<h_slide<Slide::Down, Src::X>>},
    {Ext::V, TIERVM_OPV("001111", OPIVI), "vslidedown.vi", "vd,vs2,uimm5,vm",
     vector_call<h_slide<Slide::Down, Src::U>>},
    {Ext::V, TIERVM_OPV("001110", OPMVX), "vslide1up.vx", "vd,vs2,rs1,vm",
     vector_call<h_slide<Slide::Up1, Src::X>>},
    {Ext::V, TIERVM_OPV("001111", OPMVX), "vslide1down.vx", "vd,vs2,rs1,vm",
     vector_call<h_slide<Slide::Down1, Src::X>>},
    {Ext::V, TIERVM_OPV("001100", OPIVV), "vrgather.vv", "vd,vs2,vs1,vm",
     vector_call<h_gather<Src::V, false>>},
    {Ext::V, TIERVM_OPV("001100", OPIVX), "vrgather.vx", "vd,vs2,rs1,vm",
     vector_call<h_gather<Src::X, false>>},
    {Ext::V, TIERVM_OPV("001100", OPIVI), "vrgather.vi", "vd,vs2,uimm5,vm",
     vector_call<h_gather<Src::U, false>>},
    {Ext::V, TIERVM_OPV("001110", OPIVV), "vrgatherei16.vv", "vd,vs2,vs1,vm",
     vector_call<h_gather<Src::V, true>>},
    {Ext::V, "0101111----------" OPMVV "-----1010111", "vcompress.vm", "vd,vs2,vs1",
     vector_call<h_compress>},
    {Ext::V, "1001111-----00000" OPIVI "-----1010111", "vmv1r.v", "vd,vs2",
     vector_call<h_move_whole>},
    {Ext::V, "1001111-----00001" OPIVI "-----1010111", "vmv2r.v", "vd,vs2",
     vector_call<h_move_whole>},
    {Ext::V, "1001111-----00011" OPIVI "-----1010111", "vmv4r.v", "vd,vs2",
     vector_call<h_move_whole>},
    {Ext::V, "1001111-----00111" OPIVI "-----1010111", "vmv8r.v", "vd,vs2",
     vector_call<h_move_whole>},
};

}  // namespace

namespace {

// The rows above whose element operation the LLVM tiers may emit in line.
#define VIN_B(op, src)                                \
  {                                                   \
    &h_binary<op, Src::src>, {                        \
      VInlineKind::Binary, VElemOp::op, VOperand::src \
    }                                                 \
  }
#define VIN_VXI(op) VIN_B(op, V), VIN_B(op, X), VIN_B(op, I)
#define VIN_VX(op) VIN_B(op, V), VIN_B(op, X)
#define VIN_SHIFT(op) VIN_B(op, V), VIN_B(op, X), VIN_B(op, U)
#define VIN_W(op, src, sa, sb, wa)                               \
  {                                                              \
    &h_widen<op, Src::src, sa, sb, wa>, {                        \
      VInlineKind::Widen, VElemOp::op, VOperand::src, sa, sb, wa \
    }                                                            \
  }
#define VIN_WVX(op, sa, sb, wa) VIN_W(op, V, sa, sb, wa), VIN_W(op, X, sa, sb, wa)
#define VIN_MOVE(src)                                \
  {                                                  \
    &h_merge<Src::src>, {                            \
      VInlineKind::Move, VElemOp::Add, VOperand::src \
    }                                                \
  }
#define VIN_EXT(factor, sign)                                                    \
  {                                                                              \
    &h_extend<factor, sign>, {                                                   \
      VInlineKind::Extend, VElemOp::Add, VOperand::V, sign, false, false, factor \
    }                                                                            \
  }
const VInlineEntry kInline[] = {
    VIN_VXI(Add),
    VIN_VX(Sub),
    VIN_B(Rsub, X),
    VIN_B(Rsub, I),
    VIN_VXI(And),
    VIN_VXI(Or),
    VIN_VXI(Xor),
    VIN_SHIFT(Sll),
    VIN_SHIFT(Srl),
    VIN_SHIFT(Sra),
    VIN_VX(Minu),
    VIN_VX(Maxu),
    VIN_VX(Min),
    VIN_VX(Max),
    VIN_VX(Mul),
    VIN_VX(Macc),
    VIN_VX(Nmsac),
    VIN_VX(Madd),
    VIN_VX(Nmsub),
    VIN_MOVE(V),
    VIN_MOVE(X),
    VIN_MOVE(I),
    VIN_WVX(WAdd, false, false, false),
    VIN_WVX(WAdd, true, true, false),
    VIN_WVX(WSub, false, false, false),
    VIN_WVX(WSub, true, true, false),
    VIN_WVX(WAdd, false, false, true),
    VIN_WVX(WAdd, false, true, true),
    VIN_WVX(WSub, false, false, true),
    VIN_WVX(WSub, false, true, true),
    VIN_WVX(WMul, false, false, false),
    VIN_WVX(WMul, true, false, false),
    VIN_WVX(WMul, true, true, false),
    VIN_WVX(WMacc, false, false, false),
    VIN_WVX(WMacc, true, true, false),
    VIN_WVX(WMacc, false, true, false),
    VIN_W(WMacc, X, true, false, false),
    VIN_EXT(2, false),
    VIN_EXT(2, true),
    VIN_EXT(4, false),
    VIN_EXT(4, true),
    VIN_EXT(8, false),
    VIN_EXT(8, true),
};
#undef VIN_EXT
#undef VIN_B
#undef VIN_VXI
#undef VIN_VX
#undef VIN_SHIFT
#undef VIN_W
#undef VIN_WVX
#undef VIN_MOVE

}  // namespace

std::span<const InsnDef> vector_int_insns() {
  return kRows;
}

std::span<const VInlineEntry> vector_int_inline() {
  return kInline;
}

}  // namespace tiervm
