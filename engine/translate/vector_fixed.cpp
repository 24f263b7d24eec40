// Vector fixed-point instructions (RVV 1.0 section 12): saturating add and subtract,
// averaging add and subtract, fractional multiply with rounding and saturation, scaling
// shifts and narrowing clips. Rounding follows vxrm (section 3.8), saturation sets vxsat
// (3.9). Each row is a helper run by vector_run (engine/translate/vector_run.h); tail and
// masked-off elements are left undisturbed, like the integer rows (vector_int.cpp).

#include <cstdint>
#include <span>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/vector_emit.h"
#include "engine/translate/vector_run.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

using I128 = __int128;

// vxrm encodings (section 3.8).
enum Vxrm : unsigned { kRnu = 0, kRne = 1, kRdn = 2, kRod = 3 };

// roundoff(v, d) = (v >> d) + r, r by vxrm from the bits of v (section 3.8); v is a two's
// complement value whose bits beyond its width are its sign, so one function serves the
// signed and the unsigned forms (unsigned operands are extended with zeros).
I128 roundoff(I128 v, unsigned d, unsigned vxrm) {
  if (d == 0) return v;
  const auto bit = [&](unsigned n) { return static_cast<unsigned>((v >> n) & 1); };
  const bool half = bit(d - 1) != 0;
  const bool below = d >= 2 && (v & ((I128{1} << (d - 1)) - 1)) != 0;
  const bool odd = bit(d) != 0;
  unsigned r = 0;
  switch (vxrm & 3) {
    case kRnu:
      r = half;
      break;
    case kRne:
      r = half && (below || odd);
      break;
    case kRdn:
      r = 0;
      break;
    case kRod:
      r = !odd && (half || below);
      break;
  }
  return (v >> d) + r;
}

I128 sval(uint64_t v, unsigned bits) {
  return sext_bits(v, bits);
}
I128 uval(uint64_t v, unsigned bits) {
  return static_cast<I128>(trunc_bits(v, bits));
}

// Clamps v to the signed or unsigned range of `bits` bits; `sat` tells whether it had to.
I128 clamp(I128 v, unsigned bits, bool is_signed, bool& sat) {
  const I128 lo = is_signed ? -(I128{1} << (bits - 1)) : 0;
  const I128 hi = is_signed ? (I128{1} << (bits - 1)) - 1 : (I128{1} << bits) - 1;
  if (v < lo) {
    sat = true;
    return lo;
  }
  if (v > hi) {
    sat = true;
    return hi;
  }
  return v;
}

// ---- Element operations on SEW-bit a (vs2) and b (the second operand).
struct Saddu {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned, bool& sat) {
    return clamp(uval(a, sew) + uval(b, sew), sew, false, sat);
  }
};
struct Sadd {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned, bool& sat) {
    return clamp(sval(a, sew) + sval(b, sew), sew, true, sat);
  }
};
struct Ssubu {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned, bool& sat) {
    return clamp(uval(a, sew) - uval(b, sew), sew, false, sat);
  }
};
struct Ssub {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned, bool& sat) {
    return clamp(sval(a, sew) - sval(b, sew), sew, true, sat);
  }
};
// Averaging: the SEW+1-bit sum or difference shifted right by one with rounding (12.2).
struct Aaddu {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(uval(a, sew) + uval(b, sew), 1, rm);
  }
};
struct Aadd {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(sval(a, sew) + sval(b, sew), 1, rm);
  }
};
struct Asubu {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(uval(a, sew) - uval(b, sew), 1, rm);
  }
};
struct Asub {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(sval(a, sew) - sval(b, sew), 1, rm);
  }
};
// vsmul: (a * b) >> (SEW - 1) rounded, saturated (only MIN * MIN overflows), 12.3.
struct Smul {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool& sat) {
    return clamp(roundoff(sval(a, sew) * sval(b, sew), sew - 1, rm), sew, true, sat);
  }
};
// Scaling shifts by the low lg2(SEW) bits of b, rounded (12.4).
struct Ssrl {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(uval(a, sew), static_cast<unsigned>(b & (sew - 1)), rm);
  }
};
struct Ssra {
  static I128 op(uint64_t a, uint64_t b, unsigned sew, unsigned rm, bool&) {
    return roundoff(sval(a, sew), static_cast<unsigned>(b & (sew - 1)), rm);
  }
};

// Single-width: vd[i] = Op(vs2[i], src1) for active i in [vstart, vl); vxsat |= saturated.
template <class Op, Src S>
uint64_t h_fixed(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2;
    if (!vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, emul) ||
        (S == Src::V && !vgroup_ok(f.vs1, emul)) || (!f.vm && f.vd == 0)) {
      return kVectorIllegal;
    }
    const unsigned sew = t.sew, bytes = t.sew_bytes(), rm = static_cast<unsigned>(s.vxrm & 3);
    bool sat = false;
    Dest out(s, f.vd, vgroup_regs(emul));
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      const I128 r = Op::op(vget(s, f.vs2, i, bytes), src1<S>(s, f, x, i, sew), sew, rm, sat);
      out.set(i, bytes, trunc_bits(static_cast<uint64_t>(r), sew));
    }
    out.commit();
    if (sat) s.vxsat = 1;
    return 0;
  });
}

// vnclipu/vnclip (12.5): vd[i] = clamp(roundoff(vs2[i] of 2*SEW bits, src1 & (2*SEW - 1)))
// to SEW bits, unsigned or signed; vxsat |= clamped. Register rules as vnsrl's.
template <bool Signed, Src S>
uint64_t h_clip(Hart& hart, uint64_t x, uint64_t, uint64_t, int64_t imm) {
  return vector_run(hart, imm, [&](HartState& s, const VFields& f, const VType& t) -> VResult {
    const int emul = t.lmul_log2, wemul = emul + 1;
    if (t.sew > 32 || wemul > 3 || !vgroup_ok(f.vd, emul) || !vgroup_ok(f.vs2, wemul) ||
        (S == Src::V && !vgroup_ok(f.vs1, emul)) || (!f.vm && f.vd == 0) ||
        (f.vd != f.vs2 && voverlap(f.vd, vgroup_regs(emul), f.vs2, vgroup_regs(wemul)))) {
      return kVectorIllegal;
    }
    const unsigned sew = t.sew, bytes = t.sew_bytes(), wsew = 2 * sew;
    const unsigned rm = static_cast<unsigned>(s.vxrm & 3);
    bool sat = false;
    Dest out(s, f.vd, vgroup_regs(emul));
    for (uint64_t i = s.vstart; i < s.vl; ++i) {
      if (!active(s, f, i)) continue;
      const uint64_t a = vget(s, f.vs2, i, 2 * bytes);
      const unsigned sh = static_cast<unsigned>(src1<S>(s, f, x, i, sew) & (wsew - 1));
      const I128 r = roundoff(Signed ? sval(a, wsew) : uval(a, wsew), sh, rm);
      out.set(i, bytes, trunc_bits(static_cast<uint64_t>(clamp(r, sew, Signed, sat)), sew));
    }
    out.commit();
    if (sat) s.vxsat = 1;
    return 0;
  });
}

using emit::vector_call;

#define OPIVV "000"
#define OPMVV "010"
#define OPIVI "011"
#define OPIVX "100"
#define OPMVX "110"

#define FIXED(f6, f3, name, args, op, src) \
  { Ext::V, TIERVM_OPV(f6, f3), name, args, vector_call<h_fixed<op, (src)>> }
#define CLIP(f6, f3, name, args, sgn, src) \
  { Ext::V, TIERVM_OPV(f6, f3), name, args, vector_call<h_clip<(sgn), (src)>> }

const InsnDef kRows[] = {
    FIXED("100000", OPIVV, "vsaddu.vv", "vd,vs2,vs1,vm", Saddu, Src::V),
    FIXED("100000", OPIVX, "vsaddu.vx", "vd,vs2,rs1,vm", Saddu, Src::X),
    FIXED("100000", OPIVI, "vsaddu.vi", "vd,vs2,simm5,vm", Saddu, Src::I),
    FIXED("100001", OPIVV, "vsadd.vv", "vd,vs2,vs1,vm", Sadd, Src::V),
    FIXED("100001", OPIVX, "vsadd.vx", "vd,vs2,rs1,vm", Sadd, Src::X),
    FIXED("100001", OPIVI, "vsadd.vi", "vd,vs2,simm5,vm", Sadd, Src::I),
    FIXED("100010", OPIVV, "vssubu.vv", "vd,vs2,vs1,vm", Ssubu, Src::V),
    FIXED("100010", OPIVX, "vssubu.vx", "vd,vs2,rs1,vm", Ssubu, Src::X),
    FIXED("100011", OPIVV, "vssub.vv", "vd,vs2,vs1,vm", Ssub, Src::V),
    FIXED("100011", OPIVX, "vssub.vx", "vd,vs2,rs1,vm", Ssub, Src::X),
    FIXED("001000", OPMVV, "vaaddu.vv", "vd,vs2,vs1,vm", Aaddu, Src::V),
    FIXED("001000", OPMVX, "vaaddu.vx", "vd,vs2,rs1,vm", Aaddu, Src::X),
    FIXED("001001", OPMVV, "vaadd.vv", "vd,vs2,vs1,vm", Aadd, Src::V),
    FIXED("001001", OPMVX, "vaadd.vx", "vd,vs2,rs1,vm", Aadd, Src::X),
    FIXED("001010", OPMVV, "vasubu.vv", "vd,vs2,vs1,vm", Asubu, Src::V),
    FIXED("001010", OPMVX, "vasubu.vx", "vd,vs2,rs1,vm", Asubu, Src::X),
    FIXED("001011", OPMVV, "vasub.vv", "vd,vs2,vs1,vm", Asub, Src::V),
    FIXED("001011", OPMVX, "vasub.vx", "vd,vs2,rs1,vm", Asub, Src::X),
    FIXED("100111", OPIVV, "vsmul.vv", "vd,vs2,vs1,vm", Smul, Src::V),
    FIXED("100111", OPIVX, "vsmul.vx", "vd,vs2,rs1,vm", Smul, Src::X),
    FIXED("101010", OPIVV, "vssrl.vv", "vd,vs2,vs1,vm", Ssrl, Src::V),
    FIXED("101010", OPIVX, "vssrl.vx", "vd,vs2,rs1,vm", Ssrl, Src::X),
    FIXED("101010", OPIVI, "vssrl.vi", "vd,vs2,uimm5,vm", Ssrl, Src::U),
    FIXED("101011", OPIVV, "vssra.vv", "vd,vs2,vs1,vm", Ssra, Src::V),
    FIXED("101011", OPIVX, "vssra.vx", "vd,vs2,rs1,vm", Ssra, Src::X),
    FIXED("101011", OPIVI, "vssra.vi", "vd,vs2,uimm5,vm", Ssra, Src::U),
    CLIP("101110", OPIVV, "vnclipu.wv", "vd,vs2,vs1,vm", false, Src::V),
    CLIP("101110", OPIVX, "vnclipu.wx", "vd,vs2,rs1,vm", false, Src::X),
    CLIP("101110", OPIVI, "vnclipu.wi", "vd,vs2,uimm5,vm", false, Src::U),
    CLIP("101111", OPIVV, "vnclip.wv", "vd,vs2,vs1,vm", true, Src::V),
    CLIP("101111", OPIVX, "vnclip.wx", "vd,vs2,rs1,vm", true, Src::X),
    CLIP("101111", OPIVI, "vnclip.wi", "vd,vs2,uimm5,vm", true, Src::U),
};

}  // namespace

std::span<const InsnDef> vector_fixed_insns() {
  return kRows;
}

}  // namespace tiervm
